/*
 * supervisor and netd: the URLs etcd 3.4 takes (types.NewURLs's checks of
 * one URL) and the text it keeps for each, which is Go's url.URL.String()
 * after url.Parse. Member IDs hash this text, so it must match Go byte for
 * byte.
 */
#ifndef CAIRN_URL_H
#define CAIRN_URL_H

#include <stddef.h>

/*
 * Checks one URL as etcd's types.NewURLs does (after it trims the white
 * space; see url_trim_space): net/url.Parse must accept it, its scheme must
 * be http, https, unix or unixs, its host "host:port" as net.SplitHostPort
 * reads it, and it must have no path. 'in' is borrowed.
 * Returns 0, or CAIRN_EINVAL with Go's error text in why[whylen].
 */
int url_check(const char *in, char *why, size_t whylen);

/*
 * Writes Go's url.Parse(strings.TrimSpace(in)).String() to out[cap]: the
 * scheme lower-cased, user info and host decoded and re-escaped as Go
 * escapes them, the query kept as given, the fragment kept when validly
 * escaped (re-escaped otherwise) and dropped when empty.
 * 'in' should have passed url_check: a scheme, "//host:port", no path.
 * Only the shape needed here is checked.
 * Returns 0; CAIRN_EINVAL when 'in' has no scheme or authority, has a path
 * or a bad %-escape; or CAIRN_ETOOBIG when the text would not fit in
 * cap - 1 bytes. On error a reason is in why[whylen] and out is
 * unspecified.
 */
int url_canon(const char *in, char *out, size_t cap, char *why,
    size_t whylen);

/* A host and a port as text, NUL included. */
#define URL_HOST_BYTES 256
#define URL_PORT_BYTES 8

enum url_scheme { URL_SCHEME_NONE, URL_SCHEME_HTTP, URL_SCHEME_HTTPS };

/*
 * The host and port of "[http://|https://]host:port" (an IPv6 host in
 * brackets, given without them), to dial: into host[URL_HOST_BYTES] and
 * port[URL_PORT_BYTES], the scheme in *scheme (URL_SCHEME_NONE without
 * one). 'url' is borrowed. Returns 0, or CAIRN_EINVAL for another scheme,
 * no port or one not all digits, an empty host, or a host or port too long.
 */
int url_host_port(const char *url, enum url_scheme *scheme, char *host, char *port);

/* Strips Go's ASCII white space (strings.TrimSpace, as types.NewURLs
 * does to each URL) from both ends of s, in place; returns where the text
 * now starts. */
char *url_trim_space(char *s);

#endif
