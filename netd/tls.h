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

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crl.h>
#include <mbedtls/x509_crt.h>

#include "shared/cipher_suites.h"
#include "shared/proto/ipc.pb.h"

/* A handshake must be over within this. */
#define TLS_HANDSHAKE_TIMEOUT_MS 10000
/* TLS bytes queued for the socket beyond which the plaintext waits. */
#define TLS_OUT_BYTES_MAX (256u << 10)

struct netd;

struct tls_server {
	bool ready;
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
void tls_server_free(struct tls_server *t);
/* --auto-tls (tls_self.c): a self-signed certificate and its key into t
 * (its random generator seeded). 0 or CAIRN_EINVAL (logged). */
int tls_self_cert(struct tls_server *t);

/* Serves a new connection on an https listener: fd (taken). */
void tls_accept(struct netd *n, int fd);

#endif
