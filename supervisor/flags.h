/*
 * supervisor: the table of every etcd 3.4 server flag plus cairn's own,
 * and the check of one value string against a flag's type. Used by the
 * command line, ETCD_* variable and --config-file readers alike, so that a
 * value means the same thing wherever it came from.
 */
#ifndef CAIRN_SUPERVISOR_FLAGS_H
#define CAIRN_SUPERVISOR_FLAGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* Bound on one value string, whatever its source. */
#define FLAGS_VALUE_BYTES_MAX (64u << 10)
/* Bound on a reason text written by the checks below. */
#define FLAGS_WHY_BYTES_MAX 256
/* Room for "ETCD_" and the longest flag name, upper-cased. */
#define FLAGS_ENV_BYTES_MAX 96

/* How a value string is read. Go types are etcd 3.4's on amd64. */
enum flag_type {
	FLAG_T_STRING,   /* anything */
	FLAG_T_BOOL,     /* strconv.ParseBool; takes no separate argument */
	FLAG_T_UINT,     /* Go uint (64 bits), strconv.ParseUint base 0 */
	FLAG_T_UINT32,   /* etcd's own uint32 flag value */
	FLAG_T_INT,      /* Go int / int64, strconv.ParseInt base 0 */
	FLAG_T_DURATION, /* time.ParseDuration */
	FLAG_T_URLS,     /* comma-separated URLs, types.NewURLs rules */
	FLAG_T_STRINGS,  /* comma-separated strings; a list in YAML */
	FLAG_T_ENUM,     /* one of 'choices' */
	FLAG_T_CLUSTER,  /* name=URL,... (--initial-cluster) */
	FLAG_T_IGNORED,  /* etcd's legacy flags: bool-like, any value */
	FLAG_T_USER,     /* cairn: USER[:GROUP], resolved through NSS */
	FLAG_T_ABSPATH,  /* cairn: an absolute path */
	FLAG_T_RING,     /* cairn: a power of two in the IPC ring bounds */
};

/* The groups of etcd's --help, in its order, then cairn's. */
enum flag_group {
	FLAG_G_GENERAL, /* --config-file, --version: in the usage header */
	FLAG_G_MEMBER,
	FLAG_G_CLUSTERING,
	FLAG_G_SECURITY,
	FLAG_G_AUTH,
	FLAG_G_MONITORING,
	FLAG_G_LOGGING,
	FLAG_G_PROXY,
	FLAG_G_EXPERIMENTAL,
	FLAG_G_UNSAFE,
	FLAG_G_DEPRECATED,
	FLAG_G_CAIRN,
	FLAG_G_COUNT_,
};

#define FLAG_F_IMPLEMENTED 0x01u /* cairn acts on the value today */
#define FLAG_F_HIDDEN 0x02u      /* etcd registers it but its help omits it */
#define FLAG_F_SELECTIVE 0x04u   /* etcd refuses a bad value while parsing,
				  * saying only "invalid value" */
#define FLAG_F_EMPTY_OK 0x08u    /* an enum that also takes "" */
#define FLAG_F_NO_YAML 0x10u     /* no top-level key of this name in etcd's
				  * config file */

struct flag_def {
	const char *name;      /* etcd's flag name, without dashes */
	enum flag_type type;
	enum flag_group group;
	unsigned flags;        /* FLAG_F_* */
	const char *def;       /* the default value as text */
	const char *usage_def; /* the default as --help shows it; NULL: 'def' */
	const char *help;      /* etcd's help text; may hold "\n    " */
	const char *const *choices; /* FLAG_T_ENUM: NULL-terminated */
	const char *url_except; /* FLAG_T_URLS: a literal taken as is */
	size_t bytes_max;       /* longest value; 0: FLAGS_VALUE_BYTES_MAX - 1 */
};

extern const struct flag_def flags_table[];
extern const size_t flags_count;

/* The index of the flag named by the 'len' bytes at 'name', or -1. */
int flags_find(const char *name, size_t len);
/* The index of the flag whose variable is the 'len' bytes at 'key'
 * ("ETCD_SNAPSHOT_COUNT"), or -1. */
int flags_find_env(const char *key, size_t len);
/* Writes "ETCD_<NAME>" for flag 'f' into dst[cap]. */
void flags_env_name(const struct flag_def *f, char *dst, size_t cap);
/* True for flags given as "--flag" alone (Go's IsBoolFlag). */
bool flags_is_boolish(const struct flag_def *f);

/*
 * Checks 'val' against flag 'f'. Returns 0, or CAIRN_EINVAL with etcd's
 * reason where etcd has one ("parse error", "invalid value", a URL error)
 * written to why[whylen]. Users are looked up through NSS.
 */
int flags_check(const struct flag_def *f, const char *val, char *why,
    size_t whylen);

/* Go's strconv.ParseBool. Returns 0 or CAIRN_EINVAL. */
int flags_parse_bool(const char *s, bool *out);
/* Go's strconv.ParseUint(s, 0, 64), then at most 'max'. Returns 0, or
 * CAIRN_EINVAL with *reason "parse error" or "value out of range". */
int flags_parse_uint(const char *s, uint64_t max, uint64_t *out,
    const char **reason);
/* Go's strconv.ParseInt(s, 0, 64); errors as flags_parse_uint. */
int flags_parse_int(const char *s, int64_t *out, const char **reason);
/* Go's time.ParseDuration. Returns 0 or CAIRN_EINVAL. */
int flags_parse_duration(const char *s, int64_t *ns);
/* Resolves "USER[:GROUP]" (names or ids, chown-style). A user alone takes
 * its primary group. Returns 0, or CAIRN_EINVAL with a reason in why. */
int flags_user_resolve(const char *spec, uid_t *uid, gid_t *gid, char *why,
    size_t whylen);

/* Writes the flag groups, defaults and help of the table to 'fp'. */
void flags_usage(FILE *fp);

#endif
