#ifndef CDIRECTIO_H
#define CDIRECTIO_H

/// Opens `path` for reading and writing with direct, synchronous I/O (`O_DIRECT | O_DSYNC`, and
/// `O_CLOEXEC`): each write bypasses the page cache and returns once the data and what is needed to
/// read it back are on stable storage. Swift's Glibc module does not export `O_DIRECT` (its value
/// differs between processor architectures), hence this function. Returns the descriptor, or -1
/// with `errno` set (`EINVAL` where the file system has no direct I/O, as tmpfs); always -1 with
/// `EINVAL` where the platform has no `O_DIRECT`.
int raftsh_open_direct_sync(const char *path);

#endif
