#define _GNU_SOURCE
#include "CDirectIO.h"
#include <errno.h>
#include <fcntl.h>

int raftsh_open_direct_sync(const char *path) {
#ifdef O_DIRECT
    return open(path, O_RDWR | O_DIRECT | O_DSYNC | O_CLOEXEC);
#else
    (void)path;
    errno = EINVAL;
    return -1;
#endif
}
