/*
 * netd: TLS on the https client URLs (mbedTLS): the server's certificate
 * and key, the CAs that sign client certificates (--client-cert-auth) and
 * their CRL, read once before netd drops its privileges. Each connection
 * does its handshake on the socket, then its plaintext goes through a
 * libevent filter to HTTP/2 (ALPN "h2") or HTTP/1.1 (anything else).
 */
#ifndef CAIRN_NETD_TLS_H
#define CAIRN_NETD_TLS_H

#include <stdbool.h>

#include <event2/bufferevent.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crl.h>
#include <mbedtls/x509_crt.h>

#include "netd/h2.h"
#include "shared/cipher_suites.h"
#include "shared/proto/ipc.pb.h"

/* A handshake must be over within this. */
#define TLS_HANDSHAKE_TIMEOUT_MS 10000
/* TLS bytes queued for the socket beyond which the plaintext waits. */
#define TLS_OUT_BYTES_MAX (256u << 10)

struct netd;

/* The files and choices one TLS end is made of (NetdConfig's, for the
 * client URLs or the peer URLs). Borrowed. */
struct tls_files {
	const char *cert_file, *key_file, *trusted_ca_file, *crl_file, *cipher_suites;
	bool client_cert_auth;      /* a server: require and verify the client's */
	bool auto_tls;              /* no files: a self-signed certificate */
	bool alpn;                  /* offer "h2" and "http/1.1" (client URLs) */
	const char *allowed_cn;     /* a server: the one client CN let in ("": any) */
};

struct tls_server {
	bool ready;
	bool client;                /* the dialling end (peers) */
	char allowed_cn[CONN_CN_BYTES_MAX + 1]; /* tls_files' */
	mbedtls_ssl_config conf;
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_x509_crt cert, ca;
	mbedtls_x509_crl crl;
	mbedtls_pk_context key;     /* wiped by mbedtls_pk_free */
	int suites[CIPHER_SUITES_MAX + 1]; /* --cipher-suites, 0-ended; mbedTLS keeps a pointer */
};

/* Reads the files NetdConfig names, or makes a certificate with
 * --auto-tls when none is given (etcd ignores --auto-tls beside one).
 * Returns 0, or CAIRN_EINVAL with the reason logged (a file that cannot
 * be read or parsed). With neither it does nothing (t stays not ready). */
int tls_server_init(struct tls_server *t, const cairn_ipc_NetdConfig *cfg);
/* The same for any end: a server, or with 'client' the end that dials
 * (its certificate sent as a client certificate; the server's verified
 * against trusted_ca_file when one is given). */
int tls_end_init(struct tls_server *t, const struct tls_files *f, bool client);
void tls_server_free(struct tls_server *t);
/* --auto-tls (tls_self.c): a self-signed certificate and its key into t
 * (its random generator seeded). 0 or CAIRN_EINVAL (logged). */
int tls_self_cert(struct tls_server *t);

/* The outcome of a handshake: bev, the plaintext (a filter over the raw
 * bufferevent; the callee owns it), with the negotiated ALPN protocol and
 * the verified peer certificate's common name (NULL: none); or bev NULL
 * when the handshake failed (the raw bufferevent is freed). */
typedef void tls_done_fn(void *arg, struct bufferevent *bev, const char *alpn, const char *cn);
/* Shakes hands on raw (taken) with conf, checking the server's name
 * against host when given (a client); 'counted': the connection is in
 * n->conns_len until then. Returns 0, after which done is called once
 * (maybe before tls_start returns), or CAIRN_EIO (raw freed, done not
 * called). */
int tls_start(struct netd *n, struct bufferevent *raw, struct tls_server *conf, const char *host,
    bool counted, tls_done_fn *done, void *arg);

/* Serves a new connection on an https listener: fd (taken). */
void tls_accept(struct netd *n, int fd);

#endif
