/*
 * cairnctl: parsing command-line flags with pflag's rules and error
 * texts (Go's strconv and time messages included), so that a mistyped
 * flag reads as it does with etcdctl.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/flag.h"
#include "shared/assert.h"
#include "shared/xmalloc.h"

void
flag_defaults(struct ctl_flag *tab)
{
	for (struct ctl_flag *f = tab; f->name != NULL; f++) {
		char err[CTL_FLAG_ERR_BYTES_MAX];

		f->changed = false;
		if (f->kind == CTL_FLAG_STRING) {
			*(const char **)f->val = f->def;
			continue;
		}
		if (f->kind == CTL_FLAG_STRINGS) {
			struct ctl_strings *s = f->val;
			const char *d = f->def;
			size_t n = strlen(d);
			char *in;

			s->n = 0;
			/* pflag prints a slice's default as "[a,b]". */
			CAIRN_ASSERT(n >= 2);
			in = xstrdup(d + 1);
			in[n - 2] = '\0';
			if (in[0] != '\0' && flag_set(f, in, err, sizeof(err)) != 0)
				CAIRN_ASSERT(0);
			free(in);
			f->changed = false;
			continue;
		}
		if (flag_set(f, f->def, err, sizeof(err)) != 0)
			CAIRN_ASSERT(0);
		f->changed = false;
	}
}

struct ctl_flag *
flag_find(struct ctl_flag *tab, const char *name)
{
	for (struct ctl_flag *f = tab; f->name != NULL; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

/* "--name" or "-s, --name", as pflag names a flag in its errors. */
static void
flag_label(const struct ctl_flag *f, char *dst, size_t cap)
{
	if (f->shorthand != 0)
		snprintf(dst, cap, "-%c, --%s", f->shorthand, f->name);
	else
		snprintf(dst, cap, "--%s", f->name);
}

/* Go's strconv.ParseBool. */
static int
flag_parse_bool(const char *s, bool *b)
{
	static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True" };
	static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False" };

	for (size_t i = 0; i < 6; i++) {
		if (strcmp(s, yes[i]) == 0) {
			*b = true;
			return 0;
		}
		if (strcmp(s, no[i]) == 0) {
			*b = false;
			return 0;
		}
	}
	return -1;
}

/* Go's strconv.ParseInt/ParseUint with base 0: "0x", "0o", "0b", "0"
 * prefixes and '_' separators after a prefix. Returns 0, or -1 with
 * *range set when the text is a number out of range. */
static int
flag_parse_integer(const char *s, bool is_signed, int64_t *iv, uint64_t *uv, bool *range)
{
	const char *p = s;
	bool neg = false;
	unsigned base = 10;
	uint64_t v = 0, lim;
	bool any = false, prefixed = false;

	*range = false;
	if (is_signed && (*p == '+' || *p == '-'))
		neg = *p++ == '-';
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
		prefixed = true;
	} else if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O')) {
		base = 8;
		p += 2;
		prefixed = true;
	} else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B')) {
		base = 2;
		p += 2;
		prefixed = true;
	} else if (p[0] == '0' && p[1] != '\0') {
		base = 8;
		p += 1;
		prefixed = true;
		any = true;
	}
	lim = is_signed ? (neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX) : UINT64_MAX;
	for (; *p != '\0'; p++) {
		unsigned d;

		if (*p == '_' && prefixed)
			continue;
		if (*p >= '0' && *p <= '9')
			d = (unsigned)(*p - '0');
		else if (*p >= 'a' && *p <= 'z')
			d = (unsigned)(*p - 'a') + 10;
		else if (*p >= 'A' && *p <= 'Z')
			d = (unsigned)(*p - 'A') + 10;
		else
			return -1;
		if (d >= base)
			return -1;
		any = true;
		if (v > (lim - d) / base) {
			/* Go reads the whole text before it says "out of range". */
			*range = true;
			v = lim;
			continue;
		}
		if (!*range)
			v = v * base + d;
	}
	if (!any)
		return -1;
	if (*range)
		return -1;
	if (is_signed)
		*iv = neg ? (int64_t)(0 - v) : (int64_t)v;
	else
		*uv = v;
	return 0;
}

int
flag_parse_duration(const char *s, int64_t *ns)
{
	static const struct {
		const char *unit;
		int64_t ns;
	} units[] = {
		{ "ns", 1 }, { "us", 1000 }, { "\xc2\xb5s", 1000 }, { "\xce\xbcs", 1000 },
		{ "ms", 1000000 }, { "s", 1000000000 }, { "m", 60000000000LL },
		{ "h", 3600000000000LL },
	};
	const char *p = s;
	bool neg = false;
	double total = 0;

	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (strcmp(p, "0") == 0) {
		*ns = 0;
		return 0;
	}
	if (*p == '\0')
		return -1;
	while (*p != '\0') {
		char *end;
		double v;
		size_t best = 0, ulen = 0;
		int64_t mult = 0;

		if (!(*p >= '0' && *p <= '9') && *p != '.')
			return -1;
		v = strtod(p, &end);
		if (end == p)
			return -1;
		p = end;
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			size_t l = strlen(units[i].unit);

			if (strncmp(p, units[i].unit, l) == 0 && l > best) {
				best = l;
				mult = units[i].ns;
			}
		}
		ulen = best;
		if (ulen == 0)
			return -1;
		total += v * (double)mult;
		p += ulen;
	}
	if (total > 9.2e18)
		return -1;
	*ns = neg ? -(int64_t)total : (int64_t)total;
	return 0;
}

/* Appends the comma-separated values of s (CSV: a field may be quoted
 * with '"', "" inside for one quote) to sl. 0, or -1. */
static int
flag_append_csv(struct ctl_strings *sl, const char *s)
{
	const char *p = s;

	for (;;) {
		char *field = xmalloc(strlen(p) + 1);
		size_t n = 0;

		if (*p == '"') {
			p++;
			for (;;) {
				if (*p == '\0') {
					free(field);
					return -1;
				}
				if (*p == '"' && p[1] == '"') {
					field[n++] = '"';
					p += 2;
					continue;
				}
				if (*p == '"') {
					p++;
					break;
				}
				field[n++] = *p++;
			}
			if (*p != ',' && *p != '\0') {
				free(field);
				return -1;
			}
		} else {
			while (*p != ',' && *p != '\0')
				field[n++] = *p++;
		}
		field[n] = '\0';
		if (sl->n == CTL_FLAG_STRINGS_MAX) {
			free(field);
			return -1;
		}
		sl->v[sl->n++] = field;
		if (*p == '\0')
			return 0;
		p++;
	}
}

int
flag_set(struct ctl_flag *f, const char *s, char *err, size_t errlen)
{
	char label[128], why[512];
	bool range = false;

	CAIRN_ASSERT(f != NULL);
	CAIRN_ASSERT(s != NULL);
	flag_label(f, label, sizeof(label));
	switch (f->kind) {
	case CTL_FLAG_BOOL:
		if (flag_parse_bool(s, f->val) != 0) {
			snprintf(why, sizeof(why), "strconv.ParseBool: parsing \"%s\": invalid syntax", s);
			goto bad;
		}
		break;
	case CTL_FLAG_STRING:
		if (f->changed)
			free(*(char **)f->val);
		*(char **)f->val = xstrdup(s);
		break;
	case CTL_FLAG_INT64:
		if (flag_parse_integer(s, true, f->val, NULL, &range) != 0) {
			snprintf(why, sizeof(why), "strconv.ParseInt: parsing \"%s\": %s", s,
			    range ? "value out of range" : "invalid syntax");
			goto bad;
		}
		break;
	case CTL_FLAG_UINT64:
		if (flag_parse_integer(s, false, NULL, f->val, &range) != 0) {
			snprintf(why, sizeof(why), "strconv.ParseUint: parsing \"%s\": %s", s,
			    range ? "value out of range" : "invalid syntax");
			goto bad;
		}
		break;
	case CTL_FLAG_DURATION:
		if (flag_parse_duration(s, f->val) != 0) {
			snprintf(why, sizeof(why), "time: invalid duration \"%s\"", s);
			goto bad;
		}
		break;
	case CTL_FLAG_STRINGS: {
		struct ctl_strings *sl = f->val;

		/* The first value given replaces the default; later ones add. */
		if (!f->changed) {
			for (size_t i = 0; i < sl->n; i++)
				free(sl->v[i]);
			sl->n = 0;
		}
		if (flag_append_csv(sl, s) != 0) {
			snprintf(why, sizeof(why), "bad CSV value");
			goto bad;
		}
		break;
	}
	}
	f->changed = true;
	return 0;
bad:
	snprintf(err, errlen, "invalid argument \"%s\" for \"%s\" flag: %s", s, label, why);
	return -1;
}

static struct ctl_flag *
flag_lookup(struct ctl_flagsets *fs, const char *name, size_t len, char shorthand)
{
	for (size_t i = 0; i < fs->n; i++) {
		for (struct ctl_flag *f = fs->sets[i]; f->name != NULL; f++) {
			if (shorthand != 0 && f->shorthand == shorthand)
				return f;
			if (shorthand == 0 && strlen(f->name) == len &&
			    strncmp(f->name, name, len) == 0)
				return f;
		}
	}
	return NULL;
}

/* A long flag at argv[*i] ("--name..."): *i moves past what it takes. */
static int
flag_parse_long(struct ctl_flagsets *fs, int argc, char **argv, int *i, bool *help, char *err,
    size_t errlen)
{
	const char *a = argv[*i] + 2;
	const char *eq = strchr(a, '=');
	size_t len = eq != NULL ? (size_t)(eq - a) : strlen(a);
	struct ctl_flag *f;

	if (len == 0 || a[0] == '-' || a[0] == '=') {
		snprintf(err, errlen, "bad flag syntax: %s", argv[*i]);
		return -1;
	}
	f = flag_lookup(fs, a, len, 0);
	if (f == NULL) {
		if (len == 4 && strncmp(a, "help", 4) == 0) {
			*help = true;
			return 0;
		}
		snprintf(err, errlen, "unknown flag: --%.*s", (int)len, a);
		return -1;
	}
	if (eq != NULL)
		return flag_set(f, eq + 1, err, errlen);
	if (f->kind == CTL_FLAG_BOOL)
		return flag_set(f, "true", err, errlen);
	if (*i + 1 >= argc) {
		snprintf(err, errlen, "flag needs an argument: --%s", f->name);
		return -1;
	}
	(*i)++;
	return flag_set(f, argv[*i], err, errlen);
}

/* Short flags at argv[*i] ("-abc", "-wjson", "-w json", "-w=json"). */
static int
flag_parse_short(struct ctl_flagsets *fs, int argc, char **argv, int *i, bool *help, char *err,
    size_t errlen)
{
	const char *s = argv[*i] + 1;

	while (*s != '\0') {
		char c = *s++;
		struct ctl_flag *f = flag_lookup(fs, NULL, 0, c);

		if (f == NULL) {
			if (c == 'h') {
				*help = true;
				continue;
			}
			snprintf(err, errlen, "unknown shorthand flag: '%c' in -%s", c, s - 1);
			return -1;
		}
		if (*s == '=')
			return flag_set(f, s + 1, err, errlen);
		if (f->kind == CTL_FLAG_BOOL) {
			if (flag_set(f, "true", err, errlen) != 0)
				return -1;
			continue;
		}
		if (*s != '\0')
			return flag_set(f, s, err, errlen);
		if (*i + 1 >= argc) {
			snprintf(err, errlen, "flag needs an argument: '%c' in -%c", c, c);
			return -1;
		}
		(*i)++;
		return flag_set(f, argv[*i], err, errlen);
	}
	return 0;
}

int
flag_parse(struct ctl_flagsets *fs, int argc, char **argv, int *nargs, bool *help, char *err,
    size_t errlen)
{
	int n = 0;

	CAIRN_ASSERT(fs->n > 0);
	CAIRN_ASSERT(argc >= 0);
	*help = false;
	for (int i = 0; i < argc; i++) {
		char *a = argv[i];

		if (strcmp(a, "--") == 0) {
			for (i++; i < argc; i++)
				argv[n++] = argv[i];
			break;
		}
		if (a[0] != '-' || a[1] == '\0') {
			argv[n++] = a;
			continue;
		}
		if (a[1] == '-') {
			if (flag_parse_long(fs, argc, argv, &i, help, err, errlen) != 0)
				return -1;
		} else if (flag_parse_short(fs, argc, argv, &i, help, err, errlen) != 0) {
			return -1;
		}
	}
	*nargs = n;
	return 0;
}

void
flag_free(struct ctl_flag *tab)
{
	for (struct ctl_flag *f = tab; f->name != NULL; f++) {
		if (f->kind == CTL_FLAG_STRING && f->changed) {
			free(*(char **)f->val);
			*(const char **)f->val = f->def;
		}
		if (f->kind == CTL_FLAG_STRINGS) {
			struct ctl_strings *sl = f->val;

			for (size_t i = 0; i < sl->n; i++)
				free(sl->v[i]);
			sl->n = 0;
		}
		f->changed = false;
	}
}
