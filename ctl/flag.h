/*
 * cairnctl: command-line flags as etcdctl's (spf13/pflag) parse them:
 * --name=value, --name value, -s value, -svalue, booleans bare or
 * --name=false, "--" ends the flags, flags and arguments mixed in any
 * order; the same error texts.
 */
#ifndef CAIRN_CTL_FLAG_H
#define CAIRN_CTL_FLAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ctl_flag_kind {
	CTL_FLAG_BOOL,
	CTL_FLAG_STRING,
	CTL_FLAG_INT64,
	CTL_FLAG_UINT64,
	CTL_FLAG_DURATION, /* Go's time.Duration text; stored as int64 ns */
	CTL_FLAG_STRINGS,  /* pflag's StringSlice: comma-separated, CSV quoting */
};

/* The most values a string-slice flag takes. */
#define CTL_FLAG_STRINGS_MAX 64
/* The longest error text a parse gives. */
#define CTL_FLAG_ERR_BYTES_MAX 1024

struct ctl_strings {
	char *v[CTL_FLAG_STRINGS_MAX]; /* owned */
	size_t n;
};

/* One flag. A table of them ends with a zero entry (name NULL). 'val'
 * points at the flag's storage: bool, char * (owned once set; the default
 * is a static string until then), int64_t, uint64_t, int64_t ns, or
 * struct ctl_strings. */
struct ctl_flag {
	const char *name;
	char shorthand;         /* 0: none */
	enum ctl_flag_kind kind;
	const char *def;        /* the default as pflag prints it: "l", "0", "5s", "[a,b]" */
	const char *usage;
	void *val;
	bool changed;           /* given on the command line or by the environment */
};

/* Flag sets searched in order (the command's own, then the global ones). */
struct ctl_flagsets {
	struct ctl_flag *sets[3];
	size_t n;
};

/* Sets every flag of tab to its default (strings borrowed from the table). */
void flag_defaults(struct ctl_flag *tab);

/*
 * Parses argv[0..argc) (after the command's own name) against fs: flags
 * are set, the other arguments are moved to the front of argv, their
 * number in *nargs. 0, or -1 with err filled with pflag's text ("unknown
 * flag: --x", "flag needs an argument: --rev", "invalid argument ...").
 * *help is set when -h or --help was given.
 */
int flag_parse(struct ctl_flagsets *fs, int argc, char **argv, int *nargs, bool *help,
    char *err, size_t errlen);

/* Sets f from text s as --name=s would. 0, or -1 with err filled. */
int flag_set(struct ctl_flag *f, const char *s, char *err, size_t errlen);

/* The flag named 'name' in tab, or NULL. */
struct ctl_flag *flag_find(struct ctl_flag *tab, const char *name);

/* Parses Go's time.ParseDuration text ("5s", "1m30s", "300ms") into *ns.
 * 0, or -1. */
int flag_parse_duration(const char *s, int64_t *ns);

/* Frees what flags of tab own (set strings). */
void flag_free(struct ctl_flag *tab);

#endif
