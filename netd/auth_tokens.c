/*
 * netd: simple tokens (see auth_tokens.h), in a chained hash table.
 */
#include <sys/random.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "netd/auth_tokens.h"
#include "shared/err.h"
#include "shared/log.h"
#include "shared/xmalloc.h"

struct token {
	struct token *next;
	char tok[TOKEN_BYTES_MAX + 1];
	uint8_t user[TOKEN_USER_BYTES_MAX + 1];
	size_t user_len;
	int64_t expires;
};

static size_t
bucket_of(const char *tok, size_t len)
{
	uint64_t h = 1469598103934665603ull;   /* FNV-1a */

	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)tok[i]) * 1099511628211ull;
	return (size_t)h & (TOKENS_BUCKETS - 1);
}

static int64_t
tokens_ttl(const struct tokens *t)
{
	return t->ttl_ms > 0 ? t->ttl_ms : TOKEN_TTL_MS;
}

void
tokens_prefix(char out[TOKEN_PREFIX_LETTERS + 1])
{
	static const char letters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
	uint8_t r[TOKEN_PREFIX_LETTERS];

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		fatal("getrandom");
	for (size_t i = 0; i < sizeof(r); i++)
		out[i] = letters[r[i] % (sizeof(letters) - 1)];
	out[TOKEN_PREFIX_LETTERS] = '\0';
}

int
tokens_add(struct tokens *t, const char *tok, size_t tok_len, const uint8_t *user,
    size_t user_len, int64_t now)
{
	struct token *k;
	size_t b;

	if (tok_len == 0 || tok_len > TOKEN_BYTES_MAX || user_len > TOKEN_USER_BYTES_MAX)
		return CAIRN_EINVAL;
	if (t->len >= TOKENS_MAX)
		tokens_sweep(t, now, false);
	if (t->len >= TOKENS_MAX)
		return CAIRN_ETOOMANYREQ;
	k = xcalloc(1, sizeof(*k));
	memcpy(k->tok, tok, tok_len);
	memcpy(k->user, user, user_len);
	k->user_len = user_len;
	k->expires = now + tokens_ttl(t);
	b = bucket_of(tok, tok_len);
	k->next = t->buckets[b];
	t->buckets[b] = k;
	t->len++;
	return 0;
}

const uint8_t *
tokens_find(struct tokens *t, const char *tok, int64_t now, size_t *user_len)
{
	size_t len = strlen(tok);
	struct token **pp = &t->buckets[bucket_of(tok, len)], *k;

	while ((k = *pp) != NULL) {
		if (k->expires <= now) {
			*pp = k->next;
			free(k);
			t->len--;
			continue;
		}
		if (strcmp(k->tok, tok) == 0) {
			k->expires = now + tokens_ttl(t);
			*user_len = k->user_len;
			return k->user;
		}
		pp = &k->next;
	}
	return NULL;
}

/* Forgets the tokens 'drop' says to. */
static void
tokens_forget(struct tokens *t, bool (*drop)(const struct token *k, const void *arg),
    const void *arg)
{
	for (size_t b = 0; b < TOKENS_BUCKETS; b++) {
		struct token **pp = &t->buckets[b], *k;

		while ((k = *pp) != NULL) {
			if (drop(k, arg)) {
				*pp = k->next;
				free(k);
				t->len--;
			} else {
				pp = &k->next;
			}
		}
	}
}

struct sweep_arg {
	int64_t now;
	bool all;
};

static bool
token_expired(const struct token *k, const void *arg)
{
	const struct sweep_arg *a = arg;

	return a->all || k->expires <= a->now;
}

void
tokens_sweep(struct tokens *t, int64_t now, bool all)
{
	struct sweep_arg a = {now, all};

	tokens_forget(t, token_expired, &a);
}

struct user_arg {
	const uint8_t *user;
	size_t len;
};

static bool
token_of_user(const struct token *k, const void *arg)
{
	const struct user_arg *a = arg;

	return k->user_len == a->len && memcmp(k->user, a->user, a->len) == 0;
}

void
tokens_drop_user(struct tokens *t, const uint8_t *user, size_t user_len)
{
	struct user_arg a = {user, user_len};

	tokens_forget(t, token_of_user, &a);
}
