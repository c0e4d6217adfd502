/*
 * stored: the Lease calls netd forwards (IPC_STORED_LEASE_GET), answered
 * from the lessor and the lease table as etcd's leader answers them:
 * a keep-alive renews (TTL 0 for a lease that does not exist), TimeToLive
 * gives whole seconds left (-1 for a lease that does not exist), Leases
 * lists every lease, soonest expiry first.
 */
#include <stdlib.h>

#include "shared/err.h"
#include "shared/log.h"
#include "shared/pbwire.h"
#include "shared/xmalloc.h"
#include "stored/lease.h"
#include "stored/lessor.h"
#include "stored/node_apply.h"
#include "stored/node_lease.h"

/* LeaseKeepAliveResponse and LeaseTimeToLiveResponse: ID (2), TTL (3);
 * LeaseTimeToLiveResponse: grantedTTL (4), keys (5); LeaseLeasesResponse:
 * leases (2), each a LeaseStatus with ID (1). */
#define LEASE_RESP_ID 2
#define LEASE_RESP_TTL 3
#define LEASE_RESP_GRANTED 4
#define LEASE_RESP_KEYS 5
#define LEASES_RESP_LEASES 2
#define LEASE_STATUS_ID 1

static int
ask_key(void *arg, const uint8_t *key, uint32_t key_len)
{
	spb_bytes(arg, LEASE_RESP_KEYS, key, key_len, true);
	return 0;
}

/* etcd's LeaseServer answers a lease it does not have with TTL -1 and no
 * error. */
static int
ask_time_to_live(struct stored_node *n, const cairn_ipc_LeaseAsk *in)
{
	int64_t left, granted;
	int rc;

	if (!lessor_is_primary(n->lessor))
		return CAIRN_ENOTLEADER; /* etcd forwards to the leader */
	spb_varint(&n->resp, LEASE_RESP_ID, (uint64_t)in->id);
	if (lessor_remaining(n->lessor, in->id, stored_now_ms(), &left, &granted) != 0) {
		spb_varint(&n->resp, LEASE_RESP_TTL, (uint64_t)-1);
		return 0;
	}
	spb_varint(&n->resp, LEASE_RESP_TTL, (uint64_t)left);
	spb_varint(&n->resp, LEASE_RESP_GRANTED, (uint64_t)granted);
	if (in->keys && (rc = lease_keys(&n->store, NULL, in->id, ask_key, &n->resp)) != 0)
		return rc;
	return 0;
}

static void
ask_leases(struct stored_node *n)
{
	int64_t *ids = xmalloc((lessor_count(n->lessor) + 1) * sizeof(*ids));
	size_t k = lessor_by_expiry(n->lessor, ids);
	uint8_t one[2 * PBW_VARINT_BYTES_MAX];

	for (size_t i = 0; i < k; i++) {
		size_t len = pbw_put_varint(one, PBW_TAG(LEASE_STATUS_ID, PBW_VARINT));

		/* An ID of 0 cannot be granted, so no LeaseStatus is empty. */
		len += pbw_put_varint(one + len, (uint64_t)ids[i]);
		spb_bytes(&n->resp, LEASES_RESP_LEASES, one, len, true);
	}
	free(ids);
}

int
stored_lease_frame(struct stored_node *n, uint64_t id, const cairn_ipc_LeaseAsk *in)
{
	int64_t ttl = 0;
	int code = 0;

	spb_reset(&n->resp);
	/* etcd fills a keep-alive's header before it renews. */
	apply_header(&n->apply, &n->resp, n->store.rev, true);
	switch (in->op) {
	case cairn_ipc_LeaseAsk_Op_RENEW:
		code = lessor_renew(n->lessor, in->id, stored_now_ms(), &ttl);
		if (code == CAIRN_ELEASENOTFOUND)
			code = 0, ttl = 0;
		spb_varint(&n->resp, LEASE_RESP_ID, (uint64_t)in->id);
		spb_varint(&n->resp, LEASE_RESP_TTL, (uint64_t)ttl);
		break;
	case cairn_ipc_LeaseAsk_Op_TIME_TO_LIVE:
		code = ask_time_to_live(n, in);
		break;
	case cairn_ipc_LeaseAsk_Op_LEASES:
		ask_leases(n);
		break;
	default:
		log_warnx("lease call %llx from netd: unknown operation %d",
		    (unsigned long long)id, (int)in->op);
		return CAIRN_EPROTO;
	}
	stored_answer(n, id, code, "a lease call");
	return 0;
}
