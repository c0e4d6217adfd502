/*
 * stored: Hash, HashKV and Defragment for netd (see node_maint.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <pb_decode.h>

#include "shared/chan.h"
#include "shared/chunks.h"
#include "shared/err.h"
#include "shared/fd_io.h"
#include "shared/log.h"
#include "shared/xmalloc.h"
#include "stored/node_apply.h"
#include "stored/node_maint.h"
#include "stored/node_members.h"
#include "stored/snapshot.h"

/* HashResponse, HashKVResponse: hash (2); HashKVResponse:
 * compact_revision (3). */
#define MAINT_HASH 2
#define MAINT_COMPACT_REV 3

/* Answers every Defragment call waiting, with etcd's DefragmentResponse
 * or 'code'. */
static void
defrag_answer(struct stored_node *n, int code)
{
	spb_reset(&n->resp);
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
		spb_reset(&n->resp);
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

static int
snap_sink(void *arg, const uint8_t *p, size_t len)
{
	if (fd_write_all(*(int *)arg, p, len) == 0)
		return 0;
	log_warn("writing a snapshot");
	return CAIRN_EIO;
}

static void
snap_end(struct stored_node *n)
{
	if (n->snap.fd >= 0)
		close(n->snap.fd);
	n->snap.fd = -1;
	free(n->snap.buf);
	n->snap.buf = NULL;
	n->snap.active = false;
}

/*
 * A snapshot is copied whole into an unlinked file beside the store
 * first (Berkeley DB's hot backup runs to its end in one call), then sent
 * from it as netd takes it: the ring's back-pressure paces the copy to
 * netd, never the store. Known cost: applying waits while the copy is
 * written.
 */
static int
snap_start(struct stored_node *n, uint64_t id)
{
	char name[] = "snapshot.XXXXXX";
	off_t size;
	int rc;

	spb_reset(&n->resp);
	if (n->snap.active) {
		stored_result_keep(n, id, CAIRN_ETOOMANYREQ, &n->resp);
		stored_node_flush(n);
		return 0;
	}
	if ((n->snap.fd = mkstemp(name)) == -1) {
		log_warn("cannot create a snapshot file");
		stored_result_keep(n, id, CAIRN_EIO, &n->resp);
		stored_node_flush(n);
		return 0;
	}
	(void)unlink(name);
	rc = snapshot_write(&n->store, snap_sink, &n->snap.fd);
	if (rc == 0 && (size = lseek(n->snap.fd, 0, SEEK_END)) > 0)
		n->snap.size = (uint64_t)size;
	else
		rc = rc != 0 ? rc : CAIRN_EIO;
	if (rc != 0) {
		log_warnx("snapshot for netd failed: %s", err_str(rc));
		snap_end(n);
		stored_result_keep(n, id, rc, &n->resp);
		stored_node_flush(n);
		return 0;
	}
	log_info("sending a snapshot of %llu bytes at index %llu", (unsigned long long)n->snap.size,
	    (unsigned long long)n->store.ci);
	n->snap.active = true;
	n->snap.id = id;
	n->snap.off = 0;
	n->snap.credit = 1;
	n->snap.buf = xmalloc(STORED_RESULT_FRAME_BYTES);
	stored_node_flush(n);
	return 0;
}

void
stored_maint_send(struct stored_node *n)
{
	struct chan *ch = &n->child->peers[PROC_NETD].ch;

	if (!n->snap.active)
		return;
	if (!chan_is_open(ch)) {
		snap_end(n); /* the call went with netd */
		return;
	}
	while (n->snap.active && n->snap.credit > 0 && n->results.len == 0) {
		uint64_t left = n->snap.size - n->snap.off;
		size_t part = left < stored_frame_bytes(n) ? (size_t)left : stored_frame_bytes(n);
		ssize_t got = pread(n->snap.fd, n->snap.buf, part, (off_t)n->snap.off);
		cairn_ipc_Result r = {.more = n->snap.off + part < n->snap.size,
		    .remaining = left - part};
		int rc;

		if (got != (ssize_t)part) {
			log_warn("reading the snapshot file");
			r = (cairn_ipc_Result){.code = CAIRN_EIO};
			part = 0;
		} else
			chunks_put(n->snap.buf, (uint32_t)part, &r.data, &r.data_count);
		rc = chan_send(ch, cairn_ipc_IPC_NETD_RESULT_SET, n->snap.id, &r);
		pb_release(cairn_ipc_Result_fields, &r);
		if (rc == CAIRN_EAGAIN)
			break; /* netd wakes us when it has read */
		n->snap.off += part;
		n->snap.credit--;
		if (rc != 0 || !r.more || part == 0)
			snap_end(n);
	}
}

int
stored_maint_frame(struct stored_node *n, uint64_t id, const cairn_ipc_Maint *in)
{
	struct req_bytes user = {.p = in->username.bytes, .n = in->username.size};
	uint32_t hash;
	int64_t crev;
	int code;

	spb_reset(&n->resp);
	/* etcd's authMaintenanceServer: these need the root role (etcd
	 * 3.4's Cluster service checks no one). */
	if (in->op != cairn_ipc_Maint_Op_SNAPSHOT_MORE && in->op != cairn_ipc_Maint_Op_SNAPSHOT_STOP &&
	    in->op != cairn_ipc_Maint_Op_MEMBER_LIST && in->op != cairn_ipc_Maint_Op_MEMBER_PEERS &&
	    in->op != cairn_ipc_Maint_Op_PEER_SNAPSHOT &&
	    (code = auth_check_admin(&n->apply.auth, NULL, user)) != 0) {
		if (code != CAIRN_EIO && code != CAIRN_ECORRUPT)
			code = code == CAIRN_EUSEREMPTY ? CAIRN_EMAINTUSEREMPTY :
			    code == CAIRN_EUSERNOTFOUND ? CAIRN_EMAINTUSERNOTFOUND :
			    CAIRN_EMAINTPERMDENIED;
		stored_answer(n, id, code, "a permission check");
		return 0;
	}
	switch (in->op) {
	case cairn_ipc_Maint_Op_HASH:
		/* etcd: the revision the hash was taken at, in the header. */
		if ((code = mvcc_hash(&n->store, &hash)) == 0) {
			apply_header(&n->apply, &n->resp, n->store.rev, true);
			spb_varint(&n->resp, MAINT_HASH, hash);
		}
		break;
	case cairn_ipc_Maint_Op_HASH_KV:
		if ((code = mvcc_hash_kv(&n->store, in->revision, &hash, &crev)) == 0) {
			apply_header(&n->apply, &n->resp, n->store.rev, true);
			spb_varint(&n->resp, MAINT_HASH, hash);
			spb_varint(&n->resp, MAINT_COMPACT_REV, (uint64_t)crev);
		}
		break;
	case cairn_ipc_Maint_Op_MEMBER_LIST:
		code = stored_member_list(n, &n->resp);
		break;
	case cairn_ipc_Maint_Op_MEMBER_PEERS:
		if ((code = stored_member_list(n, &n->resp)) == 0)
			code = stored_members_removed(n, &n->resp);
		break;
	case cairn_ipc_Maint_Op_DEFRAGMENT:
		return defrag_start(n, id);
	case cairn_ipc_Maint_Op_SNAPSHOT:
	case cairn_ipc_Maint_Op_PEER_SNAPSHOT:
		return snap_start(n, id);
	case cairn_ipc_Maint_Op_SNAPSHOT_MORE:
	case cairn_ipc_Maint_Op_SNAPSHOT_STOP:
		/* A call that ended meanwhile (an error, say): nothing to do. */
		if (!n->snap.active || n->snap.id != id)
			return 0;
		if (in->op == cairn_ipc_Maint_Op_SNAPSHOT_STOP) {
			log_info("netd stopped the snapshot at %llu of %llu bytes",
			    (unsigned long long)n->snap.off, (unsigned long long)n->snap.size);
			snap_end(n);
		} else if (n->snap.credit < STORED_SNAPSHOT_CREDIT_MAX) {
			n->snap.credit++;
			stored_maint_send(n);
		}
		return 0;
	default:
		log_warnx("maintenance call %llx from netd: unknown operation %d",
		    (unsigned long long)id, (int)in->op);
		return CAIRN_EPROTO;
	}
	stored_answer(n, id, code, "a maintenance call");
	return 0;
}

void
stored_maint_stop(struct stored_node *n)
{
	if (n->defrag_ev != NULL)
		event_free(n->defrag_ev);
	n->defrag_ev = NULL;
	n->ndefrag_waiters = 0;
	snap_end(n);
}

void
stored_maint_abort(struct stored_node *n, int code)
{
	spb_reset(&n->resp);
	for (size_t i = 0; i < n->ndefrag_waiters; i++)
		stored_result_keep(n, n->defrag_waiters[i], code, &n->resp);
	if (n->snap.active)
		stored_result_keep(n, n->snap.id, code, &n->resp);
	stored_maint_stop(n);
}
