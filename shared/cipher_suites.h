/*
 * supervisor and netd: --cipher-suites, etcd's (Go's) names of TLS cipher
 * suites, as mbedTLS's suite IDs. Go's names are mbedTLS's with '_' for
 * '-'; etcd also takes the two ChaCha20 suites without "_SHA256". The
 * TLS 1.3 suites are accepted and have no effect (Go does not let them
 * be chosen; mbedTLS 2.28 has no TLS 1.3).
 */
#ifndef CAIRN_CIPHER_SUITES_H
#define CAIRN_CIPHER_SUITES_H

#include <stddef.h>

/* Suites a list may name. */
#define CIPHER_SUITES_MAX 64
/* The longest name taken. */
#define CIPHER_SUITE_NAME_BYTES_MAX 64

/* Reads the comma-separated list 'csv' into ids (room for
 * CIPHER_SUITES_MAX + 1: ends with 0, as mbedTLS wants it; *n the count).
 * Returns 0, or CAIRN_EINVAL with etcd's message in err ("unexpected TLS
 * cipher suite \"X\""). */
int cipher_suites_parse(const char *csv, int *ids, size_t *n, char *err, size_t errlen);

#endif
