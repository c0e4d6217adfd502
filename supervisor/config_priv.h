/*
 * supervisor: what config.c shares with env.c and config_yaml.c, the two
 * other sources of flag values. Not for the rest of the supervisor.
 */
#ifndef CAIRN_SUPERVISOR_CONFIG_PRIV_H
#define CAIRN_SUPERVISOR_CONFIG_PRIV_H

#include <stddef.h>

#include "supervisor/config.h"

/* One flag's value; cfg->entries[i] belongs to flags_table[i]. */
struct config_entry {
	char *value;            /* owned; NULL: the table's default */
	enum config_source src; /* CONFIG_SRC_DEFAULT when value is derived */
};

/* The value of flag 'idx', default included; borrowed from 'cfg'. */
const char *config_value(const struct config *cfg, size_t idx);

/* Stores a copy of 'val', which must have passed flags_check(), as flag
 * 'idx''s value from 'src'. Booleans are stored as "true" or "false". */
void config_entry_set(struct config *cfg, size_t idx, const char *val,
    enum config_source src);

/* Appends one notice; when the array is full the last slot says that
 * later notices were dropped. */
void config_notice(struct config *cfg, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The value of 'key' in 'envp' (the first, as getenv), or NULL. */
const char *env_get(char *const envp[], const char *key);

/* Applies the ETCD_* variables of 'envp' (may be NULL) to flags not set on
 * the command line, adding notices. Returns 0, or CAIRN_EINVAL with one
 * line in err for a bad value in a variable that is used. */
int env_apply(struct config *cfg, char *const envp[], char *err,
    size_t errlen);

/* Sets flags from the YAML file at 'path' (borrowed). Returns 0, or
 * CAIRN_EINVAL with one line in err naming the file, line and key. */
int config_yaml_load(struct config *cfg, const char *path, char *err,
    size_t errlen);

#endif
