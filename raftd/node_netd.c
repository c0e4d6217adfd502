/*
 * raftd: the channel to netd. Out: the core's peer messages, the Raft
 * status, and replies to netd's requests. In: client proposals, wrapped
 * in an envelope naming this member and netd's request id, and
 * linearizable reads, batched into one read-index round at a time as
 * etcd does. netd is hostile: its requests are checked before the core
 * sees them, and its ids only ever come back to it.
 */
#include <string.h>

#include <pb_decode.h>

#include "raftd/node.h"
#include "shared/chunks.h"
#include "shared/entry_envelope.h"
#include "shared/err.h"
#include "shared/log.h"

static struct chan *
netd_chan(struct raftd_node *n)
{
	return &n->child->peers[PROC_NETD].ch;
}

/* A new netd knows nothing of the old one's requests. */
void
raftd_netd_reset(struct raftd_node *n)
{
	n->replies_head = n->replies_n = 0;
	n->reads_waiting.n = 0;
	n->reads_asked.n = 0;
	raftd_hold_reset(n);
}

/* Messages netd cannot take now are lost, as on any network: Raft sends
 * again. A lost snapshot is reported so the leader may try again. */
void
raftd_netd_send_msgs(struct raftd_node *n, const struct rmsg *msgs, size_t nmsgs)
{
	for (size_t i = 0; i < nmsgs; i++) {
		cairn_ipc_RaftMsg pb;
		int rc = peer_msg_encode(&msgs[i], &pb);

		if (rc == 0) {
			rc = chan_send(netd_chan(n), cairn_ipc_IPC_NETD_PEER_SEND, 0, &pb);
			pb_release(cairn_ipc_RaftMsg_fields, &pb);
		}
		if (rc == 0 && msgs[i].type == RMSG_HEARTBEAT)
			raftd_rtt_sent(n, msgs[i].to);
		if (rc == CAIRN_ETOOBIG)
			log_warnx("a Raft message to %llx is too large to send",
			    (unsigned long long)msgs[i].to);
		if (rc != 0 && msgs[i].type == RMSG_SNAPSHOT &&
		    n->nsnap_failed < RCORE_MEMBERS_MAX)
			n->snap_failed[n->nsnap_failed++] = msgs[i].to;
	}
}

/* Queues a reply; sent at once when the ring has room. */
void
raftd_netd_reply(struct raftd_node *n, uint16_t type, uint64_t id, int code, uint64_t index)
{
	size_t tail;

	if (n->replies_n == RAFTD_REPLIES_MAX) {
		log_warnx("netd is not reading its replies: dropping the oldest");
		n->replies_head = (n->replies_head + 1) % RAFTD_REPLIES_MAX;
		n->replies_n--;
	}
	if (type == cairn_ipc_IPC_NETD_PROPOSAL_FAIL)
		n->proposals_failed++;
	tail = (n->replies_head + n->replies_n) % RAFTD_REPLIES_MAX;
	n->replies[tail] = (struct raftd_reply){.id = id, .index = index,
	    .code = (uint32_t)code, .type = type};
	n->replies_n++;
}

void
raftd_netd_flush_replies(struct raftd_node *n)
{
	while (n->replies_n > 0) {
		const struct raftd_reply *r = &n->replies[n->replies_head];
		cairn_ipc_RaftReply pb = {.code = r->code, .index = r->index};
		int rc = chan_send(netd_chan(n), r->type, r->id, &pb);

		if (rc == CAIRN_EAGAIN)
			return;
		if (rc != 0) {
			raftd_netd_reset(n); /* netd is gone; its successor starts afresh */
			return;
		}
		n->replies_head = (n->replies_head + 1) % RAFTD_REPLIES_MAX;
		n->replies_n--;
	}
}

/* The core's refusals as etcd words them: a full log or outbox is etcd's
 * "too many requests". */
static int
netd_propose_err(int rc)
{
	return rc == CAIRN_EAGAIN ? CAIRN_ETOOMANYREQ : rc;
}

int
raftd_netd_propose(struct raftd_node *n, uint64_t id, const cairn_ipc_Proposal *p, bool reply)
{
	size_t len;
	const char *why = chunks_check(p->data, p->data_count, RAFT_ENTRY_BYTES_MAX, &len);
	int rc;

	if (why != NULL) {
		log_warnx("refusing a proposal from netd: %s", why);
		return CAIRN_EPROTO;
	}
	if (len > n->max_request_bytes)
		rc = CAIRN_ETOOBIG;
	else if (n->core.hs.commit > n->stored_applied + RAFTD_APPLY_GAP_MAX)
		rc = CAIRN_ETOOMANYREQ;
	else {
		entry_envelope_put(n->prop_buf, n->core.cfg.id, id);
		chunks_join(p->data, p->data_count, n->prop_buf + ENTRY_ENVELOPE_BYTES);
		raftd_hold_release(n); /* older ones first */
		rc = netd_propose_err(rcore_propose(&n->core, n->prop_buf,
		    (uint32_t)(ENTRY_ENVELOPE_BYTES + len)));
		/* A client's waits for a leader, as in etcd; stored's (lease
		 * expiries) are proposed again anyway. */
		if (rc == CAIRN_ENOLEADER && reply)
			rc = raftd_hold_add(n, id, n->prop_buf, (uint32_t)(ENTRY_ENVELOPE_BYTES + len));
	}
	if (rc != 0 && reply)
		raftd_netd_reply(n, cairn_ipc_IPC_NETD_PROPOSAL_FAIL, id, rc, 0);
	return 0;
}

void
raftd_netd_propose_conf(struct raftd_node *n, uint64_t id, const cairn_ipc_ConfProposal *p)
{
	uint8_t ctx[ENTRY_ENVELOPE_BYTES + sizeof(p->member.bytes)];
	int rc;

	/* nanopb bounded member to its max_size: the context always fits. */
	entry_envelope_put(ctx, n->core.cfg.id, id);
	memcpy(ctx + ENTRY_ENVELOPE_BYTES, p->member.bytes, p->member.size);
	if (p->op < RAFT_CONF_ADD || p->op > RAFT_CONF_PROMOTE || p->id == 0)
		rc = CAIRN_EINVAL;
	else if (n->core.hs.commit > n->stored_applied + RAFTD_APPLY_GAP_MAX)
		rc = CAIRN_ETOOMANYREQ;
	else
		rc = netd_propose_err(rcore_propose_conf(&n->core, (enum raft_conf_op)p->op, p->id,
		    ctx, (uint32_t)(ENTRY_ENVELOPE_BYTES + p->member.size)));
	if (rc != 0)
		raftd_netd_reply(n, cairn_ipc_IPC_NETD_PROPOSAL_FAIL, id, rc, 0);
}

void
raftd_netd_read(struct raftd_node *n, uint64_t id)
{
	if (n->reads_waiting.n == RAFTD_READS_MAX) {
		raftd_netd_reply(n, cairn_ipc_IPC_NETD_READ_INDEX_SET, id, CAIRN_ETOOMANYREQ, 0);
		return;
	}
	n->reads_waiting.since[n->reads_waiting.n] = n->ticks;
	n->reads_waiting.ids[n->reads_waiting.n++] = id;
}

static void
netd_reads_answer(struct raftd_node *n, struct raftd_reads *b, int code, uint64_t index)
{
	for (size_t i = 0; i < b->n; i++)
		raftd_netd_reply(n, cairn_ipc_IPC_NETD_READ_INDEX_SET, b->ids[i], code, index);
	b->n = 0;
}

/* A round lost with the leader: its reads go back before those waiting
 * (they are older), for the next round once a leader is known. Those
 * that do not fit (the bound) time out now. */
static void
netd_reads_again(struct raftd_node *n)
{
	struct raftd_reads *a = &n->reads_asked, *w = &n->reads_waiting;
	size_t keep = a->n < RAFTD_READS_MAX - w->n ? a->n : RAFTD_READS_MAX - w->n;

	memmove(w->ids + keep, w->ids, w->n * sizeof(w->ids[0]));
	memmove(w->since + keep, w->since, w->n * sizeof(w->since[0]));
	memcpy(w->ids, a->ids + (a->n - keep), keep * sizeof(w->ids[0]));
	memcpy(w->since, a->since + (a->n - keep), keep * sizeof(w->since[0]));
	w->n += keep;
	a->n -= keep;
	netd_reads_answer(n, a, CAIRN_ETIMEOUT, 0);
}

/* One round at a time: reads that arrive during a round wait for the
 * next, whose index is at least as new (etcd's linearizable read loop). */
void
raftd_netd_reads_start(struct raftd_node *n)
{
	struct raftd_reads tmp;
	int rc;

	if (n->read_ctx != 0 || n->reads_waiting.n == 0)
		return;
	rc = rcore_read_index(&n->core, ++n->read_seq);
	/* No leader: they wait for one, as etcd's read loop does, until
	 * the request timeout. */
	if (rc == CAIRN_ENOLEADER)
		return;
	if (rc != 0) {
		netd_reads_answer(n, &n->reads_waiting, rc == CAIRN_EAGAIN ?
		    CAIRN_ETOOMANYREQ : rc, 0);
		return;
	}
	n->read_ctx = n->read_seq;
	n->read_ticks = 0;
	tmp = n->reads_asked;
	n->reads_asked = n->reads_waiting;
	n->reads_waiting = tmp;
	n->reads_waiting.n = 0;
}

void
raftd_netd_reads_done(struct raftd_node *n, const struct rcore_read *r, size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		if (r[i].ctx != n->read_ctx || n->read_ctx == 0)
			continue; /* an abandoned round's */
		if (!r[i].ok && n->core.leader == 0)
			netd_reads_again(n);
		else
			netd_reads_answer(n, &n->reads_asked, r[i].ok ? 0 : CAIRN_ELEADERCHANGED,
			    r[i].ok ? r[i].index : 0);
		n->read_ctx = 0;
	}
}

/* A round whose answer was lost (a dropped message) must not hold its
 * reads forever: after etcd's request timeout they fail, as in etcd. */
void
raftd_netd_reads_tick(struct raftd_node *n)
{
	struct raftd_reads *w = &n->reads_waiting;
	size_t k = 0;

	/* Reads waiting for a leader, oldest first, time out as etcd's. */
	while (k < w->n && n->ticks - w->since[k] >= n->request_ticks)
		raftd_netd_reply(n, cairn_ipc_IPC_NETD_READ_INDEX_SET, w->ids[k++], CAIRN_ETIMEOUT, 0);
	if (k > 0) {
		memmove(w->ids, w->ids + k, (w->n - k) * sizeof(w->ids[0]));
		memmove(w->since, w->since + k, (w->n - k) * sizeof(w->since[0]));
		w->n -= k;
	}
	if (n->read_ctx == 0 || ++n->read_ticks < n->request_ticks)
		return;
	log_warnx("timed out waiting for a read index");
	netd_reads_answer(n, &n->reads_asked, CAIRN_ETIMEOUT, 0);
	n->read_ctx = 0;
}

/* Term, leader and role to netd and stored, when changed or asked for. */
void
raftd_status_flush(struct raftd_node *n)
{
	cairn_ipc_RaftStatus pb = {
		.term = n->core.hs.term,
		.leader = n->core.leader,
		.role = (uint32_t)n->core.role,
		.member_id = n->core.cfg.id,
		.cluster_id = n->cluster_id,
	};

	if (pb.term != n->status.term || pb.leader != n->status.leader ||
	    n->core.role != n->status.role) {
		n->status.term = pb.term;
		n->status.leader = pb.leader;
		n->status.role = n->core.role;
		n->status_due[PROC_NETD] = n->status_due[PROC_STORED] = true;
	}
	for (int p = PROC_NETD; p < PROC_COUNT; p++) {
		if (!n->status_due[p] || p == PROC_RAFTD)
			continue;
		if (chan_send(&n->child->peers[p].ch, cairn_ipc_IPC_CHILD_RAFT_STATUS_SET, 0,
		    &pb) != CAIRN_EAGAIN)
			n->status_due[p] = false;
	}
}

void
raftd_netd_transfer(struct raftd_node *n, uint64_t id, uint64_t to)
{
	int rc;

	if (n->transfer.id != 0) {
		raftd_netd_reply(n, cairn_ipc_IPC_NETD_TRANSFER_SET, id, CAIRN_ETOOMANYREQ, 0);
		return;
	}
	/* etcd: a leader asked to move to itself has nothing to do. */
	if (n->core.role == RCORE_LEADER && to == n->core.cfg.id) {
		raftd_netd_reply(n, cairn_ipc_IPC_NETD_TRANSFER_SET, id, 0, 0);
		return;
	}
	if ((rc = rcore_transfer(&n->core, to)) != 0) {
		raftd_netd_reply(n, cairn_ipc_IPC_NETD_TRANSFER_SET, id, rc, 0);
		return;
	}
	n->transfer.id = id;
	n->transfer.to = to;
	n->transfer.ticks = 0;
}

/* Done once the target leads; given up after etcd's request timeout
 * (the core abandons the transfer sooner, after an election timeout). */
void
raftd_netd_transfer_tick(struct raftd_node *n)
{
	int code;

	if (n->transfer.id == 0)
		return;
	if (n->core.leader == n->transfer.to)
		code = 0;
	else if (++n->transfer.ticks >= n->request_ticks)
		code = CAIRN_ETRANSFERTIMEOUT;
	else
		return;
	raftd_netd_reply(n, cairn_ipc_IPC_NETD_TRANSFER_SET, n->transfer.id, code, 0);
	n->transfer.id = 0;
}

void
raftd_netd_refused(struct raftd_node *n, const struct rcore_refusal *r, size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		struct entry_envelope env;

		/* The entry is as this member forwarded it: conf head, then
		 * the envelope raftd_netd_propose_conf wrote. */
		if (r[i].e.len < RAFT_CONF_FIXED_BYTES ||
		    !entry_envelope_get(r[i].e.data + RAFT_CONF_FIXED_BYTES,
		    r[i].e.len - RAFT_CONF_FIXED_BYTES, &env) || env.member_id != n->core.cfg.id)
			continue;
		raftd_netd_reply(n, cairn_ipc_IPC_NETD_PROPOSAL_FAIL, env.request_id,
		    netd_propose_err(r[i].code), 0);
	}
}
