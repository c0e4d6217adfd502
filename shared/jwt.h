/*
 * netd (and the supervisor, which checks the flag at start): etcd's JWT
 * tokens (--auth-token jwt,pub-key=F,priv-key=F,
 * sign-method=M,ttl=D). Authenticate's answer carries a JSON Web Token
 * signed with the private key instead of a simple token: header
 * {"alg":M,"typ":"JWT"}, claims {"exp":unix seconds,"revision":the auth
 * revision,"username":user}, as etcd 3.4 (jwt-go) writes them. A later
 * call's token is taken when its signature verifies with the public key
 * (a certificate's is fine, as etcd's) and it has not expired: any member
 * with the same keys takes it, and nothing is kept per token.
 * Sign methods: RS256, RS384, RS512 (PKCS #1 v1.5) and ES256, ES384,
 * ES512 (ECDSA, r and s as big-endian numbers of the curve's size).
 * The key files are read once, before netd drops its privileges.
 */
#ifndef CAIRN_SHARED_JWT_H
#define CAIRN_SHARED_JWT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/md.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

/* A token's bound (a 4096-bit RSA signature and claims fit). */
#define JWT_BYTES_MAX 1024
/* etcd's default ttl for JWTs. */
#define JWT_TTL_S_DEFAULT 300

struct jwt {
	bool on;                    /* --auth-token jwt,... */
	bool can_sign;              /* a priv-key was given */
	bool ecdsa;                 /* ES*: else RS* */
	const char *alg;            /* "RS256" ... */
	mbedtls_md_type_t md;
	mbedtls_pk_context priv;    /* owned */
	mbedtls_pk_context pub;     /* owned, or unused when crt holds it */
	mbedtls_x509_crt crt;       /* a certificate given as pub-key */
	bool pub_in_crt;
	int64_t ttl_s;
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
};

/* Reads --auth-token's value: "simple" leaves j off; "jwt,..." reads its
 * keys. 0, or CAIRN_EINVAL with the reason in err[errlen]. */
int jwt_init(struct jwt *j, const char *opts, char *err, size_t errlen);
/* A token for 'user' at auth revision 'revision', expiring ttl seconds
 * after now_s (unix seconds), NUL-terminated in out[cap]: 0, or
 * CAIRN_EINVAL (no private key, or it does not fit). */
int jwt_sign(struct jwt *j, const char *user, uint64_t revision, int64_t now_s, char *out,
    size_t cap);
/* The user a token names, NUL-terminated in user[cap], if its signature
 * verifies and it has not expired at now_s: 0, or CAIRN_EAUTHTOKEN. */
int jwt_verify(struct jwt *j, const char *tok, int64_t now_s, char *user, size_t cap);
/* Wipes the keys. */
void jwt_free(struct jwt *j);

#endif
