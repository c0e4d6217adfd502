/*
 * cairnctl: zap's JSON log lines (zaplog.h): strings escaped as zap
 * escapes them (no HTML escaping), times in its two encodings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "ctl/zaplog.h"

static void
zaplog_json_string(const char *s)
{
	fputc('"', stderr);
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(stderr, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", stderr);
		else if (*p == '\r')
			fputs("\\r", stderr);
		else if (*p == '\t')
			fputs("\\t", stderr);
		else if (*p < 0x20)
			fprintf(stderr, "\\u%04x", *p);
		else
			fputc(*p, stderr);
	}
	fputc('"', stderr);
}

/* strconv.FormatFloat(v, 'f', -1, 64): the fewest digits that read back. */
static void
zaplog_shortest(double v)
{
	char buf[64];

	for (int prec = 0; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*f", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	fputs(buf, stderr);
}

void
zaplog_begin(const char *level, bool epoch_ts, const char *caller, const char *msg)
{
	struct timeval tv;
	struct tm tm;
	char when[64], zone[16];

	gettimeofday(&tv, NULL);
	fprintf(stderr, "{\"level\":\"%s\",\"ts\":", level);
	if (epoch_ts) {
		zaplog_shortest((double)tv.tv_sec + (double)tv.tv_usec / 1e6);
	} else {
		localtime_r(&tv.tv_sec, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
		strftime(zone, sizeof(zone), "%z", &tm);
		fprintf(stderr, "\"%s.%03ld%s\"", when, (long)(tv.tv_usec / 1000),
		    strcmp(zone, "+0000") == 0 ? "Z" : zone);
	}
	fputs(",\"caller\":", stderr);
	zaplog_json_string(caller);
	fputs(",\"msg\":", stderr);
	zaplog_json_string(msg);
}

void
zaplog_str(const char *key, const char *val)
{
	fprintf(stderr, ",\"%s\":", key);
	zaplog_json_string(val);
}

void
zaplog_strs(const char *key, const char *const *v, size_t n)
{
	fprintf(stderr, ",\"%s\":[", key);
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			fputc(',', stderr);
		zaplog_json_string(v[i]);
	}
	fputc(']', stderr);
}

void
zaplog_uint(const char *key, uint64_t v)
{
	fprintf(stderr, ",\"%s\":%llu", key, (unsigned long long)v);
}

void
zaplog_float(const char *key, double v)
{
	fprintf(stderr, ",\"%s\":", key);
	zaplog_shortest(v);
}

void
zaplog_end(void)
{
	fputs("}\n", stderr);
}
