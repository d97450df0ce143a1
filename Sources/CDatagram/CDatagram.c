// sendmmsg(2) for the Swift `Node.DatagramOutbox`: Swift's Glibc module does not declare it
// (it needs _GNU_SOURCE), and SwiftNIO keeps its own wrapper internal.
#define _GNU_SOURCE
#include "CDatagram.h"
#include <errno.h>
#include <string.h>
#include <sys/uio.h>

enum { chunk = 64 };

unsigned int raftsh_send_datagrams(int fd, const uint8_t *base, const uint32_t *offsets,
                                   const uint32_t *lengths, const struct sockaddr_storage *addresses,
                                   const uint32_t *addressLengths, unsigned int count, int *error) {
    struct mmsghdr headers[chunk];
    struct iovec vectors[chunk];
    unsigned int next = 0, sent = 0;
    *error = 0;
    while (next < count) {
        unsigned int n = count - next < chunk ? count - next : chunk;
        memset(headers, 0, sizeof(struct mmsghdr) * n);
        for (unsigned int i = 0; i < n; i++) {
            unsigned int k = next + i;
            vectors[i].iov_base = (void *)(base + offsets[k]);
            vectors[i].iov_len = lengths[k];
            headers[i].msg_hdr.msg_name = (void *)&addresses[k];
            headers[i].msg_hdr.msg_namelen = addressLengths[k];
            headers[i].msg_hdr.msg_iov = &vectors[i];
            headers[i].msg_hdr.msg_iovlen = 1;
        }
        int r = sendmmsg(fd, headers, n, MSG_DONTWAIT);
        if (r < 0) {
            if (errno == EINTR) continue;
            *error = errno;
            if (errno == EAGAIN || errno == EWOULDBLOCK) return sent;
            next += 1;  // the first of these cannot go: skip it, send the rest
            continue;
        }
        // A short count means datagram next + r failed; the next call reports why.
        next += (unsigned int)r;
        sent += (unsigned int)r;
    }
    return sent;
}
