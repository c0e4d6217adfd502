/*
 * netd: etcd's Cluster service. MemberList is served by stored from its
 * members table (the bootstrap members, then what membership entries
 * changed); etcd 3.4 answers it from the member's own view, without Raft
 * and without auth, and so does cairn. The changes (MemberAdd, Remove,
 * Update, Promote) go to stored, which checks them against the table as
 * etcd does and has raftd propose them; stored answers once the change
 * is applied. netd does what etcd's ClusterServer does before: MemberAdd's
 * peer URLs checked and made Go's text (types.NewURLs), and the new
 * member's ID chosen (membership.NewMember, with the time).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "netd/backend.h"
#include "netd/svc.h"
#include "raftd/raft_types.h"
#include "shared/member_id.h"
#include "shared/url.h"

int
svc_cluster_member_list(struct gstream *s, const uint8_t *msg, size_t len)
{
	etcdserverpb_MemberListRequest req = etcdserverpb_MemberListRequest_init_zero;
	cairn_ipc_Maint m = {.op = cairn_ipc_Maint_Op_MEMBER_LIST};

	if (svc_decode(s, etcdserverpb_MemberListRequest_fields, &req, msg, len) != 0)
		return 0;
	return backend_ask(s, PENDING_RESULT, cairn_ipc_IPC_STORED_MAINT_DO, &m);
}

/* Sends change c to stored, naming the user of the call's token. */
static int
member_change_ask(struct gstream *s, cairn_ipc_MemberChange *c)
{
	const uint8_t *user;
	size_t ul;
	int rc = svc_user(s, &user, &ul);

	if (rc != 0) {
		grpc_reply_err(s, rc);
		return 0;
	}
	if (user != NULL) {
		memcpy(c->username.bytes, user, ul);
		c->username.size = (pb_size_t)ul;
	}
	return backend_ask(s, PENDING_RESULT, cairn_ipc_IPC_STORED_MEMBER_CHANGE, c);
}

_Static_assert(sizeof(((etcdserverpb_MemberAddRequest *)0)->peerURLs[0]) ==
    sizeof(((cairn_ipc_MemberChange *)0)->peer_urls[0]), "peer URL bounds agree");
_Static_assert(sizeof(((etcdserverpb_MemberUpdateRequest *)0)->peerURLs) ==
    sizeof(((cairn_ipc_MemberChange *)0)->peer_urls), "peer URL bounds agree");

/* Go's sort.Strings: byte order. */
static int
url_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* types.NewURLs: each URL trimmed, checked and kept as Go's text, the
 * list sorted. */
static int
member_urls(etcdserverpb_MemberAddRequest *req, cairn_ipc_MemberChange *c)
{
	char why[256];

	if (req->peerURLs_count == 0)
		return CAIRN_EMEMBERBADURLS;
	for (pb_size_t i = 0; i < req->peerURLs_count; i++) {
		const char *u = url_trim_space(req->peerURLs[i]);

		if (url_check(u, why, sizeof(why)) != 0 ||
		    url_canon(u, c->peer_urls[i], sizeof(c->peer_urls[i]), why, sizeof(why)) != 0)
			return CAIRN_EMEMBERBADURLS;
	}
	c->peer_urls_count = req->peerURLs_count;
	qsort(c->peer_urls, c->peer_urls_count, sizeof(c->peer_urls[0]), url_cmp);
	return 0;
}

int
svc_cluster_member_add(struct gstream *s, const uint8_t *msg, size_t len)
{
	etcdserverpb_MemberAddRequest req = etcdserverpb_MemberAddRequest_init_zero;
	cairn_ipc_MemberChange c = cairn_ipc_MemberChange_init_zero;
	const char *urls[sizeof(c.peer_urls) / sizeof(c.peer_urls[0])];
	char stamp[24];
	int rc;

	if (svc_decode(s, etcdserverpb_MemberAddRequest_fields, &req, msg, len) != 0)
		return 0;
	if ((rc = member_urls(&req, &c)) != 0) {
		grpc_reply_err(s, rc);
		return 0;
	}
	for (pb_size_t i = 0; i < c.peer_urls_count; i++)
		urls[i] = c.peer_urls[i];
	snprintf(stamp, sizeof(stamp), "%lld", (long long)time(NULL));
	c.id = member_id_make(urls, c.peer_urls_count, "", stamp);
	c.op = req.isLearner ? RAFT_CONF_ADD_LEARNER : RAFT_CONF_ADD;
	return member_change_ask(s, &c);
}

/* MemberRemove and MemberPromote: their requests are one ID, field 1. */
static int
member_by_id(struct gstream *s, uint8_t op, const uint8_t *msg, size_t len)
{
	etcdserverpb_MemberRemoveRequest req = etcdserverpb_MemberRemoveRequest_init_zero;
	cairn_ipc_MemberChange c = {.op = op};

	if (svc_decode(s, etcdserverpb_MemberRemoveRequest_fields, &req, msg, len) != 0)
		return 0;
	c.id = req.ID;
	return member_change_ask(s, &c);
}

_Static_assert(etcdserverpb_MemberPromoteRequest_ID_tag == etcdserverpb_MemberRemoveRequest_ID_tag,
    "MemberPromoteRequest reads as a MemberRemoveRequest");

int
svc_cluster_member_remove(struct gstream *s, const uint8_t *msg, size_t len)
{
	return member_by_id(s, RAFT_CONF_REMOVE, msg, len);
}

/* etcd 3.4 keeps an update's peer URLs as given, unchecked. */
int
svc_cluster_member_update(struct gstream *s, const uint8_t *msg, size_t len)
{
	etcdserverpb_MemberUpdateRequest req = etcdserverpb_MemberUpdateRequest_init_zero;
	cairn_ipc_MemberChange c = {.op = RAFT_CONF_UPDATE};

	if (svc_decode(s, etcdserverpb_MemberUpdateRequest_fields, &req, msg, len) != 0)
		return 0;
	c.id = req.ID;
	c.peer_urls_count = req.peerURLs_count;
	for (pb_size_t i = 0; i < req.peerURLs_count; i++)
		memcpy(c.peer_urls[i], req.peerURLs[i], sizeof(c.peer_urls[i]));
	return member_change_ask(s, &c);
}

int
svc_cluster_member_promote(struct gstream *s, const uint8_t *msg, size_t len)
{
	return member_by_id(s, RAFT_CONF_PROMOTE, msg, len);
}
