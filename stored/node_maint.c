/*
 * stored: Hash, HashKV and Defragment for netd (see node_maint.h).
 */
#include "shared/err.h"
#include "shared/log.h"
#include "stored/node_apply.h"
#include "stored/node_maint.h"

/* HashResponse, HashKVResponse: hash (2); HashKVResponse:
 * compact_revision (3). */
#define MAINT_HASH 2
#define MAINT_COMPACT_REV 3

/* Answers every Defragment call waiting, with etcd's DefragmentResponse
 * or 'code'. */
static void
defrag_answer(struct stored_node *n, int code)
{
	pbout_reset(&n->resp);
	if (code == 0)
		apply_header(&n->apply, &n->resp, n->store.rev, true);
	for (size_t i = 0; i < n->ndefrag_waiters; i++)
		stored_result_keep(n, n->defrag_waiters[i], code, &n->resp);
	n->ndefrag_waiters = 0;
	stored_node_flush(n);
}

static void
defrag_step(evutil_socket_t fd, short what, void *arg)
{
	struct stored_node *n = arg;
	struct timeval tv = {0, STORED_DEFRAG_PAUSE_MS * 1000};
	bool done;

	(void)fd;
	(void)what;
	if (mvcc_defrag_step(&n->store, STORED_DEFRAG_PAGES, &done) != 0)
		fatalx("defragmentation failed");
	if (!done) {
		event_add(n->defrag_ev, &tv);
		return;
	}
	log_info("finished defragmenting: %llu pages freed",
	    (unsigned long long)n->store.defrag.pages_freed);
	n->status_due = true; /* the store's size changed */
	defrag_answer(n, 0);
}

static int
defrag_start(struct stored_node *n, uint64_t id)
{
	struct timeval tv = {0, 0};

	if (n->ndefrag_waiters == STORED_DEFRAG_WAITERS) {
		pbout_reset(&n->resp);
		stored_result_keep(n, id, CAIRN_ETOOMANYREQ, &n->resp);
		return 0;
	}
	n->defrag_waiters[n->ndefrag_waiters++] = id;
	if (n->defrag_ev == NULL &&
	    (n->defrag_ev = event_new(n->child->base, -1, 0, defrag_step, n)) == NULL)
		fatalx("cannot start defragmenting");
	/* A call that comes during a pass waits for a whole new one. */
	mvcc_defrag_begin(&n->store);
	if (!event_pending(n->defrag_ev, EV_TIMEOUT, NULL))
		event_add(n->defrag_ev, &tv);
	log_info("defragmenting the store");
	return 0;
}

int
stored_maint_frame(struct stored_node *n, uint64_t id, const cairn_ipc_Maint *in)
{
	uint32_t hash;
	int64_t crev;
	int code;

	pbout_reset(&n->resp);
	switch (in->op) {
	case cairn_ipc_Maint_Op_HASH:
		/* etcd: the revision the hash was taken at, in the header. */
		if ((code = mvcc_hash(&n->store, &hash)) == 0) {
			apply_header(&n->apply, &n->resp, n->store.rev, true);
			pbout_varint(&n->resp, MAINT_HASH, hash);
		}
		break;
	case cairn_ipc_Maint_Op_HASH_KV:
		if ((code = mvcc_hash_kv(&n->store, in->revision, &hash, &crev)) == 0) {
			apply_header(&n->apply, &n->resp, n->store.rev, true);
			pbout_varint(&n->resp, MAINT_HASH, hash);
			pbout_varint(&n->resp, MAINT_COMPACT_REV, (uint64_t)crev);
		}
		break;
	case cairn_ipc_Maint_Op_DEFRAGMENT:
		return defrag_start(n, id);
	default:
		log_warnx("maintenance call %llx from netd: unknown operation %d",
		    (unsigned long long)id, (int)in->op);
		return CAIRN_EPROTO;
	}
	if (code == CAIRN_EIO || code == CAIRN_ECORRUPT)
		fatalx("the store failed a maintenance call: %s", err_str(code));
	stored_result_keep(n, id, code, &n->resp);
	stored_node_flush(n);
	return 0;
}

void
stored_maint_stop(struct stored_node *n)
{
	if (n->defrag_ev != NULL)
		event_free(n->defrag_ev);
	n->defrag_ev = NULL;
	n->ndefrag_waiters = 0;
}
