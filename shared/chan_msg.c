/*
 * All processes: typed messages over a channel. Sending encodes per the
 * route table; receiving checks the header against the route table before
 * the payload is copied, then decodes it fully, and only then hands it on.
 * The hello comes first on every channel and must name the expected peer.
 */
#include <pb_decode.h>
#include <pb_encode.h>
#include <string.h>
#include <unistd.h>

#include "shared/chan.h"
#include "shared/err.h"

static int
chan_route_accept(struct chan *ch, const struct frame_hdr *h, unsigned via,
    void *arg)
{
	const struct ipc_route *r;
	const char *why;

	(void)arg;
	if (ipc_route_check(h, ch->peer, ch->self, via, &r, &why) != 0)
		return chan_fail(ch, why);
	if (!ch->hello_seen && h->type != cairn_ipc_IPC_ANY_HELLO_SEND)
		return chan_fail(ch, "frame before hello");
	if (ch->hello_seen && h->type == cairn_ipc_IPC_ANY_HELLO_SEND)
		return chan_fail(ch, "second hello");
	return 0;
}

static int
chan_check_hello(struct chan *ch, const cairn_ipc_Hello *hello)
{
	if (hello->version != CAIRN_IPC_VERSION)
		return chan_fail(ch, "hello with another IPC version");
	if (hello->proc != (uint32_t)ch->peer)
		return chan_fail(ch, "hello from an unexpected process");
	ch->hello_seen = true;
	return 0;
}

void
chan_msg_release(struct chan_msg *m)
{
	for (unsigned i = 0; i < m->nfds; i++)
		if (m->fds[i] != -1)
			close(m->fds[i]);
	m->nfds = 0;
	if (m->route != NULL)
		pb_release(m->route->fields, &m->body);
	m->route = NULL;
}

int
chan_recv(struct chan *ch, struct chan_msg *m)
{
	pb_istream_t is;
	unsigned via;
	int rc;

	/* Not the body: the union is ~50 KiB (the largest message, bounds
	 * inlined) and pb_decode sets the decoded type's fields to their
	 * defaults itself; zeroing it all cost microseconds per frame. */
	memset(&m->hdr, 0, sizeof(m->hdr));
	m->route = NULL;
	m->fds[0] = m->fds[1] = -1;
	m->nfds = 0;
	rc = chan_frame_recv(ch, &m->hdr, ch->rx_buf, ch->buf_bytes,
	    chan_route_accept, NULL, m->fds, &m->nfds, &via);
	if (rc != 0)
		return rc;
	m->route = ipc_route_find(m->hdr.type);
	CAIRN_ASSERT(m->route != NULL);
	if (m->nfds != m->route->nfds) {
		m->route = NULL;
		chan_msg_release(m);
		return chan_fail(ch, "wrong number of descriptors for the frame type");
	}
	is = pb_istream_from_buffer(ch->rx_buf, m->hdr.length);
	if (!pb_decode(&is, m->route->fields, &m->body)) {
		chan_msg_release(m);
		return chan_fail(ch, "payload does not decode");
	}
	if (m->hdr.type == cairn_ipc_IPC_ANY_HELLO_SEND) {
		rc = chan_check_hello(ch, &m->body.hello);
		if (rc != 0)
			chan_msg_release(m);
	}
	return rc;
}

int
chan_send_fds(struct chan *ch, unsigned type, uint64_t id, const void *msg,
    const int *fds, unsigned nfds)
{
	const struct ipc_route *r = ipc_route_find(type);
	struct frame_hdr h = {.type = (uint16_t)type, .id = id};
	pb_ostream_t os;
	unsigned via;

	/* Sending a type on a channel it does not belong to is a bug. A
	 * channel never opened (its peer not started yet: netd answers
	 * clients before raftd and stored exist) has no ends to judge. */
	CAIRN_ASSERT(r != NULL);
	CAIRN_ASSERT(nfds == r->nfds);
	if (!chan_is_open(ch))
		return CAIRN_ECLOSED;
	CAIRN_ASSERT((r->senders & PROC_BIT(ch->self)) != 0);
	CAIRN_ASSERT((r->receivers & PROC_BIT(ch->peer)) != 0);
	os = pb_ostream_from_buffer(ch->tx_buf, r->max_bytes < ch->buf_bytes ?
	    r->max_bytes : ch->buf_bytes);
	if (!pb_encode(&os, r->fields, msg))
		return CAIRN_ETOOBIG;
	h.length = (uint32_t)os.bytes_written;
	via = ((r->via & IPC_VIA_RING) && ch->map != NULL) ? IPC_VIA_RING : IPC_VIA_SOCKET;
	CAIRN_ASSERT((r->via & via) != 0);
	return chan_frame_send(ch, &h, ch->tx_buf, via, fds, nfds);
}

int
chan_send(struct chan *ch, unsigned type, uint64_t id, const void *msg)
{
	return chan_send_fds(ch, type, id, msg, NULL, 0);
}

int
chan_send_hello(struct chan *ch)
{
	cairn_ipc_Hello hello = {
		.version = CAIRN_IPC_VERSION,
		.proc = (uint32_t)ch->self,
		.pid = (int64_t)getpid(),
	};

	return chan_send(ch, cairn_ipc_IPC_ANY_HELLO_SEND, 0, &hello);
}
