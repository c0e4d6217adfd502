/*
 * cairnctl: the global flags (etcdctl's persistent flags), the ETCDCTL_*
 * environment read as etcd's pkg/flags reads it, the output format, and
 * the one way a command fails.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "ctl/ctl.h"
#include "ctl/gotext.h"
#include "shared/assert.h"

struct ctl_global ctl_g;

/* Sorted by name, as pflag lists them. */
struct ctl_flag ctl_global_flags[] = {
	{ "cacert", 0, CTL_FLAG_STRING, "",
	  "verify certificates of TLS-enabled secure servers using this CA bundle", &ctl_g.cacert, false },
	{ "cert", 0, CTL_FLAG_STRING, "", "identify secure client using this TLS certificate file",
	  &ctl_g.cert, false },
	{ "command-timeout", 0, CTL_FLAG_DURATION, "5s",
	  "timeout for short running command (excluding dial timeout)", &ctl_g.command_timeout_ns, false },
	{ "debug", 0, CTL_FLAG_BOOL, "false", "enable client-side debug logging", &ctl_g.debug, false },
	{ "dial-timeout", 0, CTL_FLAG_DURATION, "2s", "dial timeout for client connections",
	  &ctl_g.dial_timeout_ns, false },
	{ "discovery-srv", 'd', CTL_FLAG_STRING, "",
	  "domain name to query for SRV records describing cluster endpoints",
	  &ctl_g.discovery_srv, false },
	{ "discovery-srv-name", 0, CTL_FLAG_STRING, "",
	  "service name to query when using DNS discovery", &ctl_g.discovery_srv_name, false },
	{ "endpoints", 0, CTL_FLAG_STRINGS, "[127.0.0.1:2379]", "gRPC endpoints", &ctl_g.endpoints, false },
	{ "hex", 0, CTL_FLAG_BOOL, "false", "print byte strings as hex encoded strings", &ctl_g.hex, false },
	{ "insecure-discovery", 0, CTL_FLAG_BOOL, "true",
	  "accept insecure SRV records describing cluster endpoints", &ctl_g.insecure_discovery, false },
	{ "insecure-skip-tls-verify", 0, CTL_FLAG_BOOL, "false",
	  "skip server certificate verification (CAUTION: this option should be enabled only "
	  "for testing purposes)", &ctl_g.insecure_skip_verify, false },
	{ "insecure-transport", 0, CTL_FLAG_BOOL, "true",
	  "disable transport security for client connections", &ctl_g.insecure_transport, false },
	{ "keepalive-time", 0, CTL_FLAG_DURATION, "2s", "keepalive time for client connections",
	  &ctl_g.keepalive_time_ns, false },
	{ "keepalive-timeout", 0, CTL_FLAG_DURATION, "6s",
	  "keepalive timeout for client connections", &ctl_g.keepalive_timeout_ns, false },
	{ "key", 0, CTL_FLAG_STRING, "", "identify secure client using this TLS key file",
	  &ctl_g.key, false },
	{ "password", 0, CTL_FLAG_STRING, "",
	  "password for authentication (if this option is used, --user option shouldn't include "
	  "password)", &ctl_g.password, false },
	{ "user", 0, CTL_FLAG_STRING, "",
	  "username[:password] for authentication (prompt if password is not supplied)",
	  &ctl_g.user, false },
	{ "write-out", 'w', CTL_FLAG_STRING, "simple",
	  "set the output format (fields, json, protobuf, simple, table)", &ctl_g.write_out, false },
	{ 0 },
};

void
ctl_fail(int code, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("Error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

const char *
ctl_strerror(int err)
{
	static char buf[256];

	snprintf(buf, sizeof(buf), "%s", strerror(err));
	if (buf[0] >= 'A' && buf[0] <= 'Z' && (buf[1] < 'A' || buf[1] > 'Z'))
		buf[0] = (char)(buf[0] - 'A' + 'a');
	return buf;
}

/* capnslog's line: "2006-01-02 15:04:05.000000 W | pkg/flags: ...". */
static void
global_capnslog(char level, const char *msg)
{
	struct timeval tv;
	struct tm tm;
	char when[32];

	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(stderr, "%s.%06ld %c | pkg/flags: %s\n", when, (long)tv.tv_usec, level, msg);
}

/* "ETCDCTL_" + the name upper-cased, '-' as '_'. */
static void
global_env_name(const char *flag, char *dst, size_t cap)
{
	size_t n = (size_t)snprintf(dst, cap, "ETCDCTL_%s", flag);

	CAIRN_ASSERT(n < cap);
	for (char *p = dst; *p != '\0'; p++) {
		if (*p == '-')
			*p = '_';
		else if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	}
}

const char *const *global_env_extra;

void
global_from_env(void)
{
	extern char **environ;
	char name[128], err[CTL_FLAG_ERR_BYTES_MAX], msg[4096];
	size_t nflags = 0;

	for (struct ctl_flag *f = ctl_global_flags; f->name != NULL; f++)
		nflags++;
	bool given[nflags], used[nflags];

	for (size_t i = 0; i < nflags; i++) {
		struct ctl_flag *f = &ctl_global_flags[i];
		const char *v;

		given[i] = f->changed;
		used[i] = false;
		global_env_name(f->name, name, sizeof(name));
		if (given[i] || (v = getenv(name)) == NULL || v[0] == '\0')
			continue;
		used[i] = true;
		/* etcdctl ignores a value it cannot parse (the flag keeps its
		 * default). */
		(void)flag_set(f, v, err, sizeof(err));
	}
	for (char **e = environ; *e != NULL; e++) {
		const char *eq = strchr(*e, '=');
		size_t klen = eq != NULL ? (size_t)(eq - *e) : strlen(*e);
		bool skip = false, shadowed = false;

		for (size_t i = 0; i < nflags; i++) {
			global_env_name(ctl_global_flags[i].name, name, sizeof(name));
			if (strlen(name) != klen || strncmp(*e, name, klen) != 0)
				continue;
			skip = used[i];
			shadowed = given[i];
		}
		for (const char *const *x = global_env_extra; x != NULL && *x != NULL && !skip; x++)
			skip = strlen(*x) == klen && strncmp(*e, *x, klen) == 0 && eq != NULL &&
			    eq[1] != '\0';
		if (skip)
			continue;
		if (shadowed) {
			snprintf(msg, sizeof(msg), "conflicting environment variable \"%.*s\" is "
			    "shadowed by corresponding command-line flag (either unset environment "
			    "variable or disable flag)", (int)klen, *e);
			global_capnslog('C', msg);
			exit(1);
		}
		if (strncmp(*e, "ETCDCTL_", 8) == 0) {
			snprintf(msg, sizeof(msg), "unrecognized environment variable %s", *e);
			global_capnslog('W', msg);
		}
	}
}

enum ctl_format
global_format(void)
{
	static const char *const names[] = { "simple", "fields", "json", "protobuf", "table" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(ctl_g.write_out, names[i]) == 0)
			return (enum ctl_format)i;
	ctl_fail(CTL_EXIT_BAD_FEATURE, "unsupported output format");
}

int64_t
ctl_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

uint64_t
ctl_now_ms(void)
{
	return (uint64_t)ctl_now_ns() / 1000000;
}

/* pflag's stringSlice String(): "[" + the values as encoding/csv writes
 * one record + "]" (a value quoted when it has a comma, a quote, CR or
 * LF, or starts with a blank; quotes doubled). */
static void
global_print_strings(FILE *out, const struct ctl_strings *sl)
{
	fputc('[', out);
	for (size_t i = 0; i < sl->n; i++) {
		const char *v = sl->v[i];
		bool quote = v[0] != '\0' && (strcmp(v, "\\.") == 0 || strpbrk(v, ",\"\r\n") != NULL ||
		    strchr(" \t\v\f", v[0]) != NULL);

		if (i > 0)
			fputc(',', out);
		if (!quote) {
			fputs(v, out);
			continue;
		}
		fputc('"', out);
		for (; *v != '\0'; v++) {
			if (*v == '"')
				fputc('"', out);
			fputc(*v, out);
		}
		fputc('"', out);
	}
	fputc(']', out);
}

/* One flag as ETCDCTL_NAME=value, the value as pflag's Value.String(). */
static void
global_print_flag(FILE *out, const struct ctl_flag *f)
{
	char name[128], d[GOTEXT_DURATION_BYTES];

	global_env_name(f->name, name, sizeof(name));
	fprintf(out, "%s=", name);
	switch (f->kind) {
	case CTL_FLAG_BOOL:
		fputs(*(bool *)f->val ? "true" : "false", out);
		break;
	case CTL_FLAG_STRING:
		fputs(*(char **)f->val, out);
		break;
	case CTL_FLAG_INT64:
		fprintf(out, "%lld", (long long)*(int64_t *)f->val);
		break;
	case CTL_FLAG_UINT64:
		fprintf(out, "%llu", (unsigned long long)*(uint64_t *)f->val);
		break;
	case CTL_FLAG_DURATION:
		gotext_duration(d, sizeof(d), *(int64_t *)f->val);
		fputs(d, out);
		break;
	case CTL_FLAG_STRINGS:
		global_print_strings(out, f->val);
		break;
	}
	fputc('\n', out);
}

void
global_debug_dump(void)
{
	static bool dumped;
	const char *const *x = global_env_extra;
	char flag[64];

	if (!ctl_g.debug || dumped)
		return;
	dumped = true;
	/* VisitAll's order, by name: the command's extra flags (watch-key,
	 * watch-range-end; discarded values, printed empty) among ours. */
	for (const struct ctl_flag *f = ctl_global_flags; f->name != NULL; f++) {
		for (; x != NULL && *x != NULL; x++) {
			size_t n = strlen(*x) - strlen("ETCDCTL_");

			CAIRN_ASSERT(n < sizeof(flag));
			for (size_t i = 0; i <= n; i++) {
				char c = (*x)[strlen("ETCDCTL_") + i];

				flag[i] = c == '_' ? '-' : c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
			}
			if (strcmp(flag, f->name) > 0)
				break;
			fprintf(stderr, "%s=\n", *x);
		}
		global_print_flag(stderr, f);
	}
	for (; x != NULL && *x != NULL; x++)
		fprintf(stderr, "%s=\n", *x);
}
