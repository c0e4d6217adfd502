/*
 * All processes: whole reads and writes on a descriptor (a file or a
 * blocking socket), interrupted calls retried.
 */
#ifndef CAIRN_FD_IO_H
#define CAIRN_FD_IO_H

#include <stddef.h>

/* Writes all n bytes: 0, or CAIRN_EIO (errno says why). */
int fd_write_all(int fd, const void *p, size_t n);
/* Reads exactly n bytes: 0, CAIRN_ECORRUPT when the end comes first, or
 * CAIRN_EIO (errno says why). */
int fd_read_all(int fd, void *p, size_t n);

#endif
