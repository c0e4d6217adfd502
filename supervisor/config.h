/*
 * supervisor: the member's configuration, from etcd 3.4's flags, ETCD_*
 * environment variables, or --config-file (etcd's YAML keys). Parsing is
 * pure: it reads argv, the given environment and the config file, touches
 * nothing else, and reports problems as one line of text.
 */
#ifndef CAIRN_SUPERVISOR_CONFIG_H
#define CAIRN_SUPERVISOR_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "shared/log.h"

/* Bounds. */
#define CONFIG_NAME_BYTES_MAX 256
#define CONFIG_NOTICES_MAX 32
#define CONFIG_NOTICE_BYTES_MAX 512
#define CONFIG_FILE_BYTES_MAX (1u << 20)
#define CONFIG_TOKEN_TTL_MAX 86400          /* --auth-token-ttl beyond is taken as a day */

/* IPC ring size: each channel has two rings of this many data bytes. */
#define CONFIG_RING_BYTES_DEFAULT (2u << 20) /* fits etcd's --max-request-bytes */
#define CONFIG_RING_BYTES_MIN (64u << 10)
#define CONFIG_RING_BYTES_MAX (256u << 20)

/* Where a value came from. */
enum config_source {
	CONFIG_SRC_DEFAULT = 0,
	CONFIG_SRC_ENV,
	CONFIG_SRC_FLAG,
	CONFIG_SRC_FILE,
};

/* What main() should do after a successful parse. */
enum config_action {
	CONFIG_RUN = 0,
	CONFIG_SHOW_HELP,    /* -h, --help: usage on stdout, exit 0 */
	CONFIG_SHOW_VERSION, /* --version: versions on stdout, exit 0 */
};

/* A child's identity when the supervisor runs as root. */
struct config_user {
	bool set;       /* false: the child keeps the supervisor's uid/gid */
	uid_t uid;
	gid_t gid;
	char spec[CONFIG_NAME_BYTES_MAX]; /* as given: "user[:group]" or ids */
};

struct config_entry; /* one flag's value; private to config.c */

struct config {
	enum config_action action;

	/* Typed values cairn uses now. */
	char name[CONFIG_NAME_BYTES_MAX];
	char data_dir[PATH_MAX];      /* default "<name>.cairn" */
	enum log_level log_level;     /* --log-level, or debug with --debug */
	uint32_t ring_bytes;          /* --ipc-ring-bytes, a power of two */
	struct config_user netd_user; /* --netd-user */
	struct config_user raftd_user;
	struct config_user stored_user;
	char netd_chroot[PATH_MAX];   /* --netd-chroot, default /var/empty */
	uint32_t heartbeat_ms;        /* --heartbeat-interval */
	uint32_t election_ms;         /* --election-timeout */
	uint64_t snapshot_count;      /* --snapshot-count */
	uint64_t catchup_entries;     /* --experimental-snapshot-catchup-entries */
	bool pre_vote;                /* --pre-vote */
	bool strict_reconfig_check;   /* --strict-reconfig-check */
	uint32_t max_request_bytes;   /* --max-request-bytes */
	uint32_t max_txn_ops;         /* --max-txn-ops, at most UINT32_MAX */
	uint32_t max_concurrent_streams; /* --max-concurrent-streams */
	uint32_t auth_token_ttl;      /* --auth-token-ttl, seconds, at most CONFIG_TOKEN_TTL_MAX */
	int64_t quota_backend_bytes;  /* --quota-backend-bytes, as given */

	/* Messages for the log once logging is up: environment variables used,
	 * unknown ETCD_* variables, flags shadowing variables, flags given that
	 * cairn does not implement yet ("not supported yet"). */
	char notices[CONFIG_NOTICES_MAX][CONFIG_NOTICE_BYTES_MAX];
	size_t notices_len;

	/* Every flag's value as text, by flag table index; owned. */
	struct config_entry *entries;
	size_t entries_len;
};

/*
 * Fills 'cfg' from argv (argv[0] is the program), 'envp' (a NULL-terminated
 * "KEY=value" array, usually environ) and, when --config-file is given, that
 * YAML file (then, as in etcd, other flags and variables are ignored).
 * Returns 0, or CAIRN_EINVAL with one line naming the flag, variable or key
 * and saying what is wrong written to err (no trailing newline).
 * 'cfg' must be released with config_free() whatever the result.
 */
int config_parse(struct config *cfg, int argc, char *const argv[],
    char *const envp[], char *err, size_t errlen);

/* Releases what config_parse allocated; 'cfg' may then be parsed again. */
void config_free(struct config *cfg);

/* The text value of a flag by its etcd name ("snapshot-count"), default
 * included, and where it came from; NULL if there is no such flag. */
const char *config_get(const struct config *cfg, const char *flag,
    enum config_source *src);

/* Writes etcd-style usage (the flag groups and their defaults) to 'fp'. */
void config_usage(FILE *fp);

#endif
