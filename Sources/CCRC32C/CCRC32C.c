// The processor's CRC-32C instruction, for the Swift `Checksum.CRC32C` (which falls back to a
// table when this processor has none). The instruction computes the same reflected Castagnoli
// register update as the table: the caller does the initial and final inversion.
#include "CCRC32C.h"
#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>

int raftsh_crc32c_hardware(void) {
    unsigned int eax, ebx, ecx, edx;
    return __get_cpuid(1, &eax, &ebx, &ecx, &edx) && (ecx & bit_SSE4_2) ? 1 : 0;
}

__attribute__((target("sse4.2")))
uint32_t raftsh_crc32c_update(uint32_t crc, const void *bytes, size_t length) {
    const unsigned char *p = bytes;
    unsigned long long c = crc;
    while (length >= 8) {
        unsigned long long word;
        memcpy(&word, p, 8);
        c = __builtin_ia32_crc32di(c, word);
        p += 8;
        length -= 8;
    }
    unsigned int r = (unsigned int)c;
    while (length > 0) {
        r = __builtin_ia32_crc32qi(r, *p);
        p += 1;
        length -= 1;
    }
    return r;
}

#elif defined(__aarch64__) && defined(__ARM_FEATURE_CRC32)
#include <arm_acle.h>

int raftsh_crc32c_hardware(void) { return 1; }

uint32_t raftsh_crc32c_update(uint32_t crc, const void *bytes, size_t length) {
    const unsigned char *p = bytes;
    while (length >= 8) {
        uint64_t word;
        memcpy(&word, p, 8);
        crc = __crc32cd(crc, word);
        p += 8;
        length -= 8;
    }
    while (length > 0) {
        crc = __crc32cb(crc, *p);
        p += 1;
        length -= 1;
    }
    return crc;
}

#else

int raftsh_crc32c_hardware(void) { return 0; }

uint32_t raftsh_crc32c_update(uint32_t crc, const void *bytes, size_t length) {
    (void)bytes;
    (void)length;
    return crc;
}

#endif
