/*
 * supervisor and netd: Go's url.URL.String() of a parsed URL (go1.19
 * net/url, the Go that Debian's etcd 3.4 is built with), for the URLs
 * types.NewURLs accepts. Decoding and re-encoding follow net/url's
 * unescape, escape, shouldEscape and validEncoded.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "shared/assert.h"
#include "shared/err.h"
#include "shared/url.h"

/* The net/url encodings a peer URL's text goes through. */
enum canon_mode {
	CANON_HOST,     /* encodeHost */
	CANON_USERINFO, /* encodeUserPassword */
	CANON_FRAGMENT, /* encodeFragment */
};

/* A bounded output string; 'over' once something did not fit. */
struct canon_out {
	char *p;
	size_t cap;
	size_t len;
	bool over;
};

static void
put(struct canon_out *o, const char *s, size_t n)
{
	if (o->over || n >= o->cap - o->len) {
		o->over = true;
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
}

static bool
is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int
hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* net/url's shouldEscape for the three modes used here. */
static bool
should_escape(unsigned char c, enum canon_mode mode)
{
	if (is_alnum(c))
		return false;
	if (c == 0)
		return true;
	if (mode == CANON_HOST && strchr("!$&'()*+,;=:[]<>\"", c) != NULL)
		return false;
	if (strchr("-_.~", c) != NULL)
		return false;
	if (strchr("$&+,/:;=?@", c) != NULL) {
		if (mode == CANON_USERINFO)
			return c == '@' || c == '/' || c == '?' || c == ':';
		if (mode == CANON_FRAGMENT)
			return false;
	}
	if (mode == CANON_FRAGMENT && strchr("!()*", c) != NULL)
		return false;
	return true;
}

/* net/url's validEncoded for a fragment: Go keeps such text as given. */
static bool
fragment_valid_encoded(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c != 0 && strchr("!$&'()*+,;=:@[]%", c) != NULL)
			continue;
		if (should_escape(c, CANON_FRAGMENT))
			return false;
	}
	return true;
}

/* Decodes the %-escapes of s[0..n) and writes the bytes escaped as Go's
 * escape(s, mode) does. Returns 0, or CAIRN_EINVAL on a bad escape. */
static int
put_recoded(struct canon_out *o, const char *s, size_t n, enum canon_mode mode)
{
	static const char upperhex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[3];

		if (c == '%') {
			if (i + 2 >= n || hex_value((unsigned char)s[i + 1]) < 0 ||
			    hex_value((unsigned char)s[i + 2]) < 0)
				return CAIRN_EINVAL;
			c = (unsigned char)(hex_value((unsigned char)s[i + 1]) << 4 |
			    hex_value((unsigned char)s[i + 2]));
			i += 2;
		}
		if (!should_escape(c, mode)) {
			put(o, (const char *)&c, 1);
			continue;
		}
		esc[0] = '%';
		esc[1] = upperhex[c >> 4];
		esc[2] = upperhex[c & 15];
		put(o, esc, sizeof(esc));
	}
	return 0;
}

/* The length of the scheme at s[0..n) as Go's getScheme finds it, or 0. */
static size_t
scheme_len(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
			continue;
		if (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'))
			continue;
		return c == ':' ? i : 0;
	}
	return 0;
}

/* "user[:password]@" of an authority, re-escaped; user info splits at its
 * first ':' (net/url parseAuthority). */
static int
put_userinfo(struct canon_out *o, const char *s, size_t n)
{
	const char *colon = memchr(s, ':', n);
	size_t user_len = colon != NULL ? (size_t)(colon - s) : n;

	if (put_recoded(o, s, user_len, CANON_USERINFO) != 0)
		return CAIRN_EINVAL;
	if (colon != NULL) {
		put(o, ":", 1);
		if (put_recoded(o, colon + 1, n - user_len - 1, CANON_USERINFO) != 0)
			return CAIRN_EINVAL;
	}
	put(o, "@", 1);
	return 0;
}

/* "#fragment": kept when validly escaped, else re-escaped; Go writes no
 * '#' for an empty fragment (any escape decodes to one byte). */
static int
put_fragment(struct canon_out *o, const char *f, size_t n)
{
	struct canon_out sink = {.over = true};

	if (n == 0)
		return 0;
	put(o, "#", 1);
	if (!fragment_valid_encoded(f, n))
		return put_recoded(o, f, n, CANON_FRAGMENT);
	/* Kept as given, but its escapes must decode (Go's setFragment). */
	if (put_recoded(&sink, f, n, CANON_FRAGMENT) != 0)
		return CAIRN_EINVAL;
	put(o, f, n);
	return 0;
}

/* The parts of a URL, as spans of the trimmed input. */
struct canon_parts {
	const char *scheme, *auth, *query, *frag;
	size_t scheme_len, auth_len, query_len, frag_len;
	bool has_query;
};

/* Splits s[0..n) as url.Parse does: '#' first, then '?', then the scheme
 * and "//authority". Returns 0, or CAIRN_EINVAL with a reason. */
static int
canon_split(const char *s, size_t n, struct canon_parts *u, char *why,
    size_t whylen)
{
	const char *hash = memchr(s, '#', n), *q;
	size_t before = hash != NULL ? (size_t)(hash - s) : n;

	memset(u, 0, sizeof(*u));
	if (hash != NULL) {
		u->frag = hash + 1;
		u->frag_len = n - before - 1;
	}
	q = memchr(s, '?', before);
	if (q != NULL) {
		u->has_query = true;
		u->query = q + 1;
		u->query_len = before - (size_t)(q + 1 - s);
		before = (size_t)(q - s);
	}
	u->scheme = s;
	u->scheme_len = scheme_len(s, before);
	if (u->scheme_len == 0 || before < u->scheme_len + 3 ||
	    strncmp(s + u->scheme_len, "://", 3) != 0) {
		snprintf(why, whylen, "URL has no scheme and host: %.*s", (int)n, s);
		return CAIRN_EINVAL;
	}
	u->auth = s + u->scheme_len + 3;
	u->auth_len = before - u->scheme_len - 3;
	if (memchr(u->auth, '/', u->auth_len) != NULL) {
		snprintf(why, whylen, "URL must not contain a path: %.*s", (int)n, s);
		return CAIRN_EINVAL;
	}
	return 0;
}

/* Writes the parts as url.URL.String() does. Returns 0, or CAIRN_EINVAL
 * on a bad %-escape. */
static int
canon_join(struct canon_out *o, const struct canon_parts *u)
{
	const char *at = NULL, *host;

	for (size_t i = 0; i < u->scheme_len; i++) {
		char c = u->scheme[i];

		c = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
		put(o, &c, 1);
	}
	put(o, "://", 3);
	/* The user info ends at the authority's last '@'. */
	for (const char *p = u->auth; p < u->auth + u->auth_len; p++)
		at = *p == '@' ? p : at;
	if (at != NULL && put_userinfo(o, u->auth, (size_t)(at - u->auth)) != 0)
		return CAIRN_EINVAL;
	host = at != NULL ? at + 1 : u->auth;
	if (put_recoded(o, host, u->auth_len - (size_t)(host - u->auth), CANON_HOST) != 0)
		return CAIRN_EINVAL;
	/* Go keeps RawQuery as given, and a lone '?' as ForceQuery. */
	if (u->has_query) {
		put(o, "?", 1);
		put(o, u->query, u->query_len);
	}
	return put_fragment(o, u->frag, u->frag_len);
}

int
url_canon(const char *in, char *out, size_t cap, char *why, size_t whylen)
{
	struct canon_out o = {.p = out, .cap = cap};
	struct canon_parts u;
	const char *s = in;
	size_t n;

	CAIRN_ASSERT(in != NULL && out != NULL);
	CAIRN_ASSERT(cap > 0);
	out[0] = '\0';
	/* strings.TrimSpace, for ASCII white space. */
	while (*s != '\0' && strchr(" \t\n\v\f\r", *s) != NULL)
		s++;
	n = strlen(s);
	while (n > 0 && strchr(" \t\n\v\f\r", s[n - 1]) != NULL)
		n--;
	if (canon_split(s, n, &u, why, whylen) != 0)
		return CAIRN_EINVAL;
	if (canon_join(&o, &u) != 0) {
		snprintf(why, whylen, "invalid URL escape in %.*s", (int)n, s);
		return CAIRN_EINVAL;
	}
	if (o.over) {
		snprintf(why, whylen, "URL longer than %zu bytes: %.*s", cap - 1, (int)n, s);
		return CAIRN_ETOOBIG;
	}
	return 0;
}

char *
url_trim_space(char *s)
{
	size_t n;

	while (*s != '\0' && strchr(" \t\n\v\f\r", *s) != NULL)
		s++;
	n = strlen(s);
	while (n > 0 && strchr(" \t\n\v\f\r", s[n - 1]) != NULL)
		s[--n] = '\0';
	return s;
}
