/*
 * netd: a new client connection's first bytes decide its protocol, as
 * etcd's cmux decides on a plain client port: HTTP/2's connection
 * preface is gRPC (h2.c), anything else is HTTP/1.1 (http1.c).
 */
#ifndef CAIRN_NETD_SNIFF_H
#define CAIRN_NETD_SNIFF_H

#include <stdbool.h>

struct netd;

/* How long a client may take to send the bytes that decide. */
#define SNIFF_TIMEOUT_MS 10000

/* Serves a newly accepted client connection on fd (taken); with
 * 'tls_too' (an address given as both http and https), a first byte of
 * 22 (a TLS handshake record) makes it a TLS connection (tls.c). */
void sniff_accept(struct netd *n, int fd, bool tls_too);
/* Closes the connections still undecided (at exit). */
void sniff_close_all(struct netd *n);

#endif
