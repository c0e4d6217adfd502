/*
 * netd: lease calls relayed between a follower and its leader (see
 * lease_relay.h). A relayed call keeps its request id on the follower,
 * which is the ref the leader answers with; the answer is taken only from
 * the member the call went to. Deadlines are a ring in sending order, as
 * every call has the same timeout.
 */
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <pb_decode.h>
#include <pb_encode.h>

#include "netd/backend.h"
#include "netd/grpc.h"
#include "netd/lease_relay.h"
#include "netd/netd.h"
#include "netd/peer.h"
#include "netd/svc.h"
#include "shared/assert.h"
#include "shared/chunks.h"
#include "shared/err.h"
#include "shared/log.h"
#include "shared/pbwire.h"
#include "shared/raft_peer.h"
#include "shared/xmalloc.h"

/* Every answer relayed (LeaseKeepAliveResponse, LeaseTimeToLiveResponse)
 * has its ResponseHeader as field 1. */
#define RESP_F_HEADER 1

static void relay_arm(struct netd *n);

/* Whether the oldest relayed call is still waiting for its answer. */
static bool
relay_head_waits(struct netd *n)
{
	const struct pending *p = pending_find(&n->pending, n->relays.sent[n->relays.head].id);

	return p != NULL && p->relay_to != 0;
}

static void
relay_pop(struct netd *n)
{
	n->relays.head = (n->relays.head + 1) % LEASE_RELAY_MAX;
	n->relays.len--;
}

/* Fails the calls past their deadline, drops those answered. */
static void
relay_expire(evutil_socket_t fd, short what, void *arg)
{
	struct netd *n = arg;
	int64_t now = netd_now_ms();

	(void)fd, (void)what;
	while (n->relays.len > 0) {
		const struct lease_relay_sent *e = &n->relays.sent[n->relays.head];
		struct pending *p;

		if (relay_head_waits(n) && e->deadline_ms > now)
			break;
		if ((p = pending_find(&n->pending, e->id)) != NULL && p->relay_to != 0) {
			p->relay_to = 0;
			backend_fail(n, e->id, CAIRN_ETIMEOUT);
		}
		relay_pop(n);
	}
	relay_arm(n);
}

static void
relay_arm(struct netd *n)
{
	struct timeval tv;
	int64_t ms;

	if (n->relays.len == 0)
		return;
	ms = n->relays.sent[n->relays.head].deadline_ms - netd_now_ms();
	ms = ms < 0 ? 0 : ms;
	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)(ms % 1000 * 1000);
	if (evtimer_add(n->relays.timer, &tv) != 0)
		fatalx("evtimer_add");
}

void
lease_relay_init(struct netd *n)
{
	n->relays.sent = xcalloc(LEASE_RELAY_MAX, sizeof(*n->relays.sent));
	n->relays.head = n->relays.len = n->relays.serving = 0;
	if ((n->relays.timer = evtimer_new(n->c->base, relay_expire, n)) == NULL)
		fatalx("evtimer_new");
}

void
lease_relay_free(struct netd *n)
{
	if (n->relays.timer != NULL)
		event_free(n->relays.timer);
	n->relays.timer = NULL;
	free(n->relays.sent);
	n->relays.sent = NULL;
}

uint64_t
lease_relay_leader(const struct netd *n)
{
	uint64_t leader = n->raft.leader;

	return leader != 0 && leader != n->raft.member_id ? leader : 0;
}

int
lease_relay_ask(struct gstream *s, uint64_t leader, enum pending_wait wait,
    const cairn_ipc_LeaseAsk *a)
{
	struct netd *n = s->n;
	cairn_peer_PeerFrame f = cairn_peer_PeerFrame_init_zero;
	struct lease_relay_sent *e;
	int rc;

	/* Calls answered already make room; the oldest waiting one stays. */
	while (n->relays.len > 0 && !relay_head_waits(n))
		relay_pop(n);
	if (n->relays.len == LEASE_RELAY_MAX)
		return CAIRN_ETOOMANYREQ;
	if ((rc = backend_wait(s, wait)) != 0)
		return rc;
	f.has_relay = true;
	f.relay.ref = s->pending->id;
	f.relay.has_ask = true;
	f.relay.ask = *a;
	if ((rc = peers_send_frame(n, leader, &f)) != 0) {
		backend_unwait(n, s->pending);
		/* The leader cannot be reached now: as etcd, when its
		 * forwarding fails. */
		return rc == CAIRN_ETOOBIG ? rc : CAIRN_ENOLEADER;
	}
	s->pending->relay_to = leader;
	e = &n->relays.sent[(n->relays.head + n->relays.len++) % LEASE_RELAY_MAX];
	e->id = f.relay.ref;
	e->deadline_ms = netd_now_ms() + LEASE_RELAY_TIMEOUT_MS;
	if (n->relays.len == 1)
		relay_arm(n);
	return 0;
}

/* Sends the answer res for the call 'ref' of member 'to'. */
static void
relay_answer(struct netd *n, uint64_t to, uint64_t ref, const cairn_ipc_Result *res)
{
	cairn_peer_PeerFrame f = cairn_peer_PeerFrame_init_zero;
	int rc;

	f.has_relay = true;
	f.relay.ref = ref;
	f.relay.has_result = true;
	f.relay.result = *res; /* a shallow copy: res keeps its allocations */
	if ((rc = peers_send_frame(n, to, &f)) == CAIRN_ETOOBIG) {
		/* Too big for one frame (TimeToLive's keys): the error instead. */
		f.relay.result = (cairn_ipc_Result)cairn_ipc_Result_init_zero;
		f.relay.result.code = CAIRN_ETOOBIG;
		rc = peers_send_frame(n, to, &f);
	}
	if (rc != 0)
		log_debug("cannot answer %llx's lease call: %s", (unsigned long long)to,
		    err_str(rc));
}

/* A follower's call: asked of this member's stored. */
static const char *
relay_serve(struct netd *n, uint64_t from, const cairn_peer_LeaseRelay *r)
{
	cairn_ipc_Result res = cairn_ipc_Result_init_zero;
	struct pending *p;
	int rc;

	if (r->ask.op != cairn_ipc_LeaseAsk_Op_RENEW &&
	    r->ask.op != cairn_ipc_LeaseAsk_Op_TIME_TO_LIVE)
		return "a lease relay of an unknown call";
	if (n->relays.serving == LEASE_RELAY_MAX ||
	    (p = pending_add(&n->pending, NULL, PENDING_RELAY)) == NULL) {
		res.code = CAIRN_ETOOMANYREQ;
		relay_answer(n, from, r->ref, &res);
		return NULL;
	}
	p->relay_to = from;
	p->relay_ref = r->ref;
	n->relays.serving++;
	if ((rc = backend_tell(n, p->id, cairn_ipc_IPC_STORED_LEASE_GET, &r->ask)) != 0)
		backend_fail(n, p->id, rc == CAIRN_EAGAIN ? CAIRN_ETOOMANYREQ : rc);
	return NULL;
}

void
lease_relay_served(struct netd *n, struct pending *p, const cairn_ipc_Result *res)
{
	CAIRN_ASSERT(p->wait == PENDING_RELAY && n->relays.serving > 0);
	relay_answer(n, p->relay_to, p->relay_ref, res);
	n->relays.serving--;
	backend_unwait(n, p);
}

/* The follower answers with its own header, as etcd's fills it (cluster,
 * member, revision, term), whoever renewed: the leader's is replaced. A
 * CAIRN_E* code when the answer is not a protobuf message. */
static int
relay_reheader(struct netd *n, const cairn_ipc_Result *in, cairn_ipc_Result *out)
{
	etcdserverpb_ResponseHeader h = etcdserverpb_ResponseHeader_init_zero;
	uint8_t hb[etcdserverpb_ResponseHeader_size];
	pb_ostream_t os = pb_ostream_from_buffer(hb, sizeof(hb));
	struct pbw_reader rd;
	struct pbw_field f;
	uint8_t *in_buf, *buf;
	size_t len, k, at = 0;
	int rc;

	if (chunks_check(in->data, in->data_count, RAFT_PEER_DATA_BYTES_MAX, &len) != NULL)
		return CAIRN_EIO;
	svc_header(n, &h);
	if (!pb_encode(&os, etcdserverpb_ResponseHeader_fields, &h))
		return CAIRN_EIO;
	in_buf = xmalloc(len + 1);
	chunks_join(in->data, in->data_count, in_buf);
	buf = xmalloc(1 + PBW_VARINT_BYTES_MAX + os.bytes_written + len);
	k = pbw_put_varint(buf, PBW_TAG(RESP_F_HEADER, PBW_LEN));
	k += pbw_put_varint(buf + k, os.bytes_written);
	memcpy(buf + k, hb, os.bytes_written);
	k += os.bytes_written;
	rd = (struct pbw_reader){.buf = in_buf, .len = len};
	while ((rc = pbw_next(&rd, &f)) == 1) {
		if (f.number != RESP_F_HEADER) {
			memcpy(buf + k, in_buf + at, rd.off - at);
			k += rd.off - at;
		}
		at = rd.off;
	}
	if (rc == 0 && k <= RAFT_PEER_DATA_BYTES_MAX)
		chunks_put(buf, (uint32_t)k, &out->data, &out->data_count);
	free(buf);
	free(in_buf);
	return rc != 0 ? CAIRN_EIO : k > RAFT_PEER_DATA_BYTES_MAX ? CAIRN_ETOOBIG : 0;
}

const char *
lease_relay_frame(struct netd *n, uint64_t from, const cairn_peer_LeaseRelay *r)
{
	struct pending *p;

	if (r->ref == 0 || r->has_ask == r->has_result)
		return "a lease relay neither a call nor an answer";
	if (r->has_ask)
		return relay_serve(n, from, r);
	/* An answer: only for a call still waiting, from the member it
	 * went to (a late answer, after the timeout, is dropped). */
	p = pending_find(&n->pending, r->ref);
	if (p == NULL || p->wait == PENDING_RELAY || p->relay_to != from) {
		log_debug("a lease answer from %llx that nobody waits for",
		    (unsigned long long)from);
		return NULL;
	}
	p->relay_to = 0;
	if (r->result.code != 0) {
		backend_result(n, r->ref, &r->result);
	} else {
		cairn_ipc_Result own = cairn_ipc_Result_init_zero;
		int rc = relay_reheader(n, &r->result, &own);

		if (rc != 0)
			backend_fail(n, r->ref, rc);
		else
			backend_result(n, r->ref, &own);
		pb_release(cairn_ipc_Result_fields, &own);
	}
	return NULL;
}
