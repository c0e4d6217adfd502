/*
 * netd: etcd's Lease calls that stored's lessor answers without Raft
 * (LeaseAsk): TimeToLive and Leases (unary), and the LeaseKeepAlive
 * stream; on a follower, keep-alives and TimeToLive go to the leader's
 * (lease_relay.c). As etcd's server, a keep-alive stream serves one request at a
 * time: the next waits (and the client's flow-control window with it)
 * until the previous one is answered and the client reads its answers.
 */
#include <stdlib.h>

#include <event2/buffer.h>

#include "netd/backend.h"
#include "netd/h2.h"
#include "netd/lease_relay.h"
#include "netd/netd.h"
#include "netd/svc.h"
#include "shared/chunks.h"
#include "shared/xmalloc.h"

/* Keep-alive answers a stream may have waiting for the client before it
 * takes no more requests. */
#define KEEPALIVE_OUT_BYTES_MAX (64u << 10)

/* A call only the leader's lessor answers: relayed to the leader from a
 * follower. */
static int
lease_ask(struct gstream *s, enum pending_wait wait, const cairn_ipc_LeaseAsk *a)
{
	uint64_t leader = lease_relay_leader(s->n);

	if (leader != 0)
		return lease_relay_ask(s, leader, wait, a);
	return backend_ask(s, wait, cairn_ipc_IPC_STORED_LEASE_GET, a);
}

int
svc_lease_time_to_live(struct gstream *s, const uint8_t *msg, size_t len)
{
	etcdserverpb_LeaseTimeToLiveRequest req = etcdserverpb_LeaseTimeToLiveRequest_init_zero;
	cairn_ipc_LeaseAsk a = {.op = cairn_ipc_LeaseAsk_Op_TIME_TO_LIVE};

	if (svc_decode(s, etcdserverpb_LeaseTimeToLiveRequest_fields, &req, msg, len) != 0)
		return 0;
	a.id = req.ID;
	a.keys = req.keys;
	return lease_ask(s, PENDING_RESULT, &a);
}

int
svc_lease_leases(struct gstream *s, const uint8_t *msg, size_t len)
{
	etcdserverpb_LeaseLeasesRequest req = etcdserverpb_LeaseLeasesRequest_init_zero;
	cairn_ipc_LeaseAsk a = {.op = cairn_ipc_LeaseAsk_Op_LEASES};

	if (svc_decode(s, etcdserverpb_LeaseLeasesRequest_fields, &req, msg, len) != 0)
		return 0;
	return backend_ask(s, PENDING_RESULT, cairn_ipc_IPC_STORED_LEASE_GET, &a);
}

static int
keepalive_message(struct gstream *s, const uint8_t *msg, size_t len)
{
	etcdserverpb_LeaseKeepAliveRequest req = etcdserverpb_LeaseKeepAliveRequest_init_zero;
	cairn_ipc_LeaseAsk a = {.op = cairn_ipc_LeaseAsk_Op_RENEW};

	if (s->pending != NULL || evbuffer_get_length(s->out) >= KEEPALIVE_OUT_BYTES_MAX)
		return CAIRN_EAGAIN;
	if (svc_decode(s, etcdserverpb_LeaseKeepAliveRequest_fields, &req, msg, len) != 0)
		return 0;
	a.id = req.ID;
	return lease_ask(s, PENDING_KEEPALIVE, &a);
}

/* etcd's stream returns (status OK) when it reads the client's end,
 * after answering what came before it. */
static void
keepalive_end(struct gstream *s)
{
	if (s->pending == NULL && !s->answered)
		grpc_finish(s, GRPC_OK, "");
}

const struct grpc_stream_ops svc_lease_keepalive_ops = {
	.message = keepalive_message,
	.end = keepalive_end,
};

void
svc_lease_renewed(struct gstream *s, pb_bytes_array_t *const *parts, size_t n, size_t len)
{
	uint8_t *buf = xmalloc(len > 0 ? len : 1);

	chunks_join(parts, (pb_size_t)n, buf);
	/* Cannot fail: the stream takes no request while answers wait. */
	(void)grpc_send(s, buf, len);
	free(buf);
	if (s->paused)
		grpc_stream_resume(s);
	else if (s->ended)
		keepalive_end(s);
}
