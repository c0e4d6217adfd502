/*
 * All processes: creating, opening and closing channels. The memfd is
 * sealed so that a hostile peer cannot shrink it under our mapping, and its
 * size is checked against our own configuration, never against its header.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shared/chan.h"
#include "shared/err.h"
#include "shared/log.h"
#include "shared/xmalloc.h"

#define CHAN_SEALS (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL)

size_t
chan_mem_bytes(uint32_t ring_bytes)
{
	return CHAN_MEM_CTL_BYTES + 2 * (size_t)ring_bytes;
}

static int
chan_memfd_create(uint32_t ring_bytes, int *out)
{
	int fd = memfd_create("cairn-chan", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	if (fd == -1) {
		log_warn("memfd_create");
		return CAIRN_EIO;
	}
	if (ftruncate(fd, (off_t)chan_mem_bytes(ring_bytes)) == -1 ||
	    fcntl(fd, F_ADD_SEALS, CHAN_SEALS) == -1) {
		log_warn("sizing or sealing a channel memfd");
		close(fd);
		return CAIRN_EIO;
	}
	*out = fd;
	return 0;
}

int
chan_pair_create(uint32_t ring_bytes, int socks[2], int *memfd)
{
	int rc;

	*memfd = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, socks) == -1) {
		log_warn("socketpair");
		return CAIRN_EIO;
	}
	if (ring_bytes == 0)
		return 0;
	rc = chan_memfd_create(ring_bytes, memfd);
	if (rc != 0) {
		close(socks[0]);
		close(socks[1]);
	}
	return rc;
}

/* Maps the memfd after checking its size and seals. */
static int
chan_map(struct chan *ch, int memfd, uint32_t ring_bytes)
{
	size_t want = chan_mem_bytes(ring_bytes);
	struct stat st;
	int seals = fcntl(memfd, F_GET_SEALS);
	void *p;

	if (fstat(memfd, &st) == -1 || (size_t)st.st_size != want)
		return chan_fail(ch, "memfd has the wrong size");
	if (seals == -1 || (seals & CHAN_SEALS) != CHAN_SEALS)
		return chan_fail(ch, "memfd is not sealed");
	p = mmap(NULL, want, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	if (p == MAP_FAILED) {
		log_warn("mmap of a channel memfd");
		return CAIRN_EIO;
	}
	ch->map = p;
	ch->map_bytes = want;
	return 0;
}

/* Ring 0 carries frames from the lower-numbered process to the higher. */
static void
chan_attach_rings(struct chan *ch, uint32_t ring_bytes)
{
	uint8_t *data = ch->map + CHAN_MEM_CTL_BYTES;
	struct ring_ctl *ctl0 = (struct ring_ctl *)ch->map;
	struct ring_ctl *ctl1 = (struct ring_ctl *)(ch->map + RING_CTL_BYTES);
	bool low = ch->self < ch->peer;

	ring_init(&ch->tx, low ? ctl0 : ctl1, low ? data : data + ring_bytes,
	    ring_bytes, true);
	ring_init(&ch->rx, low ? ctl1 : ctl0, low ? data + ring_bytes : data,
	    ring_bytes, false);
}

int
chan_open(struct chan *ch, enum cairn_proc self, enum cairn_proc peer,
    int sock, int memfd, uint32_t ring_bytes)
{
	int rc;

	CAIRN_ASSERT(self != peer);
	CAIRN_ASSERT(memfd == -1 || (ring_bytes >= 64 && (ring_bytes & (ring_bytes - 1)) == 0));
	chan_init(ch);
	ch->self = self;
	ch->peer = peer;
	if (memfd != -1) {
		rc = chan_map(ch, memfd, ring_bytes);
		if (rc != 0)
			return rc;
		chan_attach_rings(ch, ring_bytes);
	}
	ch->sock = sock;
	ch->memfd = memfd;
	ch->buf_bytes = CHAN_SOCKET_FRAME_BYTES_MAX;
	if (memfd != -1 && ring_bytes > ch->buf_bytes)
		ch->buf_bytes = ring_bytes;
	ch->rx_buf = xmalloc(ch->buf_bytes);
	ch->tx_buf = xmalloc(ch->buf_bytes);
	return 0;
}

void
chan_close(struct chan *ch)
{
	if (ch->map != NULL)
		munmap(ch->map, ch->map_bytes);
	if (ch->sock != -1)
		close(ch->sock);
	if (ch->memfd != -1)
		close(ch->memfd);
	free(ch->rx_buf);
	free(ch->tx_buf);
	ch->map = NULL;
	ch->rx_buf = ch->tx_buf = NULL;
	ch->sock = ch->memfd = -1;
	ch->hello_seen = false;
}

void
chan_init(struct chan *ch)
{
	memset(ch, 0, sizeof(*ch));
	ch->sock = -1;
	ch->memfd = -1;
}

bool
chan_is_open(const struct chan *ch)
{
	return ch->sock != -1;
}

int
chan_fail(struct chan *ch, const char *reason)
{
	snprintf(ch->fail_reason, sizeof(ch->fail_reason), "%s", reason);
	return CAIRN_EPROTO;
}
