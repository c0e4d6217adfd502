/*
 * supervisor: the text etcd 3.4 keeps for a URL it was given, which is
 * Go's url.URL.String() after url.Parse. Member IDs hash this text, so it
 * must match Go byte for byte.
 */
#ifndef CAIRN_SUPERVISOR_URL_CANON_H
#define CAIRN_SUPERVISOR_URL_CANON_H

#include <stddef.h>

/*
 * Writes Go's url.Parse(strings.TrimSpace(in)).String() to out[cap]: the
 * scheme lower-cased, user info and host decoded and re-escaped as Go
 * escapes them, the query kept as given, the fragment kept when validly
 * escaped (re-escaped otherwise) and dropped when empty.
 * 'in' should have passed types.NewURLs's checks (flags_check does them):
 * a scheme, "//host:port", no path. Only the shape needed here is checked.
 * Returns 0; CAIRN_EINVAL when 'in' has no scheme or authority, has a path
 * or a bad %-escape; or CAIRN_ETOOBIG when the text would not fit in
 * cap - 1 bytes. On error a reason is in why[whylen] and out is
 * unspecified.
 */
int url_canon(const char *in, char *out, size_t cap, char *why,
    size_t whylen);

/* Strips Go's ASCII white space (strings.TrimSpace, as types.NewURLs
 * does to each URL) from both ends of s, in place; returns where the text
 * now starts. */
char *url_trim_space(char *s);

#endif
