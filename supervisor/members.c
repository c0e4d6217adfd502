/*
 * supervisor: reads --initial-cluster as etcd's types.NewURLsMap does and
 * derives member and cluster IDs as etcd's membership.NewMember and
 * RaftCluster.genID do, so that cairn and etcd members given the same
 * flags agree on every ID.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shared/assert.h"
#include "shared/err.h"
#include "shared/go_quote.h"
#include "shared/member_id.h"
#include "shared/url.h"
#include "shared/xmalloc.h"
#include "supervisor/flags.h"
#include "supervisor/members.h"
#include "supervisor/members_priv.h"

/* etcd's --initial-advertise-peer-urls default. An empty value keeps it:
 * the flag's "" exception adds no URL (pkg/flags UniqueURLs.Set). */
#define ADVERTISE_DEFAULT "http://localhost:2380"

/* Room for a name quoted as Go's %q: at most four bytes per byte. */
#define QUOTED_NAME_BYTES (4 * MEMBER_NAME_BYTES_MAX + 3)
#define WHY_BYTES 512

/* NewMember without a timestamp; the URLs are already sorted. */
static uint64_t
member_id(const struct member *m, const char *token)
{
	const char *urls[MEMBER_URLS_MAX];

	CAIRN_ASSERT(m->urls_len > 0 && m->urls_len <= MEMBER_URLS_MAX);
	for (size_t i = 0; i < m->urls_len; i++)
		urls[i] = m->urls[i];
	return member_id_make(urls, m->urls_len, token, NULL);
}

/* genID over the members, already by ascending ID. */
static uint64_t
cluster_id(const struct members *ms)
{
	uint64_t ids[RAFT_MEMBERS_MAX];

	for (size_t i = 0; i < ms->n; i++)
		ids[i] = ms->m[i].id;
	return member_id_cluster(ids, ms->n);
}

/* The index of the member named name[0..len), or -1. */
static int
find_member(const struct members *ms, const char *name, size_t len)
{
	for (size_t i = 0; i < ms->n; i++) {
		if (strlen(ms->m[i].name) == len && memcmp(ms->m[i].name, name, len) == 0)
			return (int)i;
	}
	return -1;
}

/* Adds 'url' to the member named name[0..len), a new one if need be. */
static int
add_url(struct members *ms, const char *name, size_t len, const char *url,
    char *err, size_t errlen)
{
	char why[WHY_BYTES], q[QUOTED_NAME_BYTES];
	int i = find_member(ms, name, len), rc;
	struct member *m;

	if (i < 0 && len >= MEMBER_NAME_BYTES_MAX) {
		snprintf(err, errlen, "--initial-cluster: a member name is longer than %d bytes",
		    MEMBER_NAME_BYTES_MAX - 1);
		return CAIRN_EINVAL;
	}
	if (i < 0 && ms->n == RAFT_MEMBERS_MAX) {
		snprintf(err, errlen, "--initial-cluster: more than %d members", RAFT_MEMBERS_MAX);
		return CAIRN_EINVAL;
	}
	if (i < 0) {
		i = (int)ms->n++;
		memcpy(ms->m[i].name, name, len);
		ms->m[i].name[len] = '\0';
	}
	m = &ms->m[i];
	if (m->urls_len == MEMBER_URLS_MAX) {
		go_quote(q, sizeof(q), m->name);
		snprintf(err, errlen, "--initial-cluster: member %s has more than %d peer URLs",
		    q, MEMBER_URLS_MAX);
		return CAIRN_EINVAL;
	}
	rc = url_canon(url, m->urls[m->urls_len], sizeof(m->urls[0]), why, sizeof(why));
	if (rc != 0) {
		/* etcd's wording for its own URL errors; cairn's for its bound. */
		snprintf(err, errlen, "%s: %s", rc == CAIRN_ETOOBIG ? "--initial-cluster" :
		    "error setting up initial cluster", why);
		return CAIRN_EINVAL;
	}
	m->urls_len++;
	return 0;
}

/* types.NewURLsMap: "name=url,..." where a name may repeat; empty
 * elements are skipped and an element without '=' is a name with the
 * URL "" (which then fails as a URL). */
static int
parse_cluster(const char *ic, struct members *ms, char *err, size_t errlen)
{
	char *copy = xstrdup(ic), *rest = copy, *elem, *eq;
	int rc = 0;

	while (rc == 0 && (elem = strsep(&rest, ",")) != NULL) {
		if (*elem == '\0')
			continue;
		eq = strchr(elem, '=');
		rc = add_url(ms, elem, eq != NULL ? (size_t)(eq - elem) : strlen(elem),
		    eq != NULL ? eq + 1 : "", err, errlen);
	}
	free(copy);
	return rc;
}

static int
url_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

void
members_sort_urls(struct member *m)
{
	qsort(m->urls, m->urls_len, sizeof(m->urls[0]), url_cmp);
}

int
members_parse_urls(const char *flag, const char *val, const char *dflt, struct member *out,
    char *err, size_t errlen)
{
	char *copy = xstrdup(*val != '\0' ? val : dflt), *rest = copy, *u;
	char why[WHY_BYTES];
	int rc = 0;

	out->urls_len = 0;
	while (rc == 0 && (u = strsep(&rest, ",")) != NULL) {
		if (out->urls_len == MEMBER_URLS_MAX) {
			snprintf(err, errlen, "--%s: more than %d URLs", flag, MEMBER_URLS_MAX);
			rc = CAIRN_EINVAL;
		} else if (url_canon(u, out->urls[out->urls_len], sizeof(out->urls[0]),
		    why, sizeof(why)) != 0) {
			snprintf(err, errlen, "--%s: %s", flag, why);
			rc = CAIRN_EINVAL;
		} else {
			out->urls_len++;
		}
	}
	free(copy);
	members_sort_urls(out);
	return rc;
}

/* The advertised peer URLs as etcd holds them. */
static int
parse_advertise(const char *val, const char *name, struct member *adv,
    char *err, size_t errlen)
{
	memset(adv, 0, sizeof(*adv));
	snprintf(adv->name, sizeof(adv->name), "%s", name);
	return members_parse_urls("initial-advertise-peer-urls", val, ADVERTISE_DEFAULT, adv,
	    err, errlen);
}

/* NewClusterFromURLsMap's checks on the IDs, in --initial-cluster order
 * where etcd goes in Go map order: no two alike, none zero (raft.None). */
static int
assign_ids(struct members *ms, const char *token, char *err, size_t errlen)
{
	char urls[MEMBER_URLS_MAX * MEMBER_URL_BYTES_MAX];
	struct member *m;

	for (size_t i = 0; i < ms->n; i++) {
		m = &ms->m[i];
		m->id = member_id(m, token);
		for (size_t j = 0; j < i; j++) {
			if (ms->m[j].id != m->id)
				continue;
			urls[0] = '\0';
			for (size_t k = 0; k < m->urls_len; k++) {
				strcat(urls, k > 0 ? " " : "");
				strcat(urls, m->urls[k]);
			}
			/* Go's %v of the *Member: ID, RaftAttributes, Attributes. */
			snprintf(err, errlen, "member exists with identical ID "
			    "&{%" PRIx64 " {[%s] false} {%s []}}", m->id, urls, m->name);
			return CAIRN_EINVAL;
		}
		if (m->id == 0) {
			snprintf(err, errlen, "cannot use 0 as member id");
			return CAIRN_EINVAL;
		}
	}
	return 0;
}

static int
by_id(const void *a, const void *b)
{
	const struct member *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

int
members_from_config(const struct config *cfg, struct members *out, char *err,
    size_t errlen)
{
	const char *ic = config_get(cfg, "initial-cluster", NULL);
	const char *token = config_get(cfg, "initial-cluster-token", NULL);
	const char *state = config_get(cfg, "initial-cluster-state", NULL);
	char q[QUOTED_NAME_BYTES];
	struct member adv;
	int self, rc;

	CAIRN_ASSERT(ic != NULL && token != NULL && state != NULL);
	CAIRN_ASSERT(errlen > 0);
	memset(out, 0, sizeof(*out));
	err[0] = '\0';
	if ((rc = parse_cluster(ic, out, err, errlen)) != 0)
		return rc;
	for (size_t i = 0; i < out->n; i++)
		members_sort_urls(&out->m[i]);
	/* etcd's VerifyBootstrap, in its order. */
	if ((self = find_member(out, cfg->name, strlen(cfg->name))) < 0) {
		go_quote(q, sizeof(q), cfg->name);
		snprintf(err, errlen, "couldn't find local name %s in the initial cluster configuration", q);
		return CAIRN_EINVAL;
	}
	/* Joining an existing cluster (VerifyJoinExisting) skips this one. */
	if (strcmp(state, "existing") != 0) {
		rc = parse_advertise(config_get(cfg, "initial-advertise-peer-urls", NULL),
		    cfg->name, &adv, err, errlen);
		if (rc != 0 || (rc = members_verify_advertise(&out->m[self], &adv, err, errlen)) != 0)
			return rc;
	}
	if ((rc = members_verify_unique_urls(out, err, errlen)) != 0)
		return rc;
	if ((rc = assign_ids(out, token, err, errlen)) != 0)
		return rc;
	qsort(out->m, out->n, sizeof(out->m[0]), by_id);
	out->cluster_id = cluster_id(out);
	out->self = (size_t)find_member(out, cfg->name, strlen(cfg->name));
	return 0;
}
