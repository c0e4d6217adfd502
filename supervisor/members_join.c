/*
 * supervisor: the IDs of a member that joins a running cluster, from
 * the cluster's own membership (see members.h, members_join_assign).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shared/err.h"
#include "supervisor/members.h"

static bool
urls_equal(const struct member *a, const struct member *b)
{
	if (a->urls_len != b->urls_len)
		return false;
	for (size_t i = 0; i < a->urls_len; i++)
		if (strcmp(a->urls[i], b->urls[i]) != 0)
			return false;
	return true;
}

/* A member's peer URLs as Go prints a []string: [u1 u2]. */
static void
urls_text(const struct member *m, char *out, size_t cap)
{
	size_t o = 0;

	o += (size_t)snprintf(out + o, cap - o, "[");
	for (size_t i = 0; i < m->urls_len && o < cap; i++)
		o += (size_t)snprintf(out + o, cap - o, "%s%s", i > 0 ? " " : "", m->urls[i]);
	if (o < cap)
		(void)snprintf(out + o, cap - o, "]");
}

static int
by_id(const void *a, const void *b)
{
	const struct member *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

int
members_join_assign(struct members *local, const struct member *remote, size_t nremote,
    uint64_t cluster_id, char *err, size_t errlen)
{
	bool taken[RAFT_MEMBERS_MAX] = {false};
	char self[MEMBER_NAME_BYTES_MAX], urls[MEMBER_URLS_MAX * MEMBER_URL_BYTES_MAX];

	if (nremote != local->n) {
		snprintf(err, errlen, "error validating peerURLs {ClusterID:%llx}: member count is "
		    "unequal", (unsigned long long)cluster_id);
		return CAIRN_EINVAL;
	}
	for (size_t i = 0; i < nremote; i++) {
		size_t j;

		for (j = 0; j < local->n; j++)
			if (!taken[j] && urls_equal(&remote[i], &local->m[j]))
				break;
		if (j == local->n) {
			urls_text(&remote[i], urls, sizeof(urls));
			snprintf(err, errlen, "error validating peerURLs {ClusterID:%llx}: PeerURLs: no "
			    "match found for existing member (%llx, %s), last resolver error (<nil>)",
			    (unsigned long long)cluster_id, (unsigned long long)remote[i].id, urls);
			return CAIRN_EINVAL;
		}
		taken[j] = true;
		local->m[j].id = remote[i].id;
	}
	snprintf(self, sizeof(self), "%s", local->m[local->self].name);
	qsort(local->m, local->n, sizeof(local->m[0]), by_id);
	for (size_t i = 0; i < local->n; i++)
		if (strcmp(local->m[i].name, self) == 0)
			local->self = i;
	local->cluster_id = cluster_id;
	return 0;
}
