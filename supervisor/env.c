/*
 * supervisor: etcd's ETCD_* environment variables (pkg/flags in etcd 3.4).
 * Flag "foo-bar" is variable ETCD_FOO_BAR. A variable fills a flag the
 * command line left unset; where both are given cairn lets the flag win and
 * says so, where etcd 3.4 would stop.
 */
#include <stdio.h>
#include <string.h>

#include "shared/assert.h"
#include "shared/err.h"
#include "shared/go_quote.h"
#include "supervisor/config.h"
#include "supervisor/config_priv.h"
#include "supervisor/flags.h"

#define ENV_PREFIX "ETCD_"

/* Set by etcd's users on architectures etcd does not support; etcd reads
 * and unsets it before looking at the other variables. */
#define ENV_UNSUPPORTED_ARCH "ETCD_UNSUPPORTED_ARCH"

const char *
env_get(char *const envp[], const char *key)
{
	size_t klen = strlen(key);

	CAIRN_ASSERT(klen > 0);
	if (envp == NULL)
		return NULL;
	for (size_t i = 0; envp[i] != NULL; i++) {
		if (strncmp(envp[i], key, klen) == 0 && envp[i][klen] == '=')
			return envp[i] + klen + 1;
	}
	return NULL;
}

/* One "KEY=value" of the environment. */
static int
env_one(struct config *cfg, const char *kv, char *err, size_t errlen)
{
	const char *eq = strchr(kv, '='), *val = eq != NULL ? eq + 1 : "";
	size_t klen = eq != NULL ? (size_t)(eq - kv) : strlen(kv);
	char why[FLAGS_WHY_BYTES_MAX], q[FLAGS_WHY_BYTES_MAX];
	struct config_entry *e;
	int idx;

	CAIRN_ASSERT(kv != NULL);
	if (strncmp(kv, ENV_PREFIX, strlen(ENV_PREFIX)) != 0)
		return 0; /* ETCDCTL_* and everything else */
	if (klen == strlen(ENV_UNSUPPORTED_ARCH) &&
	    memcmp(kv, ENV_UNSUPPORTED_ARCH, klen) == 0)
		return 0;
	if ((idx = flags_find_env(kv, klen)) < 0) {
		config_notice(cfg, "unrecognized environment variable %s", kv);
		return 0;
	}
	CAIRN_ASSERT((size_t)idx < cfg->entries_len);
	e = &cfg->entries[idx];
	if (e->src == CONFIG_SRC_FLAG) {
		config_notice(cfg, "conflicting environment variable \"%.*s\" is shadowed "
		    "by corresponding command-line flag", (int)klen, kv);
		return 0;
	}
	if (e->src == CONFIG_SRC_ENV)
		return 0; /* a repeated variable: the first won, as with getenv */
	if (*val == '\0') {
		config_notice(cfg, "ignored empty environment variable %.*s", (int)klen, kv);
		return 0;
	}
	if (flags_check(&flags_table[idx], val, why, sizeof(why)) != 0) {
		go_quote(q, sizeof(q), val);
		snprintf(err, errlen, "invalid value %s for %.*s: %s", q, (int)klen, kv, why);
		return CAIRN_EINVAL;
	}
	config_entry_set(cfg, (size_t)idx, val, CONFIG_SRC_ENV);
	config_notice(cfg, "recognized and used environment variable %s", kv);
	return 0;
}

int
env_apply(struct config *cfg, char *const envp[], char *err, size_t errlen)
{
	int rc;

	CAIRN_ASSERT(cfg != NULL);
	CAIRN_ASSERT(cfg->entries != NULL);
	if (envp == NULL)
		return 0;
	for (size_t i = 0; envp[i] != NULL; i++) {
		if ((rc = env_one(cfg, envp[i], err, errlen)) != 0)
			return rc;
	}
	return 0;
}
