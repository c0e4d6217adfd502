/*
 * netd: etcd's simple tokens: "16 random letters.index", given out by
 * Authenticate and taken back as the "token" metadata of later calls,
 * each naming its user. A token lives --auth-token-ttl (etcd's default
 * 300 s) from its last use. They live in netd's memory only, as etcd's
 * live in its server's: after a netd restart a client authenticates again
 * (clientv3 does so on "invalid auth token").
 */
#ifndef CAIRN_NETD_AUTH_TOKENS_H
#define CAIRN_NETD_AUTH_TOKENS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bounds. */
#define TOKENS_MAX 65536
#define TOKENS_BUCKETS 4096          /* a power of two */
#define TOKEN_BYTES_MAX 256
#define TOKEN_USER_BYTES_MAX 256
#define TOKEN_TTL_MS 300000          /* etcd's --auth-token-ttl default */
#define TOKEN_PREFIX_LETTERS 16      /* etcd's defaultSimpleTokenLength */

struct token;

struct tokens {
	struct token *buckets[TOKENS_BUCKETS];
	size_t len;
	int64_t ttl_ms;              /* --auth-token-ttl; 0: TOKEN_TTL_MS */
};

/* Writes a new random token prefix (TOKEN_PREFIX_LETTERS letters, NUL
 * ended) into out. */
void tokens_prefix(char out[TOKEN_PREFIX_LETTERS + 1]);
/* Keeps token tok[tok_len] for user[user_len] from 'now' (ms). Returns 0,
 * or CAIRN_ETOOMANYREQ when TOKENS_MAX live tokens are kept, CAIRN_EINVAL
 * for one over its bound. */
int tokens_add(struct tokens *t, const char *tok, size_t tok_len, const uint8_t *user,
    size_t user_len, int64_t now);
/* The user of tok (NUL ended; *user_len its length), its life renewed;
 * NULL when unknown or expired. */
const uint8_t *tokens_find(struct tokens *t, const char *tok, int64_t now, size_t *user_len);
/* Forgets every token expired by 'now'; all of them with 'all' (auth
 * disabled, as etcd's simple token provider forgets them). */
void tokens_sweep(struct tokens *t, int64_t now, bool all);
/* Forgets every token of user[user_len] (deleted, or given a new
 * password: etcd's invalidateUser). */
void tokens_drop_user(struct tokens *t, const uint8_t *user, size_t user_len);

#endif
