/*
 * Tests: opening both ends of a channel in one process.
 */
#include <dirent.h>
#include <unistd.h>

#include "shared/err.h"
#include "tests/lib/chan_pair.h"

int
chan_pair_open(struct chan *a, enum cairn_proc pa, struct chan *b,
    enum cairn_proc pb, uint32_t ring_bytes)
{
	int socks[2], memfd, memfd2 = -1, rc;

	rc = chan_pair_create(ring_bytes, socks, &memfd);
	if (rc != 0)
		return rc;
	if (memfd != -1)
		memfd2 = dup(memfd);
	rc = chan_open(a, pa, pb, socks[0], memfd, ring_bytes);
	if (rc != 0)
		return rc;
	return chan_open(b, pb, pa, socks[1], memfd2, ring_bytes);
}

int
chan_pair_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the directory's own descriptor */
}
