#ifndef CDATAGRAM_H
#define CDATAGRAM_H

#include <stdint.h>
#include <sys/socket.h>

/// Sends `count` datagrams on the UDP socket `fd` with as few sendmmsg(2) calls as the kernel
/// allows: datagram i is the `lengths[i]` bytes at `base + offsets[i]`, to `addresses[i]` (whose
/// size is `addressLengths[i]`). A datagram the kernel refuses (an unreachable network, say) is
/// skipped and the rest still go; when the send buffer is full (EAGAIN) the rest are not sent.
/// Returns how many were sent; `*error` holds the errno of the last refusal (0 if none).
unsigned int raftsh_send_datagrams(int fd, const uint8_t *base, const uint32_t *offsets,
                                   const uint32_t *lengths, const struct sockaddr_storage *addresses,
                                   const uint32_t *addressLengths, unsigned int count, int *error);

#endif
