/*
 * All processes: whole reads and writes (see fd_io.h).
 */
#include <errno.h>
#include <stdint.h>
#include <unistd.h>

#include "shared/err.h"
#include "shared/fd_io.h"

int
fd_write_all(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n > 0) {
		ssize_t w = write(fd, b, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return CAIRN_EIO;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

int
fd_read_all(int fd, void *p, size_t n)
{
	uint8_t *b = p;

	while (n > 0) {
		ssize_t r = read(fd, b, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return CAIRN_EIO;
		if (r == 0)
			return CAIRN_ECORRUPT;
		b += r;
		n -= (size_t)r;
	}
	return 0;
}
