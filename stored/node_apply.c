/*
 * stored: committed entries in, results out. One frame of entries is one
 * batch (one Berkeley DB transaction): each entry is applied in index
 * order exactly once (an entry at or below the consistent index was
 * applied before a restart and is skipped). A client's request comes in
 * an envelope naming the member whose netd took it; this member's
 * results go to its netd once the batch is committed.
 */
#include <string.h>

#include <pb_decode.h>

#include "raftd/conf_change.h"
#include "raftd/raft_types.h"
#include "stored/members.h"
#include "stored/node_apply.h"
#include "stored/node_members.h"
#include "stored/node_read.h"
#include "stored/node_watch.h"
#include "shared/chan.h"
#include "shared/chunks.h"
#include "shared/entry_envelope.h"
#include "shared/err.h"
#include "shared/le.h"
#include "shared/log.h"
#include "shared/pbwire.h"
#include "shared/raft_peer.h"

/* A result held for netd: {u64 id, u32 code, u32 len} then len bytes. */
#define RESULT_HEAD_BYTES 16

void
stored_result_keep(struct stored_node *n, uint64_t id, int code, const struct spb *resp)
{
	uint32_t len = code == 0 ? (uint32_t)resp->len : 0;
	uint8_t *p = spb_room(&n->results, RESULT_HEAD_BYTES + (size_t)len);

	le_put64(p, id);
	le_put32(p + 8, (uint32_t)code);
	le_put32(p + 12, len);
	if (len > 0)
		memcpy(p + RESULT_HEAD_BYTES, resp->buf, len);
	n->results.len += RESULT_HEAD_BYTES + (size_t)len;
}

void
stored_answer(struct stored_node *n, uint64_t id, int code, const char *what)
{
	if (code == CAIRN_EIO || code == CAIRN_ECORRUPT)
		fatalx("the store failed %s: %s", what, err_str(code));
	stored_result_keep(n, id, code, &n->resp);
	stored_node_flush(n);
}

/* An entry recorded as applied with nothing to apply. */
static int
apply_index_only(struct stored_node *n, const struct raft_entry *e)
{
	struct mvcc_wtxn w;

	if (mvcc_write_begin(&n->store, &w) != 0)
		return CAIRN_EIO;
	return mvcc_write_end(&w, e->index, e->term);
}

int
stored_propose(struct stored_node *n, const uint8_t *req, size_t len)
{
	cairn_ipc_Proposal p = cairn_ipc_Proposal_init_zero;
	int rc;

	chunks_put(req, (uint32_t)len, &p.data, &p.data_count);
	rc = chan_send(&n->child->peers[PROC_RAFTD].ch, cairn_ipc_IPC_RAFTD_PROPOSAL_SEND, 0, &p);
	pb_release(cairn_ipc_Proposal_fields, &p);
	return rc;
}

/* etcd's server after a request past the quota: it proposes a NOSPACE
 * alarm for this member, unless one is raised; cairn at most every
 * STORED_ALARM_RETRY_MS until the alarm is applied, so that a burst of
 * such requests makes one. */
static void
nospace_raise(struct stored_node *n)
{
	/* InternalRaftRequest.alarm (10): AlarmRequest {action (1) ACTIVATE,
	 * memberID (2), alarm (3) NOSPACE}. */
	uint8_t inner[3 * (1 + PBW_VARINT_BYTES_MAX)], buf[2 + PBW_VARINT_BYTES_MAX + sizeof(inner)];
	const uint64_t v[3] = {REQ_ALARM_ACTIVATE, n->apply.member_id, REQ_ALARM_NOSPACE};
	size_t il = pbw_put_varints(inner, v, 3), len = 0;
	int64_t now = stored_now_ms();

	if (n->apply.nospace || (n->nospace_proposed_ms != 0 &&
	    now - n->nospace_proposed_ms < STORED_ALARM_RETRY_MS))
		return;
	len += pbw_put_varint(buf + len, PBW_TAG(REQ_ALARM, PBW_LEN));
	len += pbw_put_varint(buf + len, il);
	memcpy(buf + len, inner, il);
	len += il;
	log_warnx("a request went past the backend quota (%lld bytes): raising the NOSPACE alarm",
	    (long long)n->apply.quota_bytes);
	if (stored_propose(n, buf, len) == 0)
		n->nospace_proposed_ms = now;
}

/* The request an entry carries, applied; its result kept if ours. A
 * request stored cannot read is recorded as applied all the same, so
 * that it is never tried again, and refused to its client. */
static int
apply_client_entry(struct stored_node *n, const struct raft_entry *e)
{
	struct entry_envelope env = {0};
	struct req r;
	const char *why;
	bool ours = false;
	int code = CAIRN_EINVAL;

	spb_reset(&n->resp);
	if (!entry_envelope_get(e->data, e->len, &env)) {
		log_warnx("entry %llu is not a client request", (unsigned long long)e->index);
	} else {
		ours = env.member_id == n->apply.member_id;
		if (req_decode(env.req, env.len, REQ_TXN_OPS_MAX, &n->arena, &r, &why) != 0) {
			log_warnx("entry %llu: %s", (unsigned long long)e->index, why);
		} else {
			code = apply_request(&n->apply, &r, e->index, e->term, &n->resp);
			if (code == CAIRN_EIO || code == CAIRN_ECORRUPT)
				return code;
			if (n->apply.quota_exceeded)
				nospace_raise(n);
			/* Raised: the pause between proposals is over, so that
			 * once disarmed, the next write past the quota raises it
			 * again at once. */
			if (n->apply.nospace)
				n->nospace_proposed_ms = 0;
			if (ours && env.request_id != 0)
				stored_result_keep(n, env.request_id, code, &n->resp);
			return 0;
		}
	}
	if (apply_index_only(n, e) != 0)
		return CAIRN_EIO;
	/* Request id 0: stored's own proposal (a lease's expiry). */
	if (ours && env.request_id != 0)
		stored_result_keep(n, env.request_id, code, &n->resp);
	return 0;
}


/* A membership change: etcd's members tables, in the same transaction
 * as the consistent index, changed by the rule raftd applies the entry
 * by (members.h). Its context is an envelope naming the member whose
 * netd took the request, then the record; that netd gets etcd's answer,
 * or why the change did not apply. One that does not decode is recorded
 * as applied and logged. */
static int
apply_conf_entry(struct stored_node *n, const struct raft_entry *e)
{
	struct entry_envelope env = {0};
	bool ours = false;
	uint8_t op;
	uint64_t id;
	int code = CAIRN_EINVAL;

	spb_reset(&n->resp);
	if (!conf_change_decode(e, &op, &id) || !entry_envelope_get(e->data + RAFT_CONF_FIXED_BYTES,
	    e->len - RAFT_CONF_FIXED_BYTES, &env)) {
		log_warnx("entry %llu: a malformed membership change", (unsigned long long)e->index);
	} else {
		ours = env.member_id == n->apply.member_id && env.request_id != 0;
		code = members_apply(&n->store, n->store.batch, op, id, env.req, env.len);
		if (code == 0) {
			n->members_rev++; /* netd asks for the new list (whom to dial) */
			log_info("applied a configuration change through raft: %s %llx",
			    op == RAFT_CONF_REMOVE ? "remove" : op == RAFT_CONF_UPDATE ? "update" :
			    op == RAFT_CONF_PROMOTE ? "promote" : "add", (unsigned long long)id);
			if (ours)
				code = stored_member_changed(n, op, env.req, env.len, &n->resp);
		}
		if (code == CAIRN_EIO || code == CAIRN_ECORRUPT)
			return code;
	}
	if (apply_index_only(n, e) != 0)
		return CAIRN_EIO;
	if (ours)
		stored_result_keep(n, env.request_id, code, &n->resp);
	return 0;
}

static uint8_t entry_buf[RAFT_PEER_ENTRY_BYTES_MAX];

/* One entry of the frame, its data joined; 0 or a store failure. */
static int
apply_entry(struct stored_node *n, const cairn_ipc_RaftEntry *in)
{
	struct raft_entry e = {.term = in->term, .index = in->index, .type = (uint8_t)in->type};
	size_t len;
	const char *why = chunks_check(in->data, in->data_count, RAFT_PEER_ENTRY_BYTES_MAX, &len);

	if (why != NULL) {
		log_warnx("entry %llu from raftd: %s", (unsigned long long)in->index, why);
		return CAIRN_EPROTO;
	}
	/* One chunk (entries up to 32 KiB, most of them) is read in place. */
	if (in->data_count == 1)
		e.data = in->data[0]->bytes;
	else {
		chunks_join(in->data, in->data_count, entry_buf);
		e.data = entry_buf;
	}
	e.len = (uint32_t)len;
	if (e.type == RAFT_ENTRY_NORMAL && e.len > 0)
		return apply_client_entry(n, &e);
	if (e.type == RAFT_ENTRY_CONF)
		return apply_conf_entry(n, &e);
	/* The leader's no-op: only the consistent index moves. */
	return apply_index_only(n, &e);
}

int
stored_apply_entries(struct stored_node *n, const cairn_ipc_ApplyEntries *in)
{
	int rc = 0;

	if (n->stuck)
		return 0;
	if (mvcc_batch_begin(&n->store) != 0)
		fatalx("cannot begin a store transaction");
	for (pb_size_t i = 0; i < in->entries_count && rc == 0; i++) {
		const cairn_ipc_RaftEntry *e = &in->entries[i];

		if (e->index <= n->store.ci)
			continue; /* applied before a restart */
		if (e->index != n->store.ci + 1) {
			log_warnx("raftd skipped entries: %llu follows %llu", (unsigned long long)e->index,
			    (unsigned long long)n->store.ci);
			rc = CAIRN_EPROTO;
			break;
		}
		rc = apply_entry(n, e);
	}
	if (rc == CAIRN_EPROTO) {
		mvcc_batch_abort(&n->store);
		/* The entries come again; what the applier keeps in memory
		 * (alarms, auth) goes back to what the store holds. */
		if (apply_reload(&n->apply) != 0)
			fatalx("cannot read the store back after an aborted batch");
		return rc;
	}
	if (rc != 0 || mvcc_batch_commit(&n->store) != 0)
		fatalx("the store failed applying entries: %s", err_str(rc != 0 ? rc : CAIRN_EIO));
	n->report_due = true;
	stored_reads_serve(n);
	stored_watch_notify(n);
	stored_node_compact_soon(n);
	return 0;
}

/* Drops held results when netd is gone or not reading. */
static void
results_drop(struct stored_node *n, size_t upto)
{
	memmove(n->results.buf, n->results.buf + upto, n->results.len - upto);
	n->results.len -= upto;
}

size_t
stored_frame_bytes(const struct stored_node *n)
{
	size_t half = n->child->cfg.ring_bytes / 2;

	return half < STORED_RESULT_FRAME_BYTES ? half : STORED_RESULT_FRAME_BYTES;
}

void
stored_send_results(struct stored_node *n)
{
	uint32_t frame = (uint32_t)stored_frame_bytes(n);
	struct chan *ch = &n->child->peers[PROC_NETD].ch;
	size_t off = 0;

	while (off < n->results.len) {
		const uint8_t *p = n->results.buf + off;
		uint32_t len = le_get32(p + 12);
		/* A result larger than a frame goes in parts, "more" on all but
		 * the last; n->result_part says how much of this one went. */
		uint32_t part = len - (uint32_t)n->result_part < frame ?
		    len - (uint32_t)n->result_part : frame;
		cairn_ipc_Result r = {.code = le_get32(p + 8),
		    .more = n->result_part + part < len};
		int rc;

		chunks_put(p + RESULT_HEAD_BYTES + n->result_part, part, &r.data, &r.data_count);
		rc = chan_is_open(ch) ? chan_send(ch, cairn_ipc_IPC_NETD_RESULT_SET, le_get64(p), &r) :
		    CAIRN_ECLOSED;
		pb_release(cairn_ipc_Result_fields, &r);
		if (rc == CAIRN_EAGAIN)
			break;
		if (rc == 0 && r.more) {
			n->result_part += part;
			continue;
		}
		if (rc != 0 && rc != CAIRN_ECLOSED)
			log_warnx("a result for netd was lost: %s", err_str(rc));
		n->result_part = 0;
		off += RESULT_HEAD_BYTES + len;
	}
	if (off > 0)
		results_drop(n, off);
	if (n->results.len > STORED_RESULTS_BYTES_MAX) {
		log_warnx("netd is not reading its results: dropping them");
		n->results.len = 0;
		n->result_part = 0;
	}
}
