/*
 * raftd: client proposals that arrive while this member knows no leader
 * (an election under way, or no quorum). etcd's Propose blocks until a
 * leader is known or the request times out; so here they are held, in
 * order and within bounds, proposed once a leader is known, and failed
 * with etcd's context error after the request timeout.
 */
#include <stdlib.h>
#include <string.h>

#include "raftd/node.h"
#include "shared/assert.h"
#include "shared/err.h"
#include "shared/log.h"
#include "shared/xmalloc.h"

int
raftd_hold_add(struct raftd_node *n, uint64_t id, const uint8_t *data, uint32_t len)
{
	struct raftd_held *h;

	if (n->held_n == RAFTD_HELD_MAX || n->held_bytes + len > RAFTD_HELD_BYTES_MAX)
		return CAIRN_ENOLEADER;
	h = &n->held[(n->held_head + n->held_n) % RAFTD_HELD_MAX];
	h->id = id;
	h->since = n->ticks;
	h->len = len;
	h->data = xmalloc(len);
	memcpy(h->data, data, len);
	n->held_n++;
	n->held_bytes += len;
	return 0;
}

/* Takes the oldest held proposal off the ring; the caller frees its data. */
static struct raftd_held
raftd_hold_pop(struct raftd_node *n)
{
	struct raftd_held h = n->held[n->held_head];

	CAIRN_ASSERT(n->held_n > 0);
	CAIRN_ASSERT(n->held_bytes >= h.len);
	n->held_head = (n->held_head + 1) % RAFTD_HELD_MAX;
	n->held_n--;
	n->held_bytes -= h.len;
	return h;
}

void
raftd_hold_release(struct raftd_node *n)
{
	int rc;

	while (n->held_n > 0 && n->core.leader != 0) {
		struct raftd_held h = raftd_hold_pop(n);

		rc = rcore_propose(&n->core, h.data, h.len);
		if (rc != 0)
			raftd_netd_reply(n, cairn_ipc_IPC_NETD_PROPOSAL_FAIL, h.id,
			    rc == CAIRN_EAGAIN ? CAIRN_ETOOMANYREQ : rc, 0);
		free(h.data);
	}
}

void
raftd_hold_tick(struct raftd_node *n)
{
	while (n->held_n > 0 && n->ticks - n->held[n->held_head].since >= n->request_ticks) {
		struct raftd_held h = raftd_hold_pop(n);

		raftd_netd_reply(n, cairn_ipc_IPC_NETD_PROPOSAL_FAIL, h.id, CAIRN_EDEADLINE, 0);
		free(h.data);
	}
}

void
raftd_hold_reset(struct raftd_node *n)
{
	while (n->held_n > 0)
		free(raftd_hold_pop(n).data);
}
