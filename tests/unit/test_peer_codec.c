/*
 * Tests: raftd/peer_codec.c, the codec of Raft peer messages between
 * raftd and netd. Every type survives encode -> pb_encode -> pb_decode ->
 * decode; each refusal is hit; and hostile bytes (random, mutated, or
 * well-formed with random fields), decoded as raftd decodes them, never
 * make a real three-member core trip an assertion or a sanitizer.
 */
#include <CUnit/CUnit.h>
#include <inttypes.h>
#include <pb_decode.h>
#include <pb_encode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "raftd/alloc_heap.h"
#include "raftd/core.h"
#include "raftd/peer_codec.h"
#include "shared/err.h"
#include "shared/raft_peer.h"
#include "tests/lib/runner.h"

#define SELF 1u
#define PEER 2u

static struct peer_msg pm;    /* what decodes land in */
static struct peer_msg pm2;   /* ... and re-decodes */
static uint8_t wire[RAFT_PEER_MSG_BYTES_MAX];
static uint8_t big[RAFT_ENTRY_BYTES_MAX]; /* a pattern for entry data */

static int
suite_init(void)
{
	peer_msg_init(&pm);
	peer_msg_init(&pm2);
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 131 + (i >> 13));
	return 0;
}

static int
suite_clean(void)
{
	peer_msg_close(&pm);
	peer_msg_close(&pm2);
	return 0;
}

/* ---- helpers -------------------------------------------------------------- */

/* m -> bytes, as raftd sends: the encoded length. */
static size_t
to_wire(const struct rmsg *m, uint8_t *buf, size_t cap)
{
	cairn_ipc_RaftMsg out;
	pb_ostream_t os = pb_ostream_from_buffer(buf, cap);
	bool ok;

	CU_ASSERT_EQUAL_FATAL(peer_msg_encode(m, &out), 0);
	ok = pb_encode(&os, cairn_ipc_RaftMsg_fields, &out);
	pb_release(cairn_ipc_RaftMsg_fields, &out);
	CU_ASSERT_FATAL(ok);
	return os.bytes_written;
}

/* bytes -> *in -> *out, as raftd receives: 0, -1 when nanopb refuses
 * (nothing to release), or the codec's answer (release *in). */
static int
from_wire(const uint8_t *buf, size_t len, cairn_ipc_RaftMsg *in, uint64_t self,
    struct peer_msg *out, const char **why)
{
	pb_istream_t is = pb_istream_from_buffer(buf, len);

	*in = (cairn_ipc_RaftMsg)cairn_ipc_RaftMsg_init_zero;
	if (!pb_decode(&is, cairn_ipc_RaftMsg_fields, in)) {
		*why = PB_GET_ERROR(&is);
		return -1;
	}
	return peer_msg_decode(in, self, out, why);
}

static bool
same_entries(const struct rmsg *a, const struct rmsg *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++) {
		const struct raft_entry *x = &a->entries[i], *y = &b->entries[i];

		if (x->term != y->term || x->index != y->index || x->type != y->type ||
		    x->len != y->len || (x->len > 0 && memcmp(x->data, y->data, x->len) != 0))
			return false;
	}
	return true;
}

static bool
same_snap(const struct rcore_snapshot *a, const struct rcore_snapshot *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	if (a->meta.index != b->meta.index || a->meta.term != b->meta.term ||
	    a->ref != b->ref || a->meta.conf.n != b->meta.conf.n)
		return false;
	for (uint32_t i = 0; i < a->meta.conf.n; i++)
		if (a->meta.conf.m[i].id != b->meta.conf.m[i].id ||
		    a->meta.conf.m[i].learner != b->meta.conf.m[i].learner)
			return false;
	return true;
}

/* Every field, every entry byte, the snapshot. */
static bool
same_msg(const struct rmsg *a, const struct rmsg *b)
{
	return a->type == b->type && a->from == b->from && a->to == b->to &&
	    a->term == b->term && a->index == b->index && a->log_term == b->log_term &&
	    a->commit == b->commit && a->reject == b->reject && a->hint == b->hint &&
	    a->hint_term == b->hint_term && a->ctx == b->ctx && same_entries(a, b) &&
	    same_snap(a->snap, b->snap);
}

/* ---- valid messages of every type ------------------------------------------ */

static struct raft_entry ents[RAFT_PEER_ENTRIES_MAX];
static struct rcore_snapshot snap;
static uint8_t conf_add[RAFT_CONF_FIXED_BYTES + 5] = {RAFT_CONF_ADD, 4, 0, 0, 0, 0, 0, 0, 0,
    'u', 'r', 'l', 's', '!'};

/* What an honest member 2 sends member 1, by type. */
static void
valid_msg(unsigned type, struct rmsg *m)
{
	*m = (struct rmsg){.type = (uint8_t)type, .from = PEER, .to = SELF, .term = 7};
	switch (type) {
	case RMSG_VOTE:
	case RMSG_PREVOTE:
		m->index = 41;
		m->log_term = 6;
		break;
	case RMSG_APPEND:
		m->index = 40;
		m->log_term = 6;
		m->commit = 43;
		ents[0] = (struct raft_entry){6, 41, RAFT_ENTRY_NORMAL, 5, (const uint8_t *)"hello"};
		ents[1] = (struct raft_entry){7, 42, RAFT_ENTRY_EMPTY, 0, NULL};
		ents[2] = (struct raft_entry){7, 43, RAFT_ENTRY_CONF, sizeof(conf_add), conf_add};
		/* Several chunks: gathered on decode. */
		ents[3] = (struct raft_entry){7, 44, RAFT_ENTRY_NORMAL, 3 * RAFT_PEER_CHUNK_BYTES + 17, big};
		ents[4] = (struct raft_entry){7, 45, RAFT_ENTRY_NORMAL, RAFT_PEER_CHUNK_BYTES, big + 9};
		m->entries = ents;
		m->n = 5;
		break;
	case RMSG_APPEND_RESP:
		m->index = 40;
		m->reject = true;
		m->hint = 38;
		m->hint_term = 5;
		break;
	case RMSG_HEARTBEAT:
	case RMSG_HEARTBEAT_RESP:
		m->commit = type == RMSG_HEARTBEAT ? 39 : 0;
		m->ctx = 12;
		break;
	case RMSG_SNAPSHOT:
		snap = (struct rcore_snapshot){.meta = {.index = 90, .term = 6,
		    .conf = {3, {{1, false}, {2, false}, {5, true}}}}, .ref = 0xfeedfaceULL};
		m->snap = &snap;
		m->index = 90;
		m->log_term = 6;
		break;
	case RMSG_PROPOSE:
		ents[0] = (struct raft_entry){0, 0, RAFT_ENTRY_NORMAL, 70000, big + 3};
		m->entries = ents;
		m->n = 1;
		break;
	case RMSG_PROPOSE_RESP:
		ents[0] = (struct raft_entry){0, 0, RAFT_ENTRY_CONF, sizeof(conf_add), conf_add};
		m->entries = ents;
		m->n = 1;
		m->reject = true;
		m->hint = CAIRN_ELEARNERNOTREADY;
		break;
	case RMSG_READ_INDEX:
	case RMSG_READ_INDEX_RESP:
		m->ctx = 0x1234567890abcdefULL;
		m->index = type == RMSG_READ_INDEX_RESP ? 39 : 0;
		m->reject = type == RMSG_READ_INDEX_RESP;
		break;
	default:
		break;
	}
}

static void
test_roundtrip_every_type(void)
{
	for (unsigned type = RMSG_VOTE; type <= RMSG_TYPE_LAST; type++) {
		struct rmsg m;
		cairn_ipc_RaftMsg in;
		const char *why = "unset";
		size_t len;
		int rc;

		valid_msg(type, &m);
		len = to_wire(&m, wire, sizeof(wire));
		rc = from_wire(wire, len, &in, SELF, &pm, &why);
		if (rc != 0)
			printf("# type %u refused: %s\n", type, why);
		CU_ASSERT_EQUAL(rc, 0);
		CU_ASSERT_PTR_NULL(why);
		if (rc == 0)
			CU_ASSERT(same_msg(&m, &pm.m));
		pb_release(cairn_ipc_RaftMsg_fields, &in);
	}
}

/* The largest messages: one entry of RAFT_ENTRY_BYTES_MAX, and 64
 * entries of RAFT_PEER_DATA_BYTES_MAX in all; both within the route's
 * bound, and back byte for byte. */
static void
test_roundtrip_largest(void)
{
	for (int shape = 0; shape < 2; shape++) {
		struct rmsg m = {.type = RMSG_APPEND, .from = PEER, .to = SELF, .term = 3,
		    .index = 9, .log_term = 3, .entries = ents};
		cairn_ipc_RaftMsg in;
		const char *why;
		size_t len, off = 0;

		m.n = shape == 0 ? 1 : RAFT_PEER_ENTRIES_MAX;
		for (size_t i = 0; i < m.n; i++) {
			uint32_t l = shape == 0 ? RAFT_ENTRY_BYTES_MAX :
			    RAFT_PEER_DATA_BYTES_MAX / RAFT_PEER_ENTRIES_MAX + (i % 2 ? 777 : -777);

			ents[i] = (struct raft_entry){3, 10 + i, RAFT_ENTRY_NORMAL, l, big + off};
			off += l;
		}
		CU_ASSERT_EQUAL(off, RAFT_PEER_DATA_BYTES_MAX);
		len = to_wire(&m, wire, sizeof(wire));
		CU_ASSERT(len <= RAFT_PEER_MSG_BYTES_MAX);
		CU_ASSERT_EQUAL_FATAL(from_wire(wire, len, &in, SELF, &pm, &why), 0);
		CU_ASSERT(same_msg(&m, &pm.m));
		pb_release(cairn_ipc_RaftMsg_fields, &in);
	}
}

/* shared/raft_peer.h's count, checked by encoding the worst case: every
 * varint at its widest, the most chunks, and a snapshot besides. */
static void
test_worst_case_fits_bound(void)
{
	struct rmsg m = {.type = RMSG_APPEND, .from = UINT64_MAX, .to = UINT64_MAX,
	    .term = UINT64_MAX, .index = UINT64_MAX, .log_term = UINT64_MAX,
	    .commit = UINT64_MAX, .reject = true, .hint = UINT64_MAX,
	    .hint_term = UINT64_MAX, .ctx = UINT64_MAX, .entries = ents,
	    .n = RAFT_PEER_ENTRIES_MAX};
	cairn_ipc_RaftMsg out;
	cairn_ipc_RaftMember members[RAFT_PEER_MEMBERS_MAX];
	size_t size, off = 0;

	/* 63 entries of a chunk and one byte (two chunks each), the rest in
	 * the last: 127 chunks. */
	for (size_t i = 0; i < m.n; i++) {
		uint32_t l = i + 1 < m.n ? RAFT_PEER_CHUNK_BYTES + 1 :
		    (uint32_t)(RAFT_PEER_DATA_BYTES_MAX - off);

		ents[i] = (struct raft_entry){UINT64_MAX, UINT64_MAX, UINT8_MAX, l, big};
		off += l;
	}
	CU_ASSERT_EQUAL_FATAL(peer_msg_encode(&m, &out), 0);
	for (size_t i = 0; i < RAFT_PEER_MEMBERS_MAX; i++)
		members[i] = (cairn_ipc_RaftMember){UINT64_MAX, true};
	out.type = UINT32_MAX;
	out.has_snap = true;
	out.snap = (cairn_ipc_RaftSnapshotMeta){UINT64_MAX, UINT64_MAX,
	    RAFT_PEER_MEMBERS_MAX, members, UINT64_MAX};
	CU_ASSERT_FATAL(pb_get_encoded_size(&size, cairn_ipc_RaftMsg_fields, &out));
	printf("# worst case: %zu bytes of %u (overhead %zu of %u)\n", size,
	    RAFT_PEER_MSG_BYTES_MAX, size - RAFT_PEER_DATA_BYTES_MAX,
	    RAFT_PEER_MSG_OVERHEAD_BYTES);
	CU_ASSERT(size <= RAFT_PEER_MSG_BYTES_MAX);
	CU_ASSERT(size - RAFT_PEER_DATA_BYTES_MAX <= RAFT_PEER_WIRE_MSG_OVERHEAD);
	out.has_snap = false;
	out.snap = (cairn_ipc_RaftSnapshotMeta)cairn_ipc_RaftSnapshotMeta_init_zero;
	pb_release(cairn_ipc_RaftMsg_fields, &out);
}

static void
test_encode_refuses_too_big(void)
{
	struct rmsg m;
	cairn_ipc_RaftMsg out;

	valid_msg(RMSG_APPEND, &m);
	for (size_t i = 0; i <= RAFT_PEER_ENTRIES_MAX; i++)
		ents[i % RAFT_PEER_ENTRIES_MAX] = (struct raft_entry){7, 41 + i, RAFT_ENTRY_NORMAL, 1, big};
	m.n = RAFT_PEER_ENTRIES_MAX + 1;
	CU_ASSERT_EQUAL(peer_msg_encode(&m, &out), CAIRN_ETOOBIG);
	CU_ASSERT_PTR_NULL(out.entries);
	CU_ASSERT_EQUAL(out.entries_count, 0);
	/* One entry too long. */
	m.n = 1;
	ents[0].len = RAFT_ENTRY_BYTES_MAX + 1;
	CU_ASSERT_EQUAL(peer_msg_encode(&m, &out), CAIRN_ETOOBIG);
	/* Entries each legal, too long together. */
	m.n = 2;
	ents[0].len = RAFT_ENTRY_BYTES_MAX;
	ents[1].len = 1;
	CU_ASSERT_EQUAL(peer_msg_encode(&m, &out), CAIRN_ETOOBIG);
	CU_ASSERT_PTR_NULL(out.entries);
	pb_release(cairn_ipc_RaftMsg_fields, &out); /* empty: a no-op */
	ents[1].len = 0;
	CU_ASSERT_EQUAL(peer_msg_encode(&m, &out), 0);
	pb_release(cairn_ipc_RaftMsg_fields, &out);
}

/* Why data is chunked: nanopb (16-bit pb_size_t) refuses one bytes field
 * over 65535 bytes; and nanopb ignores max_count for pointer arrays, so
 * the codec must count (here 65 entries arrive through the wire). */
static void
test_nanopb_limits_the_codec_relies_on(void)
{
	/* RaftEntry{data: 70000 bytes} inside RaftMsg.entries, by hand. */
	uint8_t *p = wire;
	cairn_ipc_RaftMsg in = cairn_ipc_RaftMsg_init_zero;
	pb_istream_t is;
	const char *why;

	*p++ = 0x62;                      /* entries, length-delimited */
	*p++ = 0xf4, *p++ = 0xa2, *p++ = 0x04; /* 70,004 */
	*p++ = 0x22;                      /* data */
	*p++ = 0xf0, *p++ = 0xa2, *p++ = 0x04; /* 70,000 */
	memset(p, 'x', 70000);
	p += 70000;
	*p++ = 0x08, *p++ = 0x01, *p++ = 0x10, *p++ = 0x01, *p++ = 0x18, *p++ = 0x01;
	is = pb_istream_from_buffer(wire, (size_t)(p - wire));
	CU_ASSERT_FALSE(pb_decode(&is, cairn_ipc_RaftMsg_fields, &in));
	CU_ASSERT_STRING_EQUAL(PB_GET_ERROR(&is), "bytes overflow");

	/* 65 entries decode in nanopb; the codec refuses them. */
	p = wire;
	for (int i = 0; i < RAFT_PEER_ENTRIES_MAX + 1; i++)
		*p++ = 0x62, *p++ = 0x00;
	*p++ = 0x08, *p++ = RMSG_APPEND, *p++ = 0x10, *p++ = PEER, *p++ = 0x18, *p++ = SELF;
	*p++ = 0x20, *p++ = 0x01;
	is = pb_istream_from_buffer(wire, (size_t)(p - wire));
	CU_ASSERT_FATAL(pb_decode(&is, cairn_ipc_RaftMsg_fields, &in));
	CU_ASSERT_EQUAL(in.entries_count, RAFT_PEER_ENTRIES_MAX + 1);
	CU_ASSERT_EQUAL(peer_msg_decode(&in, SELF, &pm, &why), CAIRN_EPROTO);
	CU_ASSERT_STRING_EQUAL(why, "too many Raft entries");
	pb_release(cairn_ipc_RaftMsg_fields, &in);
}

/* ---- refusals ------------------------------------------------------------ */

/* Hand-built messages in static storage, mutated one fault at a time. */
/* Laid out as nanopb's PB_BYTES_ARRAY_T (size, then the bytes). */
struct chunk {
	pb_size_t size;
	pb_byte_t bytes[RAFT_PEER_CHUNK_BYTES + 1];
};
static struct chunk chunk_full, chunk_small, chunk_empty, chunk_over, chunk_conf;
static pb_bytes_array_t *chunks[2 * RAFT_PEER_ENTRY_CHUNKS_MAX + 1];
static pb_bytes_array_t *one_small[1], *one_conf[1];
static cairn_ipc_RaftEntry in_ents[RAFT_PEER_ENTRIES_MAX + 1];
static cairn_ipc_RaftMember in_members[RAFT_PEER_MEMBERS_MAX + 1];

#define B(c) ((pb_bytes_array_t *)(void *)&(c))

static void
chunks_init(void)
{
	chunk_full.size = RAFT_PEER_CHUNK_BYTES;
	chunk_small.size = 10;
	chunk_empty.size = 0;
	chunk_over.size = RAFT_PEER_CHUNK_BYTES + 1;
	chunk_conf.size = RAFT_CONF_FIXED_BYTES;
	memcpy(chunk_conf.bytes, conf_add, RAFT_CONF_FIXED_BYTES);
	one_small[0] = B(chunk_small);
	one_conf[0] = B(chunk_conf);
	for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++)
		chunks[i] = B(chunk_full);
}

static void
base_vote(cairn_ipc_RaftMsg *in)
{
	*in = (cairn_ipc_RaftMsg){.type = RMSG_VOTE, .from = PEER, .to = SELF, .term = 5,
	    .index = 10, .log_term = 4};
}

/* Append after 10 (term 4) in term 5: 11 (term 4, data), 12 (term 5,
 * a membership change), 13 (term 5, no-op). */
static void
base_append(cairn_ipc_RaftMsg *in)
{
	chunks_init();
	memset(in_ents, 0, sizeof(in_ents));
	in_ents[0] = (cairn_ipc_RaftEntry){4, 11, RAFT_ENTRY_NORMAL, 1, one_small};
	in_ents[1] = (cairn_ipc_RaftEntry){5, 12, RAFT_ENTRY_CONF, 1, one_conf};
	in_ents[2] = (cairn_ipc_RaftEntry){5, 13, RAFT_ENTRY_EMPTY, 0, NULL};
	*in = (cairn_ipc_RaftMsg){.type = RMSG_APPEND, .from = PEER, .to = SELF, .term = 5,
	    .index = 10, .log_term = 4, .commit = 12, .entries_count = 3, .entries = in_ents};
}

static void
base_propose(cairn_ipc_RaftMsg *in)
{
	chunks_init();
	memset(in_ents, 0, sizeof(in_ents));
	in_ents[0] = (cairn_ipc_RaftEntry){0, 0, RAFT_ENTRY_NORMAL, 1, one_small};
	*in = (cairn_ipc_RaftMsg){.type = RMSG_PROPOSE, .from = PEER, .to = SELF, .term = 5,
	    .entries_count = 1, .entries = in_ents};
}

/* A follower forwards a membership change as it forwards a request. */
static void
base_propose_conf(cairn_ipc_RaftMsg *in)
{
	base_propose(in);
	in_ents[0] = (cairn_ipc_RaftEntry){0, 0, RAFT_ENTRY_CONF, 1, one_conf};
}

/* The leader refuses a forwarded change: the entry back, and why. */
static void
base_propose_resp(cairn_ipc_RaftMsg *in)
{
	base_propose_conf(in);
	in->type = RMSG_PROPOSE_RESP;
	in->reject = true;
	in->hint = CAIRN_ECONFPENDING;
}

static void
base_snapshot(cairn_ipc_RaftMsg *in)
{
	in_members[0] = (cairn_ipc_RaftMember){1, false};
	in_members[1] = (cairn_ipc_RaftMember){2, false};
	in_members[2] = (cairn_ipc_RaftMember){3, true};
	*in = (cairn_ipc_RaftMsg){.type = RMSG_SNAPSHOT, .from = PEER, .to = SELF, .term = 5,
	    .index = 30, .log_term = 4, .has_snap = true,
	    .snap = {.index = 30, .term = 4, .members_count = 3, .members = in_members, .ref = 7}};
}

static unsigned refusals_checked;

static void
expect_refused(const cairn_ipc_RaftMsg *in, const char *reason, int line)
{
	const char *why = NULL;
	int rc = peer_msg_decode(in, SELF, &pm, &why);

	refusals_checked++;
	CU_ASSERT_EQUAL(rc, CAIRN_EPROTO);
	CU_ASSERT(why != NULL && strcmp(why, reason) == 0);
	if (rc != CAIRN_EPROTO || why == NULL || strcmp(why, reason) != 0)
		printf("# line %d: expected \"%s\", got rc %d \"%s\"\n", line, reason, rc,
		    why ? why : "(none)");
}

/* base(&m); then the fault (statements, with 'in' pointing at m); then
 * refused for 'reason'. ACCEPTED: a control, not refused. */
#define REFUSED(base, reason, ...)                                        \
	do {                                                              \
		cairn_ipc_RaftMsg m_;                                     \
		cairn_ipc_RaftMsg *in = &m_;                              \
		base(in);                                                 \
		__VA_ARGS__;                                              \
		expect_refused(in, reason, __LINE__);                     \
	} while (0)
#define ACCEPTED(base, ...)                                               \
	do {                                                              \
		cairn_ipc_RaftMsg m_;                                     \
		cairn_ipc_RaftMsg *in = &m_;                              \
		const char *why_ = "unset";                               \
		base(in);                                                 \
		__VA_ARGS__;                                              \
		CU_ASSERT_EQUAL(peer_msg_decode(in, SELF, &pm, &why_), 0); \
		CU_ASSERT_PTR_NULL(why_);                                 \
	} while (0)

static void
expect_accepted(void (*base)(cairn_ipc_RaftMsg *))
{
	cairn_ipc_RaftMsg in;
	const char *why = "unset";

	base(&in);
	CU_ASSERT_EQUAL(peer_msg_decode(&in, SELF, &pm, &why), 0);
	CU_ASSERT_PTR_NULL(why);
}

static void
test_refuses_bad_header(void)
{
	expect_accepted(base_vote);
	REFUSED(base_vote, "unknown Raft message type",
	    in->type = 0);
	REFUSED(base_vote, "unknown Raft message type",
	    in->type = RMSG_TYPE_LAST + 1);
	REFUSED(base_vote, "unknown Raft message type",
	    in->type = 256 + RMSG_VOTE);
	REFUSED(base_vote, "unknown Raft message type",
	    in->type = UINT32_MAX);
	REFUSED(base_vote, "Raft message for another member",
	    in->to = 3);
	REFUSED(base_vote, "Raft message for another member",
	    in->to = 0);
	REFUSED(base_vote, "Raft message from member 0",
	    in->from = 0);
	REFUSED(base_vote, "Raft message from this member",
	    in->from = SELF);
	REFUSED(base_vote, "Raft term out of range",
	    in->term = RAFT_PEER_TERM_MAX + 1);
	REFUSED(base_vote, "Raft term out of range",
	    in->log_term = UINT64_MAX);
	REFUSED(base_vote, "Raft term out of range",
	    in->hint_term = UINT64_MAX);
	REFUSED(base_vote, "Raft index out of range",
	    in->index = RAFT_PEER_INDEX_MAX + 1);
	REFUSED(base_vote, "Raft index out of range",
	    in->commit = UINT64_MAX);
	REFUSED(base_vote, "Raft index out of range",
	    in->hint = UINT64_MAX);
	REFUSED(base_vote, "Raft message of term 0",
	    in->term = 0; in->log_term = 0);
	REFUSED(base_vote, "Raft message of term 0",
	    in->type = RMSG_TIMEOUT_NOW; in->term = 0);
	REFUSED(base_vote, "Raft log term above the message's term",
	    in->log_term = 6);
	REFUSED(base_vote, "Raft log term at index 0",
	    in->index = 0);
	REFUSED(base_append, "Raft commit beyond the entries sent",
	    in->commit = 14);
	REFUSED(base_append, "Raft index out of range",
	    in->index = RAFT_PEER_INDEX_MAX - 1; in->commit = 0);
	REFUSED(base_vote, "Raft snapshot on a message that carries none",
	    in->has_snap = true);
	REFUSED(base_snapshot, "Raft snapshot message without a snapshot",
	    in->has_snap = false);
}

static void
test_refuses_bad_entries(void)
{
	expect_accepted(base_append);
	expect_accepted(base_propose);
	expect_accepted(base_propose_conf);
	expect_accepted(base_propose_resp);
	REFUSED(base_append, "too many Raft entries",
	    in->entries_count = RAFT_PEER_ENTRIES_MAX + 1);
	REFUSED(base_append, "Raft entries on a message that carries none",
	    in->type = RMSG_HEARTBEAT);
	REFUSED(base_append, "Raft entries on a message that carries none",
	    in->type = RMSG_SNAPSHOT; in->has_snap = true);
	REFUSED(base_append, "Raft entries missing",
	    in->entries = NULL);
	REFUSED(base_propose, "Raft proposal without entries",
	    in->entries_count = 0);
	REFUSED(base_append, "Raft entries not consecutive after the append's index",
	    in_ents[1].index = 13; in_ents[2].index = 14);
	REFUSED(base_append, "Raft entries not consecutive after the append's index",
	    in_ents[0].index = 10);
	REFUSED(base_append, "Raft entries not consecutive after the append's index",
	    in_ents[2].index = 12);
	REFUSED(base_append, "Raft entries not consecutive after the append's index",
	    in_ents[0].index = 12; in_ents[1].index = 13; in_ents[2].index = 14);
	REFUSED(base_append, "unknown Raft entry type",
	    in_ents[1].type = 0);
	REFUSED(base_append, "unknown Raft entry type",
	    in_ents[1].type = RAFT_ENTRY_EMPTY + 1);
	REFUSED(base_append, "unknown Raft entry type",
	    in_ents[1].type = 256 + RAFT_ENTRY_NORMAL);
	REFUSED(base_append, "Raft entry term above the message's term",
	    in_ents[2].term = 6);
	REFUSED(base_append, "Raft entry terms decrease",
	    in->log_term = 5);
	REFUSED(base_append, "Raft entry terms decrease",
	    in_ents[2].term = 4);
	REFUSED(base_append, "Raft entry of term 0",
	    in->index = 0; in->log_term = 0; in->commit = 0;
	    in_ents[0] = (cairn_ipc_RaftEntry){0, 1, RAFT_ENTRY_EMPTY, 0, NULL};
	    in->entries_count = 1);
	REFUSED(base_propose, "Raft proposal entry not a request or a membership change",
	    in_ents[0].index = 1);
	REFUSED(base_propose, "Raft proposal entry not a request or a membership change",
	    in_ents[0].term = 5);
	REFUSED(base_propose, "Raft proposal entry not a request or a membership change",
	    in_ents[0].type = RAFT_ENTRY_EMPTY);
	/* A forwarded membership change must be well-formed too. */
	REFUSED(base_propose, "malformed Raft membership change",
	    in_ents[0].type = RAFT_ENTRY_CONF);
	REFUSED(base_propose, "unknown Raft entry type",
	    in_ents[0].type = 9);
	REFUSED(base_append, "Raft no-op entry with data",
	    in_ents[2].data_count = 1; in_ents[2].data = one_small);
	REFUSED(base_append, "malformed Raft membership change",
	    chunk_conf.size = RAFT_CONF_FIXED_BYTES - 1);
	REFUSED(base_append, "malformed Raft membership change",
	    chunk_conf.bytes[0] = 0);
	REFUSED(base_propose_conf, "malformed Raft membership change",
	    chunk_conf.bytes[0] = 0);
	REFUSED(base_propose_resp, "malformed Raft membership change",
	    chunk_conf.bytes[0] = 0);
	REFUSED(base_propose_resp, "Raft refusal entry not a membership change",
	    in_ents[0].type = RAFT_ENTRY_NORMAL);
	REFUSED(base_propose_resp, "Raft refusal entry not a membership change",
	    in_ents[0].index = 3);
	REFUSED(base_propose_resp, "Raft refusal not of one change with a reason",
	    in->reject = false);
	REFUSED(base_propose_resp, "Raft refusal not of one change with a reason",
	    in->hint = 0);
	REFUSED(base_propose_resp, "Raft refusal not of one change with a reason",
	    in->hint = CAIRN_ERR_LAST_);
	REFUSED(base_propose_resp, "Raft refusal not of one change with a reason",
	    in->entries_count = 2; in_ents[1] = in_ents[0]);
	REFUSED(base_append, "malformed Raft membership change",
	    chunk_conf.bytes[0] = RAFT_CONF_PROMOTE + 1);
	REFUSED(base_append, "malformed Raft membership change",
	    memset(chunk_conf.bytes + 1, 0, 8));
	REFUSED(base_append, "malformed Raft membership change",
	    in_ents[1].data_count = 0; in_ents[1].data = NULL);
}

static void
test_refuses_bad_data(void)
{
	/* 64 full chunks: the largest entry, alone, accepted. */
	ACCEPTED(base_append, in_ents[0].data_count = RAFT_PEER_ENTRY_CHUNKS_MAX;
	    in_ents[0].data = chunks; in->entries_count = 1; in->commit = 11);
	REFUSED(base_append, "data longer than allowed",
	    in_ents[0].data_count = RAFT_PEER_ENTRY_CHUNKS_MAX + 1;
	    in_ents[0].data = chunks);
	REFUSED(base_append, "data missing",
	    in_ents[0].data = NULL);
	REFUSED(base_append, "data in malformed chunks",
	    one_small[0] = NULL);
	REFUSED(base_append, "data in malformed chunks",
	    one_small[0] = B(chunk_empty));
	REFUSED(base_append, "data in malformed chunks",
	    one_small[0] = B(chunk_over));
	/* A short chunk before the last. */
	REFUSED(base_append, "data in malformed chunks",
	    chunks[0] = B(chunk_small); in_ents[0].data_count = 2;
	    in_ents[0].data = chunks);
	/* Two entries of 2 MiB each: each legal, too much together. */
	REFUSED(base_append, "Raft entries longer than a message may hold",
	    in_ents[0].data_count = RAFT_PEER_ENTRY_CHUNKS_MAX;
	    in_ents[0].data = chunks; in_ents[1].type = RAFT_ENTRY_NORMAL;
	    in_ents[1].data_count = RAFT_PEER_ENTRY_CHUNKS_MAX;
	    in_ents[1].data = chunks + RAFT_PEER_ENTRY_CHUNKS_MAX);
}

static void
test_refuses_bad_snapshot(void)
{
	expect_accepted(base_snapshot);
	REFUSED(base_snapshot, "Raft snapshot at index or term 0",
	    in->snap.index = 0; in->index = 0; in->log_term = 0);
	REFUSED(base_snapshot, "Raft snapshot at index or term 0",
	    in->snap.term = 0; in->log_term = 0);
	REFUSED(base_snapshot, "Raft snapshot beyond the message's term or index range",
	    in->snap.index = RAFT_PEER_INDEX_MAX + 1);
	REFUSED(base_snapshot, "Raft snapshot beyond the message's term or index range",
	    in->snap.term = 6; in->log_term = 5);
	REFUSED(base_snapshot, "Raft snapshot disagrees with its message",
	    in->index = 31);
	REFUSED(base_snapshot, "Raft snapshot disagrees with its message",
	    in->log_term = 3);
	REFUSED(base_snapshot, "Raft snapshot without members",
	    in->snap.members_count = 0);
	REFUSED(base_snapshot, "Raft snapshot without members",
	    in->snap.members = NULL);
	REFUSED(base_snapshot, "Raft snapshot with too many members",
	    in->snap.members_count = RAFT_MEMBERS_MAX + 1;
	    for (int i = 0; i <= RAFT_MEMBERS_MAX; i++) in_members[i] = (cairn_ipc_RaftMember){i + 1, false});
	REFUSED(base_snapshot, "Raft snapshot member with id 0",
	    in_members[1].id = 0);
	REFUSED(base_snapshot, "Raft snapshot with a duplicate member",
	    in_members[2].id = 1);
	REFUSED(base_snapshot, "Raft snapshot without a voter",
	    in_members[0].learner = true; in_members[1].learner = true);
	printf("# %u refusals checked\n", refusals_checked);
}

/* ---- hostile input against a real core --------------------------------------- */

#define FUZZ_ITERS 200000u
#define FUZZ_RESET_EVERY 2000u
#define CORPUS_MAX 64
#define SMALL_CAP 4096

static struct rcore core;
static bool core_open;
static uint64_t rng;
static unsigned long sent_checked, sent_refused, sent_beyond;

static struct {
	uint8_t bytes[SMALL_CAP];
	size_t len;
} corpus[CORPUS_MAX];
static size_t ncorpus;

static uint64_t
rnd(uint64_t n)
{
	return n ? runner_rand(&rng) % n : 0;
}

/* Whether m names a term or index beyond shared/raft_peer.h's bounds. */
static bool
sent_beyond_bounds(const struct rmsg *m)
{
	return m->term > RAFT_PEER_TERM_MAX || m->log_term > RAFT_PEER_TERM_MAX ||
	    m->hint_term > RAFT_PEER_TERM_MAX || m->index > RAFT_PEER_INDEX_MAX - m->n ||
	    m->commit > RAFT_PEER_INDEX_MAX || m->hint > RAFT_PEER_INDEX_MAX;
}

/* Every message the core sends must pass its receiver's decoder, unless
 * hostile input pushed the core's term or log beyond the bounds (a few
 * below them, then a few elections or appends): its peers then refuse
 * it. A hostile netd can cut its member off that way, never crash it. */
static void
check_sent(const struct rmsg *m)
{
	static uint8_t buf[RAFT_PEER_MSG_BYTES_MAX];
	cairn_ipc_RaftMsg in;
	const char *why = "sent to member 0";
	size_t len;
	int rc;

	if (sent_beyond_bounds(m)) {
		sent_beyond++;
		return;
	}
	len = to_wire(m, buf, sizeof(buf));
	rc = m->to == 0 ? -1 : from_wire(buf, len, &in, m->to, &pm2, &why);
	sent_checked++;
	if (rc == 0 && !same_msg(m, &pm2.m)) {
		rc = -2;
		why = "changed on the way";
	}
	if (rc != 0 && sent_refused++ < 5)
		printf("# the core sent type %u to %" PRIu64 " that its peer refuses: %s\n",
		    m->type, m->to, why);
	if (rc != -1)
		pb_release(cairn_ipc_RaftMsg_fields, &in);
}

/* Persists (nothing), sends (checks) and applies the core's updates. */
static void
core_flush(bool check)
{
	while (rcore_has_update(&core)) {
		struct rcore_update u;

		rcore_update(&core, &u);
		for (size_t i = 0; i < u.nmsgs && check; i++)
			check_sent(&u.msgs[i]);
		rcore_advance(&core, &u);
	}
}

/* Steps m straight in (a peer's honest message). */
static void
core_grant(unsigned type, uint64_t from, uint64_t term)
{
	struct rmsg m = {.type = (uint8_t)type, .from = from, .to = SELF, .term = term};

	rcore_step(&core, &m);
	core_flush(true);
}

static void
core_make_leader(void)
{
	for (int i = 0; i < 100 && core.role == RCORE_FOLLOWER; i++) {
		rcore_tick(&core);
		core_flush(true);
	}
	if (core.role == RCORE_PRECANDIDATE)
		core_grant(RMSG_PREVOTE_RESP, PEER, core.hs.term + 1);
	if (core.role == RCORE_CANDIDATE)
		core_grant(RMSG_VOTE_RESP, PEER, core.hs.term);
	for (int i = 0; i < 3 && core.role == RCORE_LEADER; i++) {
		(void)rcore_propose(&core, big, (uint32_t)rnd(100));
		core_flush(true);
	}
}

/* A three-voter core (sometimes with learner 4) as member 1: fresh, with
 * a log, or after a snapshot; half the time made leader. */
static void
core_begin(void)
{
	static struct raft_entry log[8];
	struct rcore_config cfg = {.id = SELF, .election_ticks = 10, .heartbeat_ticks = 1,
	    .seed = runner_rand(&rng), .check_quorum = rnd(2), .pre_vote = rnd(2),
	    .max_inflight = (unsigned)rnd(4), .catchup_entries = 1 + rnd(4),
	    .alloc = alloc_heap};
	struct rcore_start s = {.snap.meta.conf = {3, {{1, false}, {2, false}, {3, false}}}};
	static const uint64_t terms[8] = {1, 1, 2, 2, 3, 3, 3, 3};

	if (core_open)
		rcore_close(&core);
	if (rnd(4) == 0)
		s.snap.meta.conf.m[s.snap.meta.conf.n++] = (struct raft_member){4, true};
	switch (rnd(3)) {
	case 1:
		for (int i = 0; i < 8; i++)
			log[i] = (struct raft_entry){terms[i], (uint64_t)i + 1, RAFT_ENTRY_NORMAL, 4, big};
		s.hs = (struct raft_hardstate){3, 0, 5};
		s.ents = log;
		s.n = 8;
		s.applied = 5;
		break;
	case 2:
		s.snap.meta.index = 20;
		s.snap.meta.term = 4;
		for (int i = 0; i < 4; i++)
			log[i] = (struct raft_entry){4 + (i >= 2), 21 + (uint64_t)i, RAFT_ENTRY_NORMAL, 0, NULL};
		s.hs = (struct raft_hardstate){5, 2, 22};
		s.ents = log;
		s.n = 4;
		s.applied = 20;
		break;
	default:
		break;
	}
	CU_ASSERT_EQUAL_FATAL(rcore_init(&core, &cfg, &s), 0);
	core_open = true;
	if (rnd(2))
		core_make_leader();
}

static uint64_t
pick_term(void)
{
	uint64_t t = core.hs.term;
	const uint64_t c[] = {0, t ? t - 1 : 0, t, t, t, t, t + 1, t + 2, rnd(12)};
	const uint64_t far[] = {RAFT_PEER_TERM_MAX, RAFT_PEER_TERM_MAX + 1, UINT64_MAX};

	if (rnd(64) == 0)
		return far[rnd(3)];
	return c[rnd(sizeof(c) / sizeof(c[0]))];
}

static uint64_t
pick_index(void)
{
	uint64_t last = core.log.first + core.log.len - 1, commit = core.hs.commit;
	const uint64_t c[] = {0, commit, commit, last, last, last + 1, last ? last - 1 : 0,
	    rnd(last + 4), core.log.first - 1};
	const uint64_t far[] = {RAFT_PEER_INDEX_MAX - 1, RAFT_PEER_INDEX_MAX,
	    RAFT_PEER_INDEX_MAX + 1, UINT64_MAX};

	if (rnd(64) == 0)
		return far[rnd(4)];
	return c[rnd(sizeof(c) / sizeof(c[0]))];
}

/* The term our log holds at index, mostly (so appends match). */
static uint64_t
pick_log_term(uint64_t index)
{
	if (index + 1 >= core.log.first && index < core.log.first + core.log.len && rnd(8) != 0)
		return index + 1 == core.log.first ? core.log.prev_term :
		    core.log.ents[index - core.log.first].term;
	return rnd(2) ? pick_term() : rnd(core.hs.term + 2);
}

static uint64_t
pick_id(void)
{
	const uint64_t c[] = {PEER, PEER, PEER, 3, 3, 4, 5, SELF, 0, UINT64_MAX};

	return c[rnd(sizeof(c) / sizeof(c[0]))];
}

/* Storage of generated messages (pb_encode reads it). */
static cairn_ipc_RaftEntry g_ents[RAFT_PEER_ENTRIES_MAX + 2];
static pb_bytes_array_t *g_data[RAFT_PEER_ENTRIES_MAX + 2][3];
static struct chunk g_chunks[RAFT_PEER_ENTRIES_MAX + 2][3];
static cairn_ipc_RaftMember g_members[RAFT_PEER_MEMBERS_MAX + 2];

/* Data for generated entry i: mostly short; sometimes a membership
 * change; rarely over a chunk. */
static void
gen_data(size_t i, cairn_ipc_RaftEntry *e)
{
	uint32_t len = rnd(4) == 0 ? 0 : (uint32_t)rnd(40);

	if (e->type == RAFT_ENTRY_EMPTY && rnd(8) != 0)
		len = 0;
	if (rnd(200) == 0)
		len = RAFT_PEER_CHUNK_BYTES + (uint32_t)rnd(100);
	if (e->type == RAFT_ENTRY_CONF && rnd(8) != 0)
		len = RAFT_CONF_FIXED_BYTES + (uint32_t)rnd(6);
	e->data_count = 0;
	for (uint32_t off = 0; off < len; off += RAFT_PEER_CHUNK_BYTES) {
		struct chunk *c = &g_chunks[i][e->data_count];

		c->size = (pb_size_t)(len - off < RAFT_PEER_CHUNK_BYTES ? len - off : RAFT_PEER_CHUNK_BYTES);
		for (pb_size_t k = 0; k < c->size && k < 16; k++)
			c->bytes[k] = (uint8_t)runner_rand(&rng);
		if (e->type == RAFT_ENTRY_CONF && off == 0 && c->size >= RAFT_CONF_FIXED_BYTES) {
			c->bytes[0] = (uint8_t)(1 + rnd(RAFT_CONF_PROMOTE + 1));
			memset(c->bytes + 1, 0, 8);
			c->bytes[1] = (uint8_t)rnd(6);
		}
		g_data[i][e->data_count++] = B(*c);
	}
	e->data = e->data_count ? g_data[i] : NULL;
}

static void
gen_entries(cairn_ipc_RaftMsg *in)
{
	size_t n = rnd(6) == 0 ? rnd(RAFT_PEER_ENTRIES_MAX + 2) : rnd(5);
	uint64_t t = in->log_term;

	if ((in->type == RMSG_PROPOSE || in->type == RMSG_PROPOSE_RESP) && n == 0)
		n = 1;
	for (size_t i = 0; i < n; i++) {
		cairn_ipc_RaftEntry *e = &g_ents[i];

		if (t < in->term && rnd(3) == 0)
			t += 1 + rnd(in->term - t);
		*e = (cairn_ipc_RaftEntry){.term = t, .index = in->index + 1 + i,
		    .type = RAFT_ENTRY_NORMAL};
		if (in->type == RMSG_PROPOSE || in->type == RMSG_PROPOSE_RESP)
			e->term = e->index = 0;
		if (rnd(6) == 0)
			e->type = (uint32_t)(rnd(10) ? 1 + rnd(3) : rnd(6));
		if (rnd(40) == 0)
			e->index = pick_index();
		if (rnd(40) == 0)
			e->term = pick_term();
		gen_data(i, e);
	}
	in->entries_count = (pb_size_t)n;
	in->entries = n ? g_ents : NULL;
}

static void
gen_snapshot(cairn_ipc_RaftMsg *in)
{
	cairn_ipc_RaftSnapshotMeta *s = &in->snap;
	size_t n = rnd(8) == 0 ? rnd(RAFT_PEER_MEMBERS_MAX + 2) : 1 + rnd(4);

	in->has_snap = true;
	s->index = rnd(2) ? core.hs.commit + 1 + rnd(30) : pick_index();
	s->term = rnd(8) ? (in->term ? 1 + rnd(in->term) : 0) : pick_term();
	if (rnd(3) == 0) {
		/* One whose last entry we hold (then it only commits). */
		s->index = core.hs.commit + rnd(core.log.first + core.log.len - core.hs.commit);
		s->term = pick_log_term(s->index);
	}
	s->ref = runner_rand(&rng);
	for (size_t i = 0; i < n; i++)
		g_members[i] = (cairn_ipc_RaftMember){rnd(10) ? 1 + rnd(5) : rnd(3), rnd(3) == 0};
	s->members_count = (pb_size_t)n;
	s->members = n ? g_members : NULL;
	if (rnd(8) != 0) {
		in->index = s->index;
		in->log_term = s->term;
	}
}

/* A well-formed message, aimed at the core's state, with a random fault
 * now and then. */
static void
gen_msg(cairn_ipc_RaftMsg *in)
{
	*in = (cairn_ipc_RaftMsg)cairn_ipc_RaftMsg_init_zero;
	in->type = (uint32_t)(rnd(20) ? 1 + rnd(RMSG_TYPE_LAST) : rnd(300));
	in->from = pick_id();
	in->to = rnd(16) ? SELF : pick_id();
	in->term = pick_term();
	in->index = pick_index();
	in->log_term = pick_log_term(in->index);
	in->commit = rnd(2) ? in->index + rnd(4) : pick_index();
	in->reject = rnd(3) == 0;
	in->hint = pick_index();
	in->hint_term = pick_term();
	in->ctx = rnd(4) ? rnd(8) : runner_rand(&rng);
	if (in->term < in->log_term && rnd(4) != 0)
		in->term = in->log_term + rnd(2);
	if (in->type == RMSG_APPEND || in->type == RMSG_PROPOSE ||
	    in->type == RMSG_PROPOSE_RESP || rnd(30) == 0)
		gen_entries(in);
	/* A refusal mostly as the leader sends one: a change and a reason. */
	if (in->type == RMSG_PROPOSE_RESP && rnd(4) != 0) {
		in->reject = true;
		in->hint = CAIRN_ERR_FIRST_ + 1 + rnd(CAIRN_ERR_LAST_ - CAIRN_ERR_FIRST_ - 1);
		if (in->entries_count > 0) {
			in->entries_count = 1;
			g_ents[0].type = RAFT_ENTRY_CONF;
			gen_data(0, &g_ents[0]);
		}
	}
	if (in->type == RMSG_APPEND && in->commit > in->index + in->entries_count && rnd(4))
		in->commit = in->index + rnd(in->entries_count + 1);
	if (in->type == RMSG_SNAPSHOT ? rnd(30) != 0 : rnd(60) == 0)
		gen_snapshot(in);
	/* A leader mostly hears its followers' answers, in its term. */
	if (core.role == RCORE_LEADER && rnd(2) == 0 && in->entries_count == 0 && !in->has_snap) {
		const unsigned to_leader[] = {RMSG_APPEND_RESP, RMSG_APPEND_RESP,
		    RMSG_HEARTBEAT_RESP, RMSG_HEARTBEAT_RESP, RMSG_READ_INDEX, RMSG_VOTE_RESP};

		in->type = to_leader[rnd(sizeof(to_leader) / sizeof(to_leader[0]))];
		in->term = core.hs.term;
		in->from = 2 + rnd(2);
		in->to = SELF;
		in->ctx = rnd(2) ? core.read_round : rnd(core.read_round + 2);
	}
}

/* Bit flips, byte overwrites, truncations, cut-outs, insertions. */
static size_t
mutate(uint8_t *buf, size_t len, size_t cap)
{
	for (uint64_t k = 1 + rnd(4); k > 0; k--) {
		size_t at = len ? (size_t)rnd(len) : 0;

		switch (rnd(5)) {
		case 0:
			if (len)
				buf[at] ^= (uint8_t)(1u << rnd(8));
			break;
		case 1:
			if (len)
				buf[at] = (uint8_t)runner_rand(&rng);
			break;
		case 2:
			len = at;
			break;
		case 3: {
			size_t cut = (size_t)rnd(len - at + 1);

			memmove(buf + at, buf + at + cut, len - at - cut);
			len -= cut;
			break;
		}
		default: {
			size_t add = (size_t)rnd(8);

			if (len + add > cap)
				break;
			memmove(buf + at + add, buf + at, len - at);
			for (size_t i = 0; i < add; i++)
				buf[at + i] = (uint8_t)runner_rand(&rng);
			len += add;
			break;
		}
		}
	}
	return len;
}

/* What raftd itself asks of the core between messages: proposals,
 * membership changes, reads, transfers, compaction, snapshot reports. */
static void
drive(void)
{
	struct raft_snapshot_marker marker;
	uint64_t id = 1 + rnd(5);

	switch (rnd(7)) {
	case 0:
		(void)rcore_propose(&core, big, (uint32_t)rnd(64));
		break;
	case 1:
		(void)rcore_propose_conf(&core, (enum raft_conf_op)(1 + rnd(5)), id, big, 3);
		break;
	case 2:
		(void)rcore_read_index(&core, runner_rand(&rng));
		break;
	case 3:
		(void)rcore_transfer(&core, id);
		break;
	case 4:
		if (core.applied > core.snap.meta.index)
			(void)rcore_compact(&core, core.snap.meta.index + 1 +
			    rnd(core.applied - core.snap.meta.index), runner_rand(&rng), &marker);
		break;
	case 5:
		rcore_snapshot_status(&core, id, rnd(2));
		break;
	default:
		if (core.role != RCORE_LEADER)
			core_make_leader();
		break;
	}
	core_flush(true);
}

struct fuzz_stats {
	unsigned long pb_refused, codec_refused, stepped, reencode_failed, as_leader;
	unsigned long by_type[RMSG_TYPE_LAST + 1];
};

/* Decodes as raftd does, and steps what passes into the core. */
static void
fuzz_one(const uint8_t *buf, size_t len, struct fuzz_stats *st)
{
	cairn_ipc_RaftMsg in;
	const char *why;
	int rc = from_wire(buf, len, &in, SELF, &pm, &why);

	if (rc == -1) {
		st->pb_refused++;
		return;
	}
	if (rc != 0) {
		CU_ASSERT_EQUAL(rc, CAIRN_EPROTO);
		CU_ASSERT_PTR_NOT_NULL(why);
		st->codec_refused++;
	} else {
		/* What passes re-encodes to the same message. */
		static uint8_t again[RAFT_PEER_MSG_BYTES_MAX];
		cairn_ipc_RaftMsg in2;
		size_t len2 = to_wire(&pm.m, again, sizeof(again));

		if (from_wire(again, len2, &in2, SELF, &pm2, &why) != 0 ||
		    !same_msg(&pm.m, &pm2.m))
			st->reencode_failed++;
		pb_release(cairn_ipc_RaftMsg_fields, &in2);
		st->stepped++;
		st->as_leader += core.role == RCORE_LEADER;
		st->by_type[pm.m.type]++;
		rcore_step(&core, &pm.m);
	}
	pb_release(cairn_ipc_RaftMsg_fields, &in);
	core_flush(true);
	if (rnd(4) == 0) {
		rcore_tick(&core);
		core_flush(true);
	}
	if (rnd(6) == 0)
		drive();
	if (core.role != RCORE_LEADER && rnd(12) == 0)
		core_make_leader();
}

static void
corpus_init(void)
{
	ncorpus = 0;
	for (unsigned type = RMSG_VOTE; type <= RMSG_TYPE_LAST; type++) {
		struct rmsg m;

		valid_msg(type, &m);
		if (m.type == RMSG_APPEND)
			m.n = 3; /* keep it under SMALL_CAP */
		if (m.type == RMSG_PROPOSE)
			ents[0].len = 100;
		corpus[ncorpus].len = to_wire(&m, corpus[ncorpus].bytes, SMALL_CAP);
		ncorpus++;
	}
}

static void
test_hostile_input_never_trips_the_core(void)
{
	static uint8_t buf[RAFT_PEER_MSG_BYTES_MAX];
	struct fuzz_stats st;
	unsigned long modes[4] = {0};

	memset(&st, 0, sizeof(st));
	rng = runner_seed();
	corpus_init();
	for (unsigned i = 0; i < FUZZ_ITERS; i++) {
		unsigned mode = (unsigned)rnd(100);
		size_t len;

		/* A core pushed to the edge of the bounds is fuzzed a little
		 * there, then started again. */
		if (i % FUZZ_RESET_EVERY == 0 || (rnd(64) == 0 &&
		    (core.hs.term > RAFT_PEER_TERM_MAX - 64 ||
		    core.log.first + core.log.len > RAFT_PEER_INDEX_MAX - 64)))
			core_begin();
		if (mode < 70) {
			cairn_ipc_RaftMsg in;
			pb_ostream_t os = pb_ostream_from_buffer(buf, sizeof(buf));

			gen_msg(&in);
			CU_ASSERT_FATAL(pb_encode(&os, cairn_ipc_RaftMsg_fields, &in));
			len = os.bytes_written;
			if (mode >= 55)
				len = mutate(buf, len, sizeof(buf));
			mode = mode < 55 ? 0 : 1;
		} else if (mode < 90) {
			size_t k = (size_t)rnd(ncorpus);

			memcpy(buf, corpus[k].bytes, corpus[k].len);
			len = mutate(buf, corpus[k].len, SMALL_CAP);
			mode = 2;
		} else {
			len = (size_t)rnd(300);
			for (size_t k = 0; k < len; k++)
				buf[k] = (uint8_t)runner_rand(&rng);
			mode = 3;
		}
		modes[mode]++;
		fuzz_one(buf, len, &st);
	}
	printf("# %u inputs (%lu well-formed, %lu mutated, %lu mutated valid, %lu random):"
	    " %lu refused by nanopb, %lu by the codec, %lu stepped\n", FUZZ_ITERS,
	    modes[0], modes[1], modes[2], modes[3], st.pb_refused, st.codec_refused, st.stepped);
	printf("# %lu stepped into a leader\n", st.as_leader);
	printf("# stepped by type:");
	for (unsigned t = RMSG_VOTE; t <= RMSG_TYPE_LAST; t++)
		printf(" %u:%lu", t, st.by_type[t]);
	printf("\n# %lu messages the core sent checked at their receiver: %lu refused;"
	    " %lu not checked (beyond the bounds)\n", sent_checked, sent_refused, sent_beyond);
	for (unsigned t = RMSG_VOTE; t <= RMSG_TYPE_LAST; t++)
		CU_ASSERT(st.by_type[t] > 0);
	CU_ASSERT_EQUAL(sent_refused, 0);
	CU_ASSERT_EQUAL(st.reencode_failed, 0);
	rcore_close(&core);
	core_open = false;
}

static CU_TestInfo codec_tests[] = {
	{"every type round-trips", test_roundtrip_every_type},
	{"the largest messages round-trip", test_roundtrip_largest},
	{"the worst case fits the route's bound", test_worst_case_fits_bound},
	{"the encoder refuses what exceeds the bounds", test_encode_refuses_too_big},
	{"nanopb limits the codec relies on", test_nanopb_limits_the_codec_relies_on},
	{"refused: type, members, ranges, field relations", test_refuses_bad_header},
	{"refused: entries", test_refuses_bad_entries},
	{"refused: entry data", test_refuses_bad_data},
	{"refused: snapshots and memberships", test_refuses_bad_snapshot},
	{"hostile input never trips a real core", test_hostile_input_never_trips_the_core},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"peer_codec", suite_init, suite_clean, NULL, NULL, codec_tests},
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return runner_run(suites);
}
