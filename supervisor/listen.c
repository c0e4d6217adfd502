/*
 * supervisor: binds the listening TCP sockets of a --listen-*-urls flag
 * as etcd 3.4 does with Go's net.Listen("tcp", u.Host): the same address
 * for a name or a wildcard, the same error text. The URLs were checked
 * by flags_check; this file only takes them apart.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "shared/assert.h"
#include "shared/err.h"
#include "shared/log.h"
#include "shared/url.h"
#include "shared/xmalloc.h"
#include "supervisor/listen.h"

/* A decoded host name or literal; no name is longer (NI_MAXHOST). */
#define LISTEN_HOST_BYTES_MAX 1025
/* Go's TCPAddr.String(): "[" IPv6 "%" zone "]:" port. */
#define LISTEN_ADDR_BYTES_MAX (INET6_ADDRSTRLEN + IF_NAMESIZE + 16)

/* Where one URL says to listen. */
struct listen_url {
	bool tls;
	char host[LISTEN_HOST_BYTES_MAX]; /* %-decoded, brackets removed */
	uint16_t port;
};

/* Per kind: the flag, and the log's words for the traffic. */
static const char *const listen_flag[] = {
	[cairn_ipc_Listener_Kind_CLIENT] = "--listen-client-urls",
	[cairn_ipc_Listener_Kind_PEER] = "--listen-peer-urls",
	[cairn_ipc_Listener_Kind_METRICS] = "--listen-metrics-urls",
};
static const char *const listen_traffic[] = {
	[cairn_ipc_Listener_Kind_CLIENT] = "client requests",
	[cairn_ipc_Listener_Kind_PEER] = "peer traffic",
	[cairn_ipc_Listener_Kind_METRICS] = "metrics",
};

void
listen_init(struct listen_set *ls)
{
	CAIRN_ASSERT(ls != NULL);
	memset(ls, 0, sizeof(*ls));
	for (size_t i = 0; i < LISTEN_SOCKETS_MAX; i++)
		ls->socks[i].fd = -1;
}

/* Go's text of an errno: the C library's, first letter lower-cased. */
static void
listen_errno_text(int errnum, char *out, size_t cap)
{
	snprintf(out, cap, "%s", strerror(errnum));
	out[0] = (char)tolower((unsigned char)out[0]);
}

static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* net/url's unescape of a host: the n bytes at 's' into out[cap]. */
static bool
listen_host_decode(const char *s, size_t n, char *out, size_t cap)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c == '%' && i + 2 < n && hex_digit(s[i + 1]) >= 0 && hex_digit(s[i + 2]) >= 0) {
			c = (char)(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2]));
			i += 2;
		}
		if (o + 1 >= cap)
			return false;
		out[o++] = c;
	}
	out[o] = '\0';
	return true;
}

/* The port after the host: Go's LookupPort of a decimal port; empty is
 * refused (Go would take port 0: nobody could find the member). */
static int
listen_port_parse(const char *hostport, const char *p, uint16_t *port, char *err,
    size_t errlen)
{
	uint32_t v = 0;

	if (*p == '\0') {
		snprintf(err, errlen, "listen tcp: address %s: missing port in address", hostport);
		return CAIRN_EINVAL;
	}
	for (const char *q = p; *q != '\0'; q++) {
		if (!isdigit((unsigned char)*q) || (v = v * 10 + (uint32_t)(*q - '0')) > 65535) {
			snprintf(err, errlen, "listen tcp: address %s: invalid port", p);
			return CAIRN_EINVAL;
		}
	}
	*port = (uint16_t)v;
	return 0;
}

/* Takes 'url' apart (it is cut up in place): scheme, host and port. */
static int
listen_url_parse(char *url, struct listen_url *u, char *err, size_t errlen)
{
	char *sep = strstr(url, "://"), *hostport, *at, *host, *colon;
	size_t scheme_len = sep != NULL ? (size_t)(sep - url) : 0;

	if (sep == NULL || (scheme_len != 4 && scheme_len != 5) ||
	    strncasecmp(url, "https", scheme_len) != 0) {
		snprintf(err, errlen, "cannot listen on %s: cairn listens on http and https URLs only",
		    url);
		return CAIRN_EINVAL;
	}
	u->tls = scheme_len == 5;
	hostport = sep + 3;
	hostport[strcspn(hostport, "/?#")] = '\0';
	if ((at = strrchr(hostport, '@')) != NULL)
		hostport = at + 1;
	host = hostport;
	colon = strrchr(hostport, ':');
	if (host[0] == '[') {
		host++;
		colon = strchr(host, ']');
		colon = colon != NULL && colon[1] == ':' ? colon + 1 : NULL;
	}
	if (colon == NULL) {
		snprintf(err, errlen, "listen tcp: address %s: missing port in address", hostport);
		return CAIRN_EINVAL;
	}
	if (listen_port_parse(hostport, colon + 1, &u->port, err, errlen) != 0)
		return CAIRN_EINVAL;
	if (!listen_host_decode(host, (size_t)(colon - host) - (host != hostport), u->host,
	    sizeof(u->host))) {
		snprintf(err, errlen, "listen tcp: lookup %.64s...: no such host", host);
		return CAIRN_EINVAL;
	}
	return 0;
}

/* Why a name did not resolve, in Go's words. */
static void
listen_lookup_error(const char *host, int gai, char *err, size_t errlen)
{
	char why[128];

	if (gai == EAI_NONAME || gai == EAI_NODATA || gai == EAI_ADDRFAMILY)
		snprintf(why, sizeof(why), "no such host");
	else if (gai == EAI_SYSTEM)
		listen_errno_text(errno, why, sizeof(why));
	else
		snprintf(why, sizeof(why), "%s", gai_strerror(gai));
	why[0] = (char)tolower((unsigned char)why[0]);
	snprintf(err, errlen, "listen tcp: lookup %s: %s", host, why);
}

/* Go's pick for net.Listen: an IP literal as it is, "localhost" as
 * 127.0.0.1, a name as its first IPv4 address, else its first; an empty
 * host is the IPv4 wildcard (listen_bind makes every wildcard dual-stack).
 * An IPv4-mapped IPv6 address is IPv4 to Go. */
static int
listen_resolve(const struct listen_url *u, struct sockaddr_storage *ss, char *err,
    size_t errlen)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST};
	struct addrinfo *res, *pick;
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	int gai;

	memset(ss, 0, sizeof(*ss));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(u->host[0] == '\0' ? INADDR_ANY : INADDR_LOOPBACK);
	if (u->host[0] != '\0' && strcasecmp(u->host, "localhost") != 0) {
		if ((gai = getaddrinfo(u->host, NULL, &hints, &res)) != 0) {
			hints.ai_flags = 0;
			gai = getaddrinfo(u->host, NULL, &hints, &res);
		}
		if (gai != 0) {
			listen_lookup_error(u->host, gai, err, errlen);
			return CAIRN_EINVAL;
		}
		for (pick = res; pick != NULL && pick->ai_family != AF_INET; pick = pick->ai_next)
			;
		pick = pick != NULL ? pick : res;
		CAIRN_ASSERT(pick->ai_addrlen <= sizeof(*ss));
		memcpy(ss, pick->ai_addr, pick->ai_addrlen);
		freeaddrinfo(res);
	}
	if (ss->ss_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
		struct in_addr v4;

		memcpy(&v4, &sin6->sin6_addr.s6_addr[12], sizeof(v4));
		memset(ss, 0, sizeof(*ss));
		sin->sin_family = AF_INET;
		sin->sin_addr = v4;
	}
	if (ss->ss_family != AF_INET && ss->ss_family != AF_INET6) {
		snprintf(err, errlen, "listen tcp: lookup %s: no such host", u->host);
		return CAIRN_EINVAL;
	}
	if (ss->ss_family == AF_INET)
		sin->sin_port = htons(u->port);
	else
		sin6->sin6_port = htons(u->port);
	return 0;
}

/* Go's TCPAddr.String() of 'ss': "1.2.3.4:80", "[::1%eth0]:80", and
 * ":80" for the empty host ('no_host'). */
static void
listen_addr_text(const struct sockaddr_storage *ss, bool no_host, char *out, size_t cap)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;
	char ip[INET6_ADDRSTRLEN] = "", zone[IF_NAMESIZE + 1] = "";

	if (ss->ss_family == AF_INET) {
		if (!no_host)
			inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof(ip));
		snprintf(out, cap, "%s:%u", ip, ntohs(sin->sin_port));
		return;
	}
	CAIRN_ASSERT(ss->ss_family == AF_INET6);
	inet_ntop(AF_INET6, &sin6->sin6_addr, ip, sizeof(ip));
	if (sin6->sin6_scope_id != 0 && if_indextoname(sin6->sin6_scope_id, zone + 1) != NULL)
		zone[0] = '%';
	else if (sin6->sin6_scope_id != 0)
		snprintf(zone, sizeof(zone), "%%%u", sin6->sin6_scope_id);
	snprintf(out, cap, "[%s%s]:%u", ip, zone, ntohs(sin6->sin6_port));
}

static bool
listen_is_wildcard(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ((const struct sockaddr_in *)ss)->sin_addr.s_addr == htonl(INADDR_ANY);
	return IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)ss)->sin6_addr);
}

/* socket, SO_REUSEADDR, bind, listen, as Go's listenTCP. A wildcard
 * becomes [::] with IPV6_V6ONLY off, IPv4 included (Go's favoriteAddrFamily),
 * unless the host has no IPv6. 'addr' is the address for errors. Returns
 * 0 with the socket in *fd, or CAIRN_EIO with Go's error text. */
static int
listen_bind(const struct sockaddr_storage *ss, const char *addr, int *fd, char *err,
    size_t errlen)
{
	struct sockaddr_storage at = *ss;
	const char *call = "socket";
	char why[128];
	int one = 1, off = 0, s = -1;

	if (listen_is_wildcard(ss)) {
		struct sockaddr_in6 *any = (struct sockaddr_in6 *)&at;
		/* sin_port and sin6_port share their place. */
		uint16_t port = ((const struct sockaddr_in *)ss)->sin_port;

		s = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (s == -1 && errno != EAFNOSUPPORT)
			goto fail;
		if (s != -1) {
			memset(&at, 0, sizeof(at));
			any->sin6_family = AF_INET6;
			any->sin6_addr = in6addr_any;
			any->sin6_port = port;
			call = "setsockopt";
			if (setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) == -1)
				goto fail;
		}
	}
	call = "socket";
	if (s == -1 && (s = socket(at.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1)
		goto fail;
	call = "setsockopt";
	if (setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1)
		goto fail;
	call = "bind";
	if (bind(s, (const struct sockaddr *)&at, at.ss_family == AF_INET ?
	    sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6)) == -1)
		goto fail;
	call = "listen";
	if (listen(s, SOMAXCONN) == -1)
		goto fail;
	*fd = s;
	return 0;
fail:
	listen_errno_text(errno, why, sizeof(why));
	snprintf(err, errlen, "listen tcp %s: %s: %s", addr, call, why);
	if (s != -1)
		close(s);
	return CAIRN_EIO;
}

static bool
listen_same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	const struct sockaddr_in *a4 = (const void *)a, *b4 = (const void *)b;
	const struct sockaddr_in6 *a6 = (const void *)a, *b6 = (const void *)b;

	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return a4->sin_port == b4->sin_port && a4->sin_port != 0 &&
		    a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	return a6->sin6_port == b6->sin6_port && a6->sin6_port != 0 &&
	    memcmp(&a6->sin6_addr, &b6->sin6_addr, sizeof(a6->sin6_addr)) == 0;
}

/* etcd serves http and https on one address given both ways: the second
 * URL shares the first one's socket (netd then tells TLS from plain by
 * the first byte). True when the socket was shared. */
static bool
listen_share(struct listen_set *ls, cairn_ipc_Listener_Kind kind,
    const struct sockaddr_storage *ss, bool tls, const char *addr)
{
	for (size_t i = 0; i < ls->len; i++) {
		struct listen_socket *o = &ls->socks[i];
		struct sockaddr_storage os;
		socklen_t oslen = sizeof(os);

		if (o->info.kind != kind || o->info.tls == tls || o->info.plain_too ||
		    getsockname(o->fd, (struct sockaddr *)&os, &oslen) != 0 ||
		    !listen_same_addr(&os, ss))
			continue;
		o->info.tls = true;
		o->info.plain_too = true;
		log_infof(NULL, "serving http and https on %s", addr);
		return true;
	}
	return false;
}

/* Binds one URL (trimmed; cut up here) and appends it to 'ls'. */
static int
listen_one(struct listen_set *ls, cairn_ipc_Listener_Kind kind, char *url, char *err,
    size_t errlen)
{
	struct listen_socket *l = &ls->socks[ls->len];
	struct listen_url u;
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);
	char addr[LISTEN_ADDR_BYTES_MAX];
	struct log_fields f;
	int rc;

	CAIRN_ASSERT(ls->len < LISTEN_SOCKETS_MAX);
	*l = (struct listen_socket){.fd = -1, .info = cairn_ipc_Listener_init_zero};
	l->info.kind = kind;
	/* For logs only: a URL too long for the field is cut. */
	snprintf(l->info.url, sizeof(l->info.url), "%.*s", (int)sizeof(l->info.url) - 1, url);
	if ((rc = listen_url_parse(url, &u, err, errlen)) != 0 ||
	    (rc = listen_resolve(&u, &ss, err, errlen)) != 0)
		return rc;
	l->info.tls = u.tls;
	listen_addr_text(&ss, u.host[0] == '\0', addr, sizeof(addr));
	if (listen_share(ls, kind, &ss, u.tls, addr))
		return 0;
	if ((rc = listen_bind(&ss, addr, &l->fd, err, errlen)) != 0)
		return rc;
	ls->len++;
	/* The address bound: with port 0, the kernel chose the port. */
	if (getsockname(l->fd, (struct sockaddr *)&ss, &sslen) == 0)
		listen_addr_text(&ss, false, addr, sizeof(addr));
	log_fields_init(&f);
	log_field_str(&f, "url", l->info.url);
	log_field_str(&f, "address", addr);
	log_infof(&f, "listening for %s on %s", listen_traffic[kind], addr);
	return 0;
}

int
listen_add_urls(struct listen_set *ls, cairn_ipc_Listener_Kind kind, const char *urls,
    char *err, size_t errlen)
{
	size_t before = ls->len, n = 1;
	char *copy, *rest, *elem;
	int rc = 0;

	CAIRN_ASSERT(ls->len <= LISTEN_SOCKETS_MAX);
	CAIRN_ASSERT(kind >= cairn_ipc_Listener_Kind_CLIENT && kind <= cairn_ipc_Listener_Kind_METRICS);
	if (*urls == '\0')
		return 0;
	for (const char *p = urls; *p != '\0'; p++)
		n += *p == ',';
	if (n > LISTEN_SOCKETS_MAX - ls->len) {
		snprintf(err, errlen, "%s: %zu URLs; cairn listens on at most %d addresses in all",
		    listen_flag[kind], n, LISTEN_SOCKETS_MAX);
		return CAIRN_EINVAL;
	}
	copy = rest = xstrdup(urls);
	while (rc == 0 && (elem = strsep(&rest, ",")) != NULL)
		rc = listen_one(ls, kind, url_trim_space(elem), err, errlen);
	free(copy);
	if (rc != 0) {
		while (ls->len > before) {
			close(ls->socks[--ls->len].fd);
			ls->socks[ls->len].fd = -1;
		}
	}
	return rc;
}

void
listen_close(struct listen_set *ls)
{
	CAIRN_ASSERT(ls != NULL);
	CAIRN_ASSERT(ls->len <= LISTEN_SOCKETS_MAX);
	for (size_t i = 0; i < ls->len; i++) {
		close(ls->socks[i].fd);
		ls->socks[i].fd = -1;
	}
	ls->len = 0;
}
