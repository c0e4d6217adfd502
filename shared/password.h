/*
 * netd and stored: bcrypt password hashes as etcd keeps them in its users
 * (authpb.User.password), made and checked with libcrypt (libxcrypt).
 */
#ifndef CAIRN_PASSWORD_H
#define CAIRN_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* etcd's --bcrypt-cost default (bcrypt.DefaultCost), and bcrypt's range. */
#define PASSWORD_COST_DEFAULT 10
#define PASSWORD_COST_MIN 4
#define PASSWORD_COST_MAX 31
/* A "$2b$CC$" hash is 60 characters; room for its NUL and more. */
#define PASSWORD_HASH_BYTES_MAX 128
#define PASSWORD_SALT_BYTES 16
/* The longest password taken (libcrypt's bound, less its NUL); bcrypt
 * itself reads only the first 72 bytes, as Go's does. */
#define PASSWORD_BYTES_MAX 511

/*
 * Hashes the n bytes of pw with bcrypt at 'cost' and the 16 bytes of
 * 'salt' into out (a NUL-terminated "$2b$..." string; *out_len its length).
 * CAIRN_EINVAL for a password holding a NUL byte or longer than
 * PASSWORD_BYTES_MAX, or a cost out of range; CAIRN_EIO if libcrypt fails.
 * The copy of the password made on the way is wiped.
 */
int password_hash(const uint8_t *pw, size_t n, unsigned cost,
    const uint8_t salt[PASSWORD_SALT_BYTES], char out[PASSWORD_HASH_BYTES_MAX], size_t *out_len);
/* Whether pw matches the hash (hash_len bytes, not NUL-terminated). False
 * for any hash libcrypt cannot read. */
bool password_check(const uint8_t *hash, size_t hash_len, const uint8_t *pw, size_t n);

#endif
