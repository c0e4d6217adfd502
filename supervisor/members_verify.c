/*
 * supervisor: etcd 3.4's bootstrap checks on the initial cluster
 * (etcdserver/config.go VerifyBootstrap) and their messages, word for
 * word, so that a misconfigured member fails as etcd would.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shared/assert.h"
#include "shared/err.h"
#include "shared/go_quote.h"
#include "shared/xmalloc.h"
#include "supervisor/flags.h"
#include "supervisor/members_priv.h"

/* Room for one URL quoted as Go's %q: at most four bytes per byte. */
#define QUOTED_URL_BYTES (4 * MEMBER_URL_BYTES_MAX + 3)
/* One "name=url" pair of etcd's URLsMap.String(). */
#define PAIR_BYTES (MEMBER_NAME_BYTES_MAX + MEMBER_URL_BYTES_MAX)

/* The caller's error line, filled piece by piece; a message longer than
 * the buffer is cut short, never overrun. */
struct err_line {
	char *p;
	size_t cap;
	size_t len;
};

static void __attribute__((format(printf, 2, 3)))
put(struct err_line *e, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (e->len + 1 >= e->cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(e->p + e->len, e->cap - e->len, fmt, ap);
	va_end(ap);
	CAIRN_ASSERT(n >= 0);
	e->len += (size_t)n < e->cap - e->len ? (size_t)n : e->cap - e->len - 1;
}

static bool
has_url(const struct member *m, const char *url)
{
	for (size_t i = 0; i < m->urls_len; i++) {
		if (strcmp(m->urls[i], url) == 0)
			return true;
	}
	return false;
}

/* Go's %q of a []string: ["a" "b"]. */
static void
put_quoted_list(struct err_line *e, const struct member *m)
{
	char q[QUOTED_URL_BYTES];

	put(e, "[");
	for (size_t i = 0; i < m->urls_len; i++) {
		go_quote(q, sizeof(q), m->urls[i]);
		put(e, "%s%s", i > 0 ? " " : "", q);
	}
	put(e, "]");
}

/* The URLs joined by ',', each as "name=url" when 'pairs'. */
static void
put_urls(struct err_line *e, const struct member *m, bool pairs)
{
	for (size_t i = 0; i < m->urls_len; i++) {
		put(e, "%s%s%s%s", i > 0 ? "," : "", pairs ? m->name : "",
		    pairs ? "=" : "", m->urls[i]);
	}
}

/* The URLs of 'a' missing from 'b', each once, joined by ','; as "name=url"
 * when 'pairs'. Returns how many. 'e' NULL: count only. */
static size_t
put_missing(struct err_line *e, const struct member *a, const struct member *b,
    bool pairs)
{
	size_t n = 0;

	for (size_t i = 0; i < a->urls_len; i++) {
		if (has_url(b, a->urls[i]) || (i > 0 && strcmp(a->urls[i], a->urls[i - 1]) == 0))
			continue;
		if (e != NULL)
			put(e, "%s%s%s%s", n > 0 ? "," : "", pairs ? a->name : "",
			    pairs ? "=" : "", a->urls[i]);
		n++;
	}
	return n;
}

/* The error of etcd's netutil.URLStringsEqual(advertised, cluster), which
 * etcd prints in parentheses. Both lists are sorted. */
static void
put_unequal_cause(struct err_line *e, const struct member *adv,
    const struct member *self)
{
	char qa[QUOTED_URL_BYTES], qs[QUOTED_URL_BYTES];

	if (adv->urls_len != self->urls_len) {
		put(e, "len(");
		put_quoted_list(e, adv);
		put(e, ") != len(");
		put_quoted_list(e, self);
		put(e, ")");
		return;
	}
	for (size_t i = 0; i < adv->urls_len; i++) {
		if (strcmp(adv->urls[i], self->urls[i]) == 0)
			continue;
		go_quote(qa, sizeof(qa), adv->urls[i]);
		go_quote(qs, sizeof(qs), self->urls[i]);
		put(e, "resolved urls: %s != %s", qa, qs);
		return;
	}
	CAIRN_ASSERT(!"lists differ");
}

int
members_verify_advertise(const struct member *self, const struct member *adv,
    char *err, size_t errlen)
{
	struct err_line e = {.p = err, .cap = errlen};
	bool same = adv->urls_len == self->urls_len;

	CAIRN_ASSERT(errlen > 0);
	CAIRN_ASSERT(strcmp(self->name, adv->name) == 0);
	for (size_t i = 0; same && i < adv->urls_len; i++)
		same = strcmp(adv->urls[i], self->urls[i]) == 0;
	if (same)
		return 0;
	err[0] = '\0';
	if (put_missing(NULL, self, adv, true) > 0) {
		put(&e, "--initial-cluster has ");
		put_missing(&e, self, adv, true);
		put(&e, " but missing from --initial-advertise-peer-urls=");
		put_urls(&e, adv, false);
		put(&e, " (");
		put_unequal_cause(&e, adv, self);
		put(&e, ")");
	} else if (put_missing(NULL, adv, self, false) > 0) {
		/* etcd names the advertised URLs "--initial-cluster" here. */
		put(&e, "--initial-advertise-peer-urls has ");
		put_missing(&e, adv, self, false);
		put(&e, " but missing from --initial-cluster=");
		put_urls(&e, adv, true);
	} else {
		/* The same URLs, but one list repeats some. */
		put(&e, "failed to resolve ");
		put_urls(&e, adv, false);
		put(&e, " to match --initial-cluster=");
		put_urls(&e, adv, true);
		put(&e, " (");
		put_unequal_cause(&e, adv, self);
		put(&e, ")");
	}
	return CAIRN_EINVAL;
}

static int
pair_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* etcd's URLsMap.String(): every "name=url" pair, sorted, joined by ','. */
static void
put_cluster(struct err_line *e, const struct members *ms)
{
	char (*pairs)[PAIR_BYTES];
	size_t n = 0;

	pairs = xcalloc(RAFT_MEMBERS_MAX * MEMBER_URLS_MAX, sizeof(*pairs));
	for (size_t i = 0; i < ms->n; i++) {
		for (size_t j = 0; j < ms->m[i].urls_len; j++) {
			snprintf(pairs[n++], PAIR_BYTES, "%s=%s", ms->m[i].name,
			    ms->m[i].urls[j]);
		}
	}
	qsort(pairs, n, sizeof(*pairs), pair_cmp);
	for (size_t i = 0; i < n; i++)
		put(e, "%s%s", i > 0 ? "," : "", pairs[i]);
	free(pairs);
}

/* Whether any URL appears twice: within a member or across members. */
static bool
has_duplicate_url(const struct members *ms)
{
	for (size_t i = 0; i < ms->n; i++) {
		for (size_t j = 0; j < ms->m[i].urls_len; j++) {
			const char *url = ms->m[i].urls[j];

			/* URLs are sorted: a repeat within a member is adjacent. */
			if (j > 0 && strcmp(url, ms->m[i].urls[j - 1]) == 0)
				return true;
			for (size_t k = i + 1; k < ms->n; k++) {
				if (has_url(&ms->m[k], url))
					return true;
			}
		}
	}
	return false;
}

int
members_verify_unique_urls(const struct members *ms, char *err, size_t errlen)
{
	struct err_line e = {.p = err, .cap = errlen};

	CAIRN_ASSERT(ms->n <= RAFT_MEMBERS_MAX);
	CAIRN_ASSERT(errlen > 0);
	if (!has_duplicate_url(ms))
		return 0;
	err[0] = '\0';
	put(&e, "initial cluster ");
	put_cluster(&e, ms);
	put(&e, " has duplicate url");
	return CAIRN_EINVAL;
}
