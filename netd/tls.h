/*
 * netd: TLS on the https client URLs (shared/tls.h): the server's
 * certificate and key, the CAs that sign client certificates
 * (--client-cert-auth) and their CRL, read once before netd drops its
 * privileges; a connection's plaintext goes to HTTP/2 (ALPN "h2") or
 * HTTP/1.1 (anything else).
 */
#ifndef CAIRN_NETD_TLS_H
#define CAIRN_NETD_TLS_H

#include "netd/h2.h"
#include "shared/proto/ipc.pb.h"
#include "shared/tls.h"

struct netd;

/* Reads the files NetdConfig names, or makes a certificate with
 * --auto-tls when none is given (etcd ignores --auto-tls beside one).
 * Returns 0, or CAIRN_EINVAL with the reason logged (a file that cannot
 * be read or parsed). With neither it does nothing (t stays not ready). */
int tls_server_init(struct tls_server *t, const cairn_ipc_NetdConfig *cfg);

/* Serves a new connection on an https listener: fd (taken). */
void tls_accept(struct netd *n, int fd);

#endif
