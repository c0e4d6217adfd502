/*
 * stored: etcd's membership checks (see member_check.h).
 */
#include <string.h>

#include "raftd/raft_types.h"
#include "shared/err.h"
#include "stored/member_check.h"
#include "stored/member_rec.h"
#include "stored/members.h"

/* One walk of the table: what every check needs. */
struct member_survey {
	const struct member_change *c;
	size_t voters, voters_started, learners;
	bool found, found_learner, found_started, url_taken;
};

static bool
url_listed(const struct member_change *c, struct req_bytes u)
{
	for (uint32_t i = 0; i < c->nurls; i++)
		if (c->urls[i].n == u.n && memcmp(c->urls[i].p, u.p, u.n) == 0)
			return true;
	return false;
}

static int
member_surveyed(void *arg, uint64_t id, const uint8_t *rec, uint32_t len)
{
	struct member_survey *sv = arg;
	struct member_view v;

	if (member_rec_view(rec, len, &v) != 0)
		return CAIRN_ECORRUPT;
	sv->learners += v.learner;
	sv->voters += !v.learner;
	sv->voters_started += !v.learner && v.started;
	if (id == sv->c->id) {
		sv->found = true;
		sv->found_learner = v.learner;
		sv->found_started = v.started;
		return 0; /* an update may keep its own URLs */
	}
	for (uint32_t i = 0; i < v.nurls; i++)
		sv->url_taken = sv->url_taken || url_listed(sv->c, v.urls[i]);
	return 0;
}

/* IsReadyTo*: would the started voters still make a quorum? */
static bool
member_quorum_kept(const struct member_survey *sv, uint8_t op)
{
	size_t members = sv->voters, started = sv->voters_started;

	switch (op) {
	case RAFT_CONF_ADD:
		/* etcd's exception: a second member for a one-member cluster
		 * (restoring a cluster from one member's data). */
		if (started == 1 && members + 1 == 2)
			return true;
		members++;
		break;
	case RAFT_CONF_REMOVE:
		if (sv->found && sv->found_learner)
			return true;
		members -= sv->found;
		started -= sv->found && sv->found_started;
		break;
	case RAFT_CONF_PROMOTE:
		/* the learner counts, as started */
		members++;
		started++;
		break;
	default:
		return true;
	}
	return started >= members / 2 + 1;
}

int
member_check(struct mvcc *s, const struct member_change *c)
{
	struct member_survey sv = {.c = c};
	const uint8_t *rec;
	uint32_t len;
	bool removed = false;
	int rc = members_get(s, c->id, &rec, &len, &removed);

	if (rc != 0 && rc != CAIRN_ENOENT)
		return rc;
	if ((rc = members_list(s, member_surveyed, &sv)) != 0)
		return rc;
	if (c->strict && !member_quorum_kept(&sv, c->op))
		return CAIRN_ENOTENOUGHSTARTED;
	if (removed)
		return CAIRN_EMEMBERNOTFOUND;
	switch (c->op) {
	case RAFT_CONF_ADD:
	case RAFT_CONF_ADD_LEARNER:
		if (sv.found)
			return CAIRN_EMEMBEREXIST;
		if (sv.url_taken)
			return CAIRN_EPEERURLEXIST;
		if (c->op == RAFT_CONF_ADD_LEARNER && sv.learners + 1 > MEMBER_LEARNERS_MAX)
			return CAIRN_ETOOMANYLEARNERS;
		return sv.voters + sv.learners >= RAFT_MEMBERS_MAX ? CAIRN_ETOOMANYMEMBERS : 0;
	case RAFT_CONF_REMOVE:
		return sv.found ? 0 : CAIRN_EMEMBERNOTFOUND;
	case RAFT_CONF_UPDATE:
		if (!sv.found)
			return CAIRN_EMEMBERNOTFOUND;
		return sv.url_taken ? CAIRN_EPEERURLEXIST : 0;
	case RAFT_CONF_PROMOTE:
		if (!sv.found)
			return CAIRN_EMEMBERNOTFOUND;
		return sv.found_learner ? 0 : CAIRN_ENOTLEARNER;
	}
	return CAIRN_EINVAL;
}
