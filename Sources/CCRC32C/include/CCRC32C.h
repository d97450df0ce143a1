#ifndef CCRC32C_H
#define CCRC32C_H

#include <stddef.h>
#include <stdint.h>

/// Whether this processor has a CRC-32C instruction that `raftsh_crc32c_update` uses
/// (SSE4.2 on x86-64, the CRC extension on AArch64). Asks the processor each call: cache it.
int raftsh_crc32c_hardware(void);

/// Feeds `length` bytes at `bytes` into the CRC-32C register `crc` (no inversion on either side)
/// with the processor's CRC-32C instruction. Only call it when `raftsh_crc32c_hardware()` is 1.
uint32_t raftsh_crc32c_update(uint32_t crc, const void *bytes, size_t length);

#endif
