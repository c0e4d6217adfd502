/*
 * All processes: moving frames over a channel. Ring frames go through the
 * SPSC ring with wake-ups on the socket only when the other side waits;
 * socket frames are one datagram each, with descriptors as SCM_RIGHTS.
 * Nothing received is trusted until checked: lengths, types, descriptors.
 */
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "shared/chan.h"
#include "shared/err.h"
#include "shared/log.h"

static int
chan_errno_to_err(int e)
{
	switch (e) {
	case EAGAIN:
		return CAIRN_EAGAIN;
	case EPIPE:
	case ECONNRESET:
	case ENOTCONN:
		return CAIRN_ECLOSED;
	case EMSGSIZE:
		return CAIRN_ETOOBIG;
	default:
		return CAIRN_EIO;
	}
}

static int
chan_sock_send(struct chan *ch, const struct frame_hdr *h, const void *payload,
    const int *fds, unsigned nfds)
{
	struct iovec iov[2] = {
		{.iov_base = (void *)(uintptr_t)h, .iov_len = FRAME_HDR_BYTES},
		{.iov_base = (void *)(uintptr_t)payload, .iov_len = h->length},
	};
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * CHAN_FDS_MAX)];
	} cm;
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = h->length ? 2 : 1};

	CAIRN_ASSERT(nfds <= CHAN_FDS_MAX);
	if (FRAME_HDR_BYTES + (size_t)h->length > CHAN_SOCKET_FRAME_BYTES_MAX)
		return CAIRN_ETOOBIG;
	if (nfds > 0) {
		struct cmsghdr *c;

		memset(&cm, 0, sizeof(cm));
		mh.msg_control = cm.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	if (sendmsg(ch->sock, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) == -1)
		return chan_errno_to_err(errno);
	/* Tells the consumer a datagram precedes the ring frames we publish
	 * after it; the release on the next tail carries this store. */
	if (ch->map != NULL && h->type != cairn_ipc_IPC_ANY_RING_WAKE)
		atomic_fetch_add_explicit(&ch->tx.ctl->sock_frames, 1, memory_order_relaxed);
	return 0;
}

/* Tells the peer to look at the rings. A full socket means the peer has
 * unread datagrams and will look anyway, so EAGAIN is not an error. */
static void
chan_wake(struct chan *ch)
{
	struct frame_hdr h = {.type = cairn_ipc_IPC_ANY_RING_WAKE};

	(void)chan_sock_send(ch, &h, NULL, NULL, 0);
}

static int
chan_ring_send(struct chan *ch, const struct frame_hdr *h, const void *payload)
{
	int rc = ring_write(&ch->tx, h, payload);

	if (rc == CAIRN_EAGAIN && !ring_producer_wait(&ch->tx, frame_ring_bytes(h->length)))
		rc = ring_write(&ch->tx, h, payload);
	if (rc == CAIRN_ECORRUPT)
		return chan_fail(ch, "peer published an impossible ring head");
	if (rc == 0 && ring_consumer_wake_needed(&ch->tx))
		chan_wake(ch);
	return rc;
}

int
chan_frame_send(struct chan *ch, const struct frame_hdr *h, const void *payload,
    unsigned via, const int *fds, unsigned nfds)
{
	if (!chan_is_open(ch))
		return CAIRN_ECLOSED;
	if (via == IPC_VIA_RING) {
		CAIRN_ASSERT(ch->map != NULL);
		CAIRN_ASSERT(nfds == 0);
		return chan_ring_send(ch, h, payload);
	}
	return chan_sock_send(ch, h, payload, fds, nfds);
}

/* Collects SCM_RIGHTS descriptors; closes them all when they cannot be kept. */
static int
chan_take_fds(struct chan *ch, struct msghdr *mh, int *fds, unsigned *nfds)
{
	unsigned n = 0;
	int rc = 0;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c != NULL; c = CMSG_NXTHDR(mh, c)) {
		size_t cnt;
		int got[CHAN_FDS_MAX * 2];

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		cnt = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		if (cnt > CHAN_FDS_MAX * 2)
			cnt = CHAN_FDS_MAX * 2;
		memcpy(got, CMSG_DATA(c), cnt * sizeof(int));
		for (size_t i = 0; i < cnt; i++) {
			if (fds != NULL && n < CHAN_FDS_MAX)
				fds[n++] = got[i];
			else {
				close(got[i]);
				rc = chan_fail(ch, "unexpected descriptors");
			}
		}
	}
	if (nfds != NULL)
		*nfds = n;
	if (rc != 0)
		for (unsigned i = 0; i < n; i++)
			close(fds[i]);
	return rc;
}

/* One datagram: 0, CAIRN_EAGAIN (none), CAIRN_ECLOSED, CAIRN_EPROTO. */
static int
chan_sock_recv(struct chan *ch, struct frame_hdr *h, uint8_t *buf, size_t cap,
    int *fds, unsigned *nfds)
{
	struct iovec iov[2] = {
		{.iov_base = h, .iov_len = FRAME_HDR_BYTES},
		{.iov_base = buf, .iov_len = cap},
	};
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * CHAN_FDS_MAX * 2)];
	} cm;
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2,
	    .msg_control = cm.buf, .msg_controllen = sizeof(cm.buf)};
	ssize_t n = recvmsg(ch->sock, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	int rc;

	if (n == -1)
		return chan_errno_to_err(errno) == CAIRN_EAGAIN ? CAIRN_EAGAIN : CAIRN_ECLOSED;
	if (n == 0)
		return CAIRN_ECLOSED;
	rc = chan_take_fds(ch, &mh, fds, nfds);
	if (rc == 0 && (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0)
		rc = chan_fail(ch, "socket frame too long");
	else if (rc == 0 && (size_t)n < FRAME_HDR_BYTES)
		rc = chan_fail(ch, "socket frame shorter than its header");
	else if (rc == 0 && (size_t)n != FRAME_HDR_BYTES + (size_t)h->length)
		rc = chan_fail(ch, "socket frame length does not match its header");
	if (rc != 0 && fds != NULL && nfds != NULL) {
		for (unsigned i = 0; i < *nfds; i++)
			close(fds[i]);
		*nfds = 0;
	}
	return rc;
}

/* A wake-up: empty, no descriptors, only where there are rings. */
static int
chan_check_wake(struct chan *ch, const struct frame_hdr *h, unsigned nfds)
{
	if (h->length != 0 || nfds != 0 || h->flags != 0 || ch->map == NULL)
		return chan_fail(ch, "malformed wake-up");
	return 0;
}

/* True when the peer sent a socket frame we have not read. Loaded after
 * the tail (ring_peek's acquire), so a frame sent before the ring frame
 * in hand is counted. A lying peer only reorders its own frames. */
static bool
chan_sock_pending(const struct chan *ch)
{
	return atomic_load_explicit(&ch->rx.ctl->sock_frames, memory_order_relaxed) !=
	    ch->sock_frames_rx;
}

/* Hands out the ring frame whose header ring_peek just read: judged by
 * 'accept', copied out, its space released (waking a waiting producer). */
static int
chan_ring_deliver(struct chan *ch, struct frame_hdr *h, uint8_t *buf, size_t cap,
    chan_accept_fn *accept, void *arg, bool closed)
{
	int rc;

	if (h->length > cap)
		return chan_fail(ch, "ring frame longer than the receive buffer");
	rc = accept(ch, h, IPC_VIA_RING, arg);
	if (rc != 0)
		return rc;
	ring_take(&ch->rx, h, buf);
	if (!closed && ring_producer_wake_needed(&ch->rx))
		chan_wake(ch);
	return 0;
}

/* One ring frame when one is published and no socket frame was sent
 * before it; CAIRN_EAGAIN otherwise, without arming the waiting flag. */
static int
chan_ring_take_ready(struct chan *ch, struct frame_hdr *h, uint8_t *buf, size_t cap,
    chan_accept_fn *accept, void *arg)
{
	int rc = ring_peek(&ch->rx, h);

	if (rc == CAIRN_ECORRUPT)
		return chan_fail(ch, "ring frame beyond capacity or published tail");
	if (rc != 0 || chan_sock_pending(ch))
		return CAIRN_EAGAIN;
	return chan_ring_deliver(ch, h, buf, cap, accept, arg, false);
}

/* The next ring frame. With 'closed' (the peer is gone) an empty ring
 * means CAIRN_ECLOSED: frames the peer published before dying are whole
 * and are still delivered, never dropped. */
static int
chan_ring_recv(struct chan *ch, struct frame_hdr *h, uint8_t *buf, size_t cap,
    chan_accept_fn *accept, void *arg, bool closed)
{
	int rc;

	for (;;) {
		rc = ring_peek(&ch->rx, h);
		if (rc == CAIRN_ECORRUPT)
			return chan_fail(ch, "ring frame beyond capacity or published tail");
		if (rc == 0)
			break;
		if (closed)
			return CAIRN_ECLOSED;
		if (ring_consumer_wait(&ch->rx))
			return CAIRN_EAGAIN;
	}
	return chan_ring_deliver(ch, h, buf, cap, accept, arg, closed);
}

int
chan_frame_recv(struct chan *ch, struct frame_hdr *h, uint8_t *buf, size_t cap,
    chan_accept_fn *accept, void *arg, int *fds, unsigned *nfds, unsigned *via)
{
	unsigned n = 0;
	int rc;

	if (!chan_is_open(ch))
		return CAIRN_ECLOSED;
	/* The ring first when no earlier socket frame waits: no syscall per
	 * frame, and socket frames still come before later ring frames. */
	if (ch->map != NULL) {
		rc = chan_ring_take_ready(ch, h, buf, cap, accept, arg);
		if (rc != CAIRN_EAGAIN) {
			if (nfds != NULL)
				*nfds = 0;
			*via = IPC_VIA_RING;
			return rc;
		}
	}
	for (;;) {
		rc = chan_sock_recv(ch, h, buf, cap, fds, &n);
		if (rc != 0)
			break;
		if (h->type != cairn_ipc_IPC_ANY_RING_WAKE) {
			ch->sock_frames_rx++;
			break;
		}
		rc = chan_check_wake(ch, h, n);
		if (rc != 0) {
			for (unsigned i = 0; i < n; i++)
				close(fds[i]);
			return rc;
		}
	}
	if (nfds != NULL)
		*nfds = n;
	if (rc == 0) {
		*via = IPC_VIA_SOCKET;
		rc = accept(ch, h, IPC_VIA_SOCKET, arg);
		if (rc != 0)
			for (unsigned i = 0; i < n; i++)
				close(fds[i]);
		return rc;
	}
	if ((rc != CAIRN_EAGAIN && rc != CAIRN_ECLOSED) || ch->map == NULL)
		return rc;
	*via = IPC_VIA_RING;
	return chan_ring_recv(ch, h, buf, cap, accept, arg, rc == CAIRN_ECLOSED);
}

int
chan_wait(struct chan *ch, int timeout_ms)
{
	struct pollfd p = {.fd = ch->sock, .events = POLLIN};
	int n = poll(&p, 1, timeout_ms);

	if (n < 0)
		return errno == EINTR ? CAIRN_EAGAIN : CAIRN_EIO;
	return n == 0 ? CAIRN_EAGAIN : 0;
}
