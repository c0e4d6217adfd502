/*
 * stored: lease expiry in the process (see node_lease.h).
 */
#include <string.h>

#include "stored/lessor.h"
#include "stored/node_apply.h"
#include "stored/node_lease.h"
#include "shared/chan.h"
#include "shared/err.h"
#include "shared/log.h"
#include "shared/pbwire.h"

/* rcore_role's leader (raftd/core.h), as RaftStatus carries it. */
#define ROLE_LEADER 3
/* InternalRaftRequest.lease_revoke and .header, LeaseRevokeRequest.ID,
 * RequestHeader.username and .auth_revision. */
#define IRR_LEASE_REVOKE 9
#define IRR_HEADER 100
#define REVOKE_ID 1
#define HDR_USERNAME 2
#define HDR_AUTH_REVISION 3

static void
lease_hook(void *arg, int64_t id, int64_t ttl)
{
	struct stored_node *n = arg;

	if (ttl > 0)
		lessor_granted(n->lessor, id, ttl, stored_now_ms());
	else
		lessor_revoked(n->lessor, id);
}

/* Proposes etcd's LeaseRevokeRequest{ID} through raftd, as request 0.
 * While auth is enabled it is made as the root user at the current auth
 * revision (etcd's AuthStore.WithRoot): the revoke must delete keys no
 * client's permissions decide on. */
static int
propose_revoke(struct stored_node *n, int64_t id)
{
	uint8_t inner[1 + PBW_VARINT_BYTES_MAX], hdr[2 + 4 + 1 + PBW_VARINT_BYTES_MAX];
	uint8_t buf[2 * (2 + PBW_VARINT_BYTES_MAX) + sizeof(inner) + sizeof(hdr)];
	size_t il = 0, hl = 0, len = 0;

	il += pbw_put_varint(inner + il, PBW_TAG(REVOKE_ID, PBW_VARINT));
	il += pbw_put_varint(inner + il, (uint64_t)id);
	if (n->apply.auth.enabled) {
		hl += pbw_put_varint(hdr + hl, PBW_TAG(HDR_USERNAME, PBW_LEN));
		hl += pbw_put_varint(hdr + hl, 4);
		memcpy(hdr + hl, "root", 4);
		hl += 4;
		hl += pbw_put_varint(hdr + hl, PBW_TAG(HDR_AUTH_REVISION, PBW_VARINT));
		hl += pbw_put_varint(hdr + hl, n->apply.auth.revision);
		len += pbw_put_varint(buf + len, PBW_TAG(IRR_HEADER, PBW_LEN));
		len += pbw_put_varint(buf + len, hl);
		memcpy(buf + len, hdr, hl);
		len += hl;
	}
	len += pbw_put_varint(buf + len, PBW_TAG(IRR_LEASE_REVOKE, PBW_LEN));
	len += pbw_put_varint(buf + len, il);
	memcpy(buf + len, inner, il);
	len += il;
	return stored_propose(n, buf, len);
}

static void
lease_check(evutil_socket_t fd, short what, void *arg)
{
	struct stored_node *n = arg;
	int64_t ids[STORED_LEASE_REVOKES_MAX];
	size_t k;

	(void)fd;
	(void)what;
	if (!chan_is_open(&n->child->peers[PROC_RAFTD].ch))
		return;
	k = lessor_expired(n->lessor, stored_now_ms(), ids, STORED_LEASE_REVOKES_MAX);
	for (size_t i = 0; i < k; i++) {
		log_debug("lease %llx expired: proposing its revoke", (unsigned long long)ids[i]);
		/* A full ring: the lease is proposed again after the retry. */
		if (propose_revoke(n, ids[i]) != 0)
			break;
	}
}

int
stored_lease_start(struct stored_node *n)
{
	struct timeval tv = {0, STORED_LEASE_CHECK_MS * 1000};

	if ((n->lessor = lessor_new(&n->store)) == NULL)
		return CAIRN_EIO;
	n->apply.lease_hook = lease_hook;
	n->apply.lease_arg = n;
	n->lease_ev = event_new(n->child->base, -1, EV_PERSIST, lease_check, n);
	if (n->lease_ev == NULL || event_add(n->lease_ev, &tv) == -1)
		fatalx("cannot start the lease timer");
	return 0;
}

void
stored_lease_stop(struct stored_node *n)
{
	if (n->lease_ev != NULL)
		event_free(n->lease_ev);
	n->lease_ev = NULL;
	lessor_free(n->lessor);
	n->lessor = NULL;
}

void
stored_lease_role(struct stored_node *n, uint32_t role)
{
	bool leader = role == ROLE_LEADER;

	if (n->lessor == NULL || leader == lessor_is_primary(n->lessor))
		return;
	if (leader) {
		/* etcd extends every lease by an election timeout on a new
		 * leader: no lease expires for the time it took to elect it. */
		lessor_promote(n->lessor, stored_now_ms(), n->child->cfg.raft.election_ms);
		log_info("leases now expire here (%zu)", lessor_count(n->lessor));
	} else
		lessor_demote(n->lessor);
}
