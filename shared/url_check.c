/*
 * supervisor and netd: types.NewURLs's check of one URL (etcd 3.4
 * pkg/types/urls.go), with net/url.Parse's errors (go1.19, the Go that
 * Debian's etcd 3.4 is built with) as far as that check needs them. The
 * reasons are Go's texts, so they read as etcd's.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "shared/assert.h"
#include "shared/err.h"
#include "shared/go_quote.h"
#include "shared/url.h"

/* Bound on a quoted URL or port inside a reason; longer is cut short. */
#define URL_QUOTE_BYTES_MAX 256

/* Checks the %-escapes of s[0..len) as net/url's unescape does. With
 * 'host', also the characters a host name may hold. */
static int
url_unescape_check(const char *s, size_t len, bool host, char *why,
    size_t whylen, const char *in)
{
	char q[URL_QUOTE_BYTES_MAX], esc[4];

	go_quote(q, sizeof(q), in);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '%') {
			bool ok = i + 2 < len && isxdigit((unsigned char)s[i + 1]) &&
			    isxdigit((unsigned char)s[i + 2]);

			/* In a host only non-ASCII bytes (and %25) may be
			 * escaped: a first hex digit below 8 is ASCII. */
			if (ok && host && s[i + 1] < '8' &&
			    strncmp(s + i, "%25", 3) != 0)
				ok = false;
			if (!ok) {
				snprintf(esc, sizeof(esc), "%.*s", (int)(len - i < 3 ? len - i : 3), s + i);
				snprintf(why, whylen, "parse %s: invalid URL escape \"%s\"", q, esc);
				return CAIRN_EINVAL;
			}
			i += 2;
		} else if (host && c < 0x80 && !isalnum(c) &&
		    strchr("-_.~!$&'()*+,;=:[]<>\"", c) == NULL) {
			snprintf(why, whylen, "parse %s: invalid character \"%c\" in host name", q, c);
			return CAIRN_EINVAL;
		}
	}
	return 0;
}

/* The parts of one URL that etcd's checks look at, as offsets into it. */
struct url_parts {
	size_t scheme_len;
	const char *host;
	size_t host_len;
	size_t path_len;
};

/* An empty port, or ':' and digits (net/url's validOptionalPort). */
static bool
url_port_ok(const char *p, size_t len)
{
	if (len == 0)
		return true;
	if (p[0] != ':')
		return false;
	for (size_t i = 1; i < len; i++) {
		if (!isdigit((unsigned char)p[i]))
			return false;
	}
	return true;
}

/* net/url's parseAuthority: userinfo, then the host and its port. */
static int
url_parse_authority(const char *a, size_t len, struct url_parts *u,
    const char *q, char *why, size_t whylen, const char *in)
{
	const char *h = a, *colon = NULL, *rb = NULL;
	char qp[URL_QUOTE_BYTES_MAX], port[URL_QUOTE_BYTES_MAX];

	for (size_t i = 0; i < len; i++) {
		if (a[i] == '@')
			h = a + i + 1;
	}
	for (const char *p = a; p + 1 < h; p++) {
		if (!isalnum((unsigned char)*p) && strchr("-._:~!$&'()*+,;=%@", *p) == NULL) {
			snprintf(why, whylen, "parse %s: net/url: invalid userinfo", q);
			return CAIRN_EINVAL;
		}
	}
	if (h > a && url_unescape_check(a, (size_t)(h - 1 - a), false, why, whylen, in) != 0)
		return CAIRN_EINVAL;
	u->host = h;
	u->host_len = len - (size_t)(h - a);
	for (size_t i = 0; i < u->host_len; i++) {
		rb = h[i] == ']' ? h + i : rb;
		colon = h[i] == ':' ? h + i : colon;
	}
	if (u->host_len > 0 && h[0] == '[' && rb == NULL) {
		snprintf(why, whylen, "parse %s: missing ']' in host", q);
		return CAIRN_EINVAL;
	}
	if (u->host_len > 0 && h[0] == '[')
		colon = rb + 1;
	if (colon != NULL && !url_port_ok(colon, u->host_len - (size_t)(colon - h))) {
		snprintf(port, sizeof(port), "%.*s", (int)(u->host_len - (size_t)(colon - h)), colon);
		go_quote(qp, sizeof(qp), port);
		snprintf(why, whylen, "parse %s: invalid port %s after host", q, qp);
		return CAIRN_EINVAL;
	}
	return url_unescape_check(h, u->host_len, true, why, whylen, in);
}

/* net/url.Parse, as far as etcd's types.NewURLs needs it. */
static int
url_parse(const char *in, struct url_parts *u, char *why, size_t whylen)
{
	char q[URL_QUOTE_BYTES_MAX];
	size_t end = strcspn(in, "#"), i, rest, stop;

	go_quote(q, sizeof(q), in);
	memset(u, 0, sizeof(*u));
	for (i = 0; in[i] != '\0'; i++) {
		if ((unsigned char)in[i] < 0x20 || in[i] == 0x7f) {
			snprintf(why, whylen, "parse %s: net/url: invalid control character in URL", q);
			return CAIRN_EINVAL;
		}
	}
	if (in[end] == '#' && url_unescape_check(in + end + 1, strlen(in + end + 1),
	    false, why, whylen, in) != 0)
		return CAIRN_EINVAL;
	for (i = 0; i < end; i++) {
		if (!isalpha((unsigned char)in[i]) &&
		    (i == 0 || (!isdigit((unsigned char)in[i]) && strchr("+-.", in[i]) == NULL)))
			break;
	}
	if (in[i] == ':' && i == 0) {
		snprintf(why, whylen, "parse %s: missing protocol scheme", q);
		return CAIRN_EINVAL;
	}
	u->scheme_len = i < end && in[i] == ':' ? i : 0;
	rest = u->scheme_len > 0 ? u->scheme_len + 1 : 0;
	stop = rest + strcspn(in + rest, "?#");
	if (in[rest] != '/' && u->scheme_len > 0)
		return 0; /* opaque: no host, no path */
	if (in[rest] != '/' && strcspn(in + rest, ":/") < strcspn(in + rest, "/")) {
		snprintf(why, whylen, "parse %s: first path segment in URL cannot contain colon", q);
		return CAIRN_EINVAL;
	}
	if (strncmp(in + rest, "//", 2) == 0 &&
	    (u->scheme_len > 0 || strncmp(in + rest, "///", 3) != 0)) {
		size_t alen = strcspn(in + rest + 2, "/?#");

		if (url_parse_authority(in + rest + 2, alen, u, q, why, whylen, in) != 0)
			return CAIRN_EINVAL;
		rest += 2 + alen;
	}
	u->path_len = stop > rest ? stop - rest : 0;
	return url_unescape_check(in + rest, u->path_len, false, why, whylen, in);
}

/* net.SplitHostPort succeeds on h[0..len). */
static bool
url_host_port_ok(const char *h, size_t len)
{
	size_t last = len, close = len, j = 0, k = 0;

	for (size_t i = 0; i < len; i++) {
		last = h[i] == ':' ? i : last;
		close = h[i] == ']' && close == len ? i : close;
	}
	if (last == len)
		return false;
	if (h[0] == '[') {
		if (close == len || close + 1 != last)
			return false;
		j = 1;
		k = close + 1;
	} else if (memchr(h, ':', last) != NULL) {
		return false;
	}
	return memchr(h + j, '[', len - j) == NULL && memchr(h + k, ']', len - k) == NULL;
}

int
url_check(const char *in, char *why, size_t whylen)
{
	static const char *const schemes[] = {"http", "https", "unix", "unixs"};
	struct url_parts u;
	bool scheme_ok = false;

	CAIRN_ASSERT(in != NULL);
	CAIRN_ASSERT(why != NULL);
	if (url_parse(in, &u, why, whylen) != 0)
		return CAIRN_EINVAL;
	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		if (strlen(schemes[i]) == u.scheme_len &&
		    strncasecmp(in, schemes[i], u.scheme_len) == 0)
			scheme_ok = true;
	}
	if (!scheme_ok) {
		snprintf(why, whylen, "URL scheme must be http, https, unix, or unixs: %s", in);
		return CAIRN_EINVAL;
	}
	if (!url_host_port_ok(u.host, u.host_len)) {
		snprintf(why, whylen, "URL address does not have the form \"host:port\": %s", in);
		return CAIRN_EINVAL;
	}
	if (u.path_len > 0) {
		snprintf(why, whylen, "URL must not contain a path: %s", in);
		return CAIRN_EINVAL;
	}
	return 0;
}
