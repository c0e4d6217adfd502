/*
 * stored: reads for netd (see node_read.h).
 */
#include <stdlib.h>
#include <string.h>

#include "stored/node_apply.h"
#include "stored/node_read.h"
#include "shared/chunks.h"
#include "shared/err.h"
#include "shared/log.h"
#include "shared/raft_peer.h"
#include "shared/xmalloc.h"

struct stored_read {
	uint64_t id;
	uint64_t index;
	uint8_t *req;                /* owned: an InternalRaftRequest */
	size_t len;
};

/* Serves one read now: a Range, or EINVAL for anything else. */
static void
read_serve(struct stored_node *n, uint64_t id, const uint8_t *req, size_t len)
{
	struct req r;
	const char *why;
	int code;

	spb_reset(&n->resp);
	if (req_decode(req, len, REQ_TXN_OPS_MAX, &n->arena, &r, &why) != 0) {
		log_warnx("read %llx from netd: %s", (unsigned long long)id, why);
		code = CAIRN_EINVAL;
	} else
		code = apply_read(&n->apply, &r, &n->resp);
	if (code == CAIRN_EIO || code == CAIRN_ECORRUPT)
		fatalx("the store failed serving a read: %s", err_str(code));
	stored_result_keep(n, id, code, &n->resp);
}

int
stored_read_frame(struct stored_node *n, uint64_t id, const cairn_ipc_Read *in)
{
	size_t len;
	const char *why = chunks_check(in->request, in->request_count, RAFT_PEER_DATA_BYTES_MAX,
	    &len);
	struct stored_read *r;

	if (why != NULL) {
		log_warnx("refusing a read from netd: %s", why);
		return CAIRN_EPROTO;
	}
	if (in->index > n->store.ci && n->nreads == STORED_READS_MAX) {
		stored_result_keep(n, id, CAIRN_ETOOMANYREQ, &n->resp);
		return 0;
	}
	if (n->nreads == n->reads_cap) {
		n->reads_cap = n->reads_cap ? n->reads_cap * 2 : 16;
		n->reads = xrealloc(n->reads, n->reads_cap * sizeof(*n->reads));
	}
	r = &n->reads[n->nreads++];
	*r = (struct stored_read){.id = id, .index = in->index, .len = len,
	    .req = xmalloc(len > 0 ? len : 1)};
	chunks_join(in->request, in->request_count, r->req);
	stored_reads_serve(n);
	return 0;
}

void
stored_reads_serve(struct stored_node *n)
{
	size_t kept = 0;

	for (size_t i = 0; i < n->nreads; i++) {
		struct stored_read *r = &n->reads[i];

		if (r->index > n->store.ci) {
			n->reads[kept++] = *r;
			continue;
		}
		read_serve(n, r->id, r->req, r->len);
		free(r->req);
	}
	n->nreads = kept;
}

void
stored_reads_reset(struct stored_node *n)
{
	for (size_t i = 0; i < n->nreads; i++)
		free(n->reads[i].req);
	n->nreads = 0;
}
