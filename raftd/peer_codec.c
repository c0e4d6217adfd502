/*
 * raftd: Raft peer messages to and from netd (see peer_codec.h). Encoding
 * trusts the core; decoding trusts nothing: every count, range and
 * relation the core relies on is checked before rcore_step sees it
 * (thesis figure 3.1 for what each message means).
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "raftd/conf_change.h"
#include "raftd/peer_codec.h"
#include "shared/assert.h"
#include "shared/chunks.h"
#include "shared/err.h"
#include "shared/raft_peer.h"
#include "shared/xmalloc.h"

CAIRN_STATIC_ASSERT(RAFT_PEER_ENTRIES_MAX == RCORE_APPEND_ENTRIES_MAX,
    "shared/raft_peer.h agrees with the core on entries");
CAIRN_STATIC_ASSERT(RAFT_PEER_MEMBERS_MAX == RAFT_MEMBERS_MAX,
    "shared/raft_peer.h agrees with the core on members");
CAIRN_STATIC_ASSERT(RAFT_PEER_ENTRY_BYTES_MAX == RAFT_ENTRY_BYTES_MAX,
    "shared/raft_peer.h agrees with the core on entry data");
CAIRN_STATIC_ASSERT(RMSG_TYPE_LAST <= UINT8_MAX, "rmsg.type holds every type");

/* ---- encoding ---------------------------------------------------------- */

static bool
peer_carries_entries(unsigned type)
{
	return type == RMSG_APPEND || type == RMSG_PROPOSE || type == RMSG_PROPOSE_RESP;
}

/* CAIRN_ETOOBIG when m's entries exceed what a message may carry. */
static int
peer_encode_check(const struct rmsg *m)
{
	uint64_t total = 0;

	if (m->n > RAFT_PEER_ENTRIES_MAX)
		return CAIRN_ETOOBIG;
	for (size_t i = 0; i < m->n; i++) {
		if (m->entries[i].len > RAFT_PEER_ENTRY_BYTES_MAX)
			return CAIRN_ETOOBIG;
		total += m->entries[i].len;
	}
	return total > RAFT_PEER_DATA_BYTES_MAX ? CAIRN_ETOOBIG : 0;
}

void
peer_snap_encode(const struct rcore_snapshot *s, cairn_ipc_RaftSnapshotMeta *out)
{
	const struct raft_conf *conf = &s->meta.conf;

	CAIRN_ASSERT(conf->n <= RAFT_PEER_MEMBERS_MAX);
	out->index = s->meta.index;
	out->term = s->meta.term;
	out->ref = s->ref;
	if (conf->n == 0)
		return;
	out->members = xcalloc(conf->n, sizeof(*out->members));
	for (uint32_t i = 0; i < conf->n; i++) {
		out->members[i].id = conf->m[i].id;
		out->members[i].learner = conf->m[i].learner;
	}
	out->members_count = (pb_size_t)conf->n;
}

int
peer_msg_encode(const struct rmsg *m, cairn_ipc_RaftMsg *out)
{
	int rc;

	CAIRN_ASSERT(m->type >= RMSG_VOTE && m->type <= RMSG_TYPE_LAST);
	CAIRN_ASSERT(m->n == 0 || (m->entries != NULL && peer_carries_entries(m->type)));
	CAIRN_ASSERT((m->snap != NULL) == (m->type == RMSG_SNAPSHOT));
	*out = (cairn_ipc_RaftMsg)cairn_ipc_RaftMsg_init_zero;
	if ((rc = peer_encode_check(m)) != 0)
		return rc;
	out->type = m->type;
	out->from = m->from;
	out->to = m->to;
	out->term = m->term;
	out->index = m->index;
	out->log_term = m->log_term;
	out->commit = m->commit;
	out->reject = m->reject;
	out->hint = m->hint;
	out->hint_term = m->hint_term;
	out->ctx = m->ctx;
	peer_entries_encode(m->entries, m->n, &out->entries, &out->entries_count);
	if (m->snap != NULL) {
		out->has_snap = true;
		peer_snap_encode(m->snap, &out->snap);
	}
	return 0;
}

void
peer_entries_encode(const struct raft_entry *e, size_t n, cairn_ipc_RaftEntry **out,
    pb_size_t *count)
{
	CAIRN_ASSERT(n <= RAFT_PEER_ENTRIES_MAX);
	*out = NULL;
	*count = 0;
	if (n == 0)
		return;
	*out = xcalloc(n, sizeof(**out));
	*count = (pb_size_t)n;
	for (size_t i = 0; i < n; i++) {
		(*out)[i].term = e[i].term;
		(*out)[i].index = e[i].index;
		(*out)[i].type = e[i].type;
		chunks_put(e[i].data, e[i].len, &(*out)[i].data, &(*out)[i].data_count);
	}
}

/* ---- decoding ----------------------------------------------------------- */

void
peer_msg_init(struct peer_msg *pm)
{
	memset(pm, 0, sizeof(*pm));
	pm->buf = xmalloc(RAFT_PEER_DATA_BYTES_MAX);
}

void
peer_msg_close(struct peer_msg *pm)
{
	free(pm->buf);
	pm->buf = NULL;
}

/* Who, which type, and the ranges every type shares. */
static const char *
peer_check_header(const cairn_ipc_RaftMsg *in, uint64_t self)
{
	if (in->type < RMSG_VOTE || in->type > RMSG_TYPE_LAST)
		return "unknown Raft message type";
	if (in->to != self)
		return "Raft message for another member";
	if (in->from == 0)
		return "Raft message from member 0";
	if (in->from == self)
		return "Raft message from this member";
	if (in->term > RAFT_PEER_TERM_MAX || in->log_term > RAFT_PEER_TERM_MAX ||
	    in->hint_term > RAFT_PEER_TERM_MAX)
		return "Raft term out of range";
	if (in->index > RAFT_PEER_INDEX_MAX || in->commit > RAFT_PEER_INDEX_MAX ||
	    in->hint > RAFT_PEER_INDEX_MAX)
		return "Raft index out of range";
	return NULL;
}

/* Relations between the fields of one type (what an honest core sends). */
static const char *
peer_check_fields(const cairn_ipc_RaftMsg *in)
{
	/* Campaigns and leaders have a term; answers may come from term 0. */
	bool needs_term = in->type == RMSG_VOTE || in->type == RMSG_PREVOTE ||
	    in->type == RMSG_APPEND || in->type == RMSG_HEARTBEAT ||
	    in->type == RMSG_SNAPSHOT || in->type == RMSG_TIMEOUT_NOW;
	bool names_log = in->type == RMSG_VOTE || in->type == RMSG_PREVOTE ||
	    in->type == RMSG_APPEND || in->type == RMSG_SNAPSHOT;

	if (needs_term && in->term == 0)
		return "Raft message of term 0";
	if (names_log && in->log_term > in->term)
		return "Raft log term above the message's term";
	/* Index 0 precedes every log; its term is 0. */
	if (names_log && in->index == 0 && in->log_term != 0)
		return "Raft log term at index 0";
	if (in->entries_count > RAFT_PEER_ENTRIES_MAX)
		return "too many Raft entries";
	if (in->entries_count > 0 && !peer_carries_entries(in->type))
		return "Raft entries on a message that carries none";
	if (in->entries_count > 0 && in->entries == NULL)
		return "Raft entries missing";
	if (in->type == RMSG_PROPOSE && in->entries_count == 0)
		return "Raft proposal without entries";
	/* A refusal: the one change refused, and a reason a client may read. */
	if (in->type == RMSG_PROPOSE_RESP && (in->entries_count != 1 || !in->reject ||
	    in->hint <= CAIRN_ERR_FIRST_ || in->hint >= CAIRN_ERR_LAST_))
		return "Raft refusal not of one change with a reason";
	/* No overflow: index is at most RAFT_PEER_INDEX_MAX (INT64_MAX). */
	if (in->type == RMSG_APPEND && in->index + in->entries_count > RAFT_PEER_INDEX_MAX)
		return "Raft index out of range";
	/* The leader never tells of a commit beyond what it sends. */
	if (in->type == RMSG_APPEND && in->commit > in->index + in->entries_count)
		return "Raft commit beyond the entries sent";
	if (in->has_snap != (in->type == RMSG_SNAPSHOT))
		return in->has_snap ? "Raft snapshot on a message that carries none" :
		    "Raft snapshot message without a snapshot";
	return NULL;
}

/* Points *e at the data of 'in' (one chunk) or gathers it into pm->buf at
 * *off (several). Chunks: all full but the last, which is not empty. */
static const char *
peer_entry_data(const cairn_ipc_RaftEntry *in, struct peer_msg *pm, size_t *off,
    struct raft_entry *e)
{
	size_t len;
	const char *why = chunks_check(in->data, in->data_count, RAFT_ENTRY_BYTES_MAX, &len);

	if (why != NULL)
		return why;
	if (*off + len > RAFT_PEER_DATA_BYTES_MAX)
		return "Raft entries longer than a message may hold";
	e->len = (uint32_t)len;
	e->data = NULL;
	if (in->data_count == 1)
		e->data = in->data[0]->bytes;
	if (in->data_count > 1) {
		e->data = pm->buf + *off;
		chunks_join(in->data, in->data_count, pm->buf + *off);
	}
	/* Chunked data counts against the buffer, one-chunk data alike: the
	 * bound is the message's, wherever the bytes sit. */
	*off += len;
	return NULL;
}

/* Entry i of 'in' against the message and the entry before it. */
static const char *
peer_check_entry(const cairn_ipc_RaftMsg *in, size_t i, const cairn_ipc_RaftEntry *e)
{
	uint64_t prev_term = i == 0 ? in->log_term : in->entries[i - 1].term;

	if (e->type < RAFT_ENTRY_NORMAL || e->type > RAFT_ENTRY_EMPTY)
		return "unknown Raft entry type";
	if (in->type == RMSG_PROPOSE) {
		/* rcore_forward: the leader numbers them. */
		if (e->index != 0 || e->term != 0 ||
		    (e->type != RAFT_ENTRY_NORMAL && e->type != RAFT_ENTRY_CONF))
			return "Raft proposal entry not a request or a membership change";
		return NULL;
	}
	if (in->type == RMSG_PROPOSE_RESP) {
		if (e->index != 0 || e->term != 0 || e->type != RAFT_ENTRY_CONF)
			return "Raft refusal entry not a membership change";
		return NULL;
	}
	/* Thesis figure 3.1: an append's entries follow prevLogIndex, and
	 * terms never decrease along a log nor pass the leader's term. */
	if (e->index != in->index + 1 + i)
		return "Raft entries not consecutive after the append's index";
	if (e->term == 0)
		return "Raft entry of term 0";
	if (e->term > in->term)
		return "Raft entry term above the message's term";
	if (e->term < prev_term)
		return "Raft entry terms decrease";
	return NULL;
}

static const char *
peer_decode_entries(const cairn_ipc_RaftMsg *in, struct peer_msg *out)
{
	size_t off = 0;
	const char *why;
	uint64_t id;
	uint8_t op;

	for (size_t i = 0; i < in->entries_count; i++) {
		const cairn_ipc_RaftEntry *e = &in->entries[i];
		struct raft_entry *d = &out->ents[i];

		if ((why = peer_check_entry(in, i, e)) != NULL ||
		    (why = peer_entry_data(e, out, &off, d)) != NULL)
			return why;
		d->term = e->term;
		d->index = e->index;
		d->type = (uint8_t)e->type;
		if (d->type == RAFT_ENTRY_EMPTY && d->len != 0)
			return "Raft no-op entry with data";
		if (d->type == RAFT_ENTRY_CONF && !conf_change_decode(d, &op, &id))
			return "malformed Raft membership change";
	}
	out->m.entries = in->entries_count > 0 ? out->ents : NULL;
	out->m.n = in->entries_count;
	return NULL;
}

/* A membership the core can take: 1..RAFT_MEMBERS_MAX distinct non-zero
 * ids, at least one of them a voter. */
static const char *
peer_decode_members(const cairn_ipc_RaftSnapshotMeta *in, struct raft_conf *conf)
{
	bool voter = false;

	if (in->members_count == 0 || in->members == NULL)
		return "Raft snapshot without members";
	if (in->members_count > RAFT_MEMBERS_MAX)
		return "Raft snapshot with too many members";
	memset(conf, 0, sizeof(*conf));
	for (pb_size_t i = 0; i < in->members_count; i++) {
		const cairn_ipc_RaftMember *m = &in->members[i];

		if (m->id == 0)
			return "Raft snapshot member with id 0";
		for (pb_size_t j = 0; j < i; j++)
			if (in->members[j].id == m->id)
				return "Raft snapshot with a duplicate member";
		voter = voter || !m->learner;
		conf->m[conf->n++] = (struct raft_member){m->id, m->learner};
	}
	return voter ? NULL : "Raft snapshot without a voter";
}

static const char *
peer_decode_snap(const cairn_ipc_RaftMsg *in, struct peer_msg *out)
{
	const cairn_ipc_RaftSnapshotMeta *s = &in->snap;
	const char *why;

	out->m.snap = NULL;
	if (!in->has_snap)
		return NULL;
	if (s->index == 0 || s->term == 0)
		return "Raft snapshot at index or term 0";
	if (s->index > RAFT_PEER_INDEX_MAX || s->term > in->term)
		return "Raft snapshot beyond the message's term or index range";
	/* rcore_update names the snapshot in index and log_term too. */
	if (s->index != in->index || s->term != in->log_term)
		return "Raft snapshot disagrees with its message";
	if ((why = peer_decode_members(s, &out->snap.meta.conf)) != NULL)
		return why;
	out->snap.meta.index = s->index;
	out->snap.meta.term = s->term;
	out->snap.ref = s->ref;
	out->m.snap = &out->snap;
	return NULL;
}

int
peer_msg_decode(const cairn_ipc_RaftMsg *in, uint64_t self, struct peer_msg *out,
    const char **why)
{
	CAIRN_ASSERT(self != 0);
	CAIRN_ASSERT(out->buf != NULL);
	if ((*why = peer_check_header(in, self)) != NULL ||
	    (*why = peer_check_fields(in)) != NULL ||
	    (*why = peer_decode_entries(in, out)) != NULL ||
	    (*why = peer_decode_snap(in, out)) != NULL)
		return CAIRN_EPROTO;
	out->m.type = (uint8_t)in->type;
	out->m.from = in->from;
	out->m.to = in->to;
	out->m.term = in->term;
	out->m.index = in->index;
	out->m.log_term = in->log_term;
	out->m.commit = in->commit;
	out->m.reject = in->reject;
	out->m.hint = in->hint;
	out->m.hint_term = in->hint_term;
	out->m.ctx = in->ctx;
	return 0;
}
