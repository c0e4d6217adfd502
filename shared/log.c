/*
 * All processes: JSON-line logging to stderr. Never allocates, so it is
 * safe on the out-of-memory path of xmalloc.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "shared/assert.h"
#include "shared/log.h"

static const char *log_proc = "cairn";
static enum log_level log_min = LOG_INFO;

static const char *const log_level_names[] = {
	[LOG_DEBUG] = "debug", [LOG_INFO] = "info",   [LOG_WARN] = "warn",
	[LOG_ERROR] = "error", [LOG_PANIC] = "panic", [LOG_FATAL] = "fatal",
};

void
log_init(const char *proc, enum log_level min)
{
	log_proc = proc;
	log_min = min;
}

void
log_set_level(enum log_level min)
{
	log_min = min;
}

enum log_level
log_get_level(void)
{
	return log_min;
}

int
log_level_parse(const char *s, enum log_level *out)
{
	for (size_t i = 0; i < sizeof(log_level_names) / sizeof(*log_level_names); i++) {
		if (strcmp(s, log_level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

/* Appends 's' JSON-escaped to buf[*len..cap); cuts rather than overflows. */
static void
json_escape(char *buf, size_t cap, size_t *len, const char *s)
{
	static const char hex[] = "0123456789abcdef";

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		char tmp[7];
		size_t n = 0;

		if (c == '"' || c == '\\') {
			tmp[n++] = '\\';
			tmp[n++] = (char)c;
		} else if (c < 0x20) {
			memcpy(tmp, "\\u00", 4);
			n = 4;
			tmp[n++] = hex[c >> 4];
			tmp[n++] = hex[c & 15];
		} else
			tmp[n++] = (char)c;
		if (*len + n >= cap)
			return;
		memcpy(buf + *len, tmp, n);
		*len += n;
	}
}

static void
append_raw(char *buf, size_t cap, size_t *len, const char *s)
{
	size_t n = strlen(s);

	if (*len + n >= cap)
		n = cap - *len - 1;
	memcpy(buf + *len, s, n);
	*len += n;
}

void
log_fields_init(struct log_fields *f)
{
	f->len = 0;
	f->buf[0] = '\0';
}

void
log_field_str(struct log_fields *f, const char *key, const char *val)
{
	append_raw(f->buf, sizeof(f->buf), &f->len, ",\"");
	json_escape(f->buf, sizeof(f->buf), &f->len, key);
	append_raw(f->buf, sizeof(f->buf), &f->len, "\":\"");
	json_escape(f->buf, sizeof(f->buf), &f->len, val);
	append_raw(f->buf, sizeof(f->buf), &f->len, "\"");
	f->buf[f->len] = '\0';
}

void
log_field_int(struct log_fields *f, const char *key, long long val)
{
	char num[32];

	append_raw(f->buf, sizeof(f->buf), &f->len, ",\"");
	json_escape(f->buf, sizeof(f->buf), &f->len, key);
	append_raw(f->buf, sizeof(f->buf), &f->len, "\":");
	snprintf(num, sizeof(num), "%lld", val);
	append_raw(f->buf, sizeof(f->buf), &f->len, num);
	f->buf[f->len] = '\0';
}

static void
log_vemit(enum log_level lvl, const char *file, int line,
    const struct log_fields *f, int errnum, const char *fmt, va_list ap)
{
	char out[LOG_LINE_BYTES_MAX], msg[LOG_LINE_BYTES_MAX], tmp[128];
	size_t len = 0;
	struct timespec ts;
	struct tm tm;

	CAIRN_ASSERT(lvl <= LOG_FATAL);
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	len = (size_t)snprintf(out, sizeof(out), "{\"level\":\"%s\",\"ts\":\"",
	    log_level_names[lvl]);
	strftime(tmp, sizeof(tmp), "%Y-%m-%dT%H:%M:%S", &tm);
	append_raw(out, sizeof(out), &len, tmp);
	snprintf(tmp, sizeof(tmp), ".%03ldZ\",\"caller\":\"", ts.tv_nsec / 1000000);
	append_raw(out, sizeof(out), &len, tmp);
	json_escape(out, sizeof(out), &len, file);
	snprintf(tmp, sizeof(tmp), ":%d\",\"msg\":\"", line);
	append_raw(out, sizeof(out), &len, tmp);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	json_escape(out, sizeof(out), &len, msg);
	append_raw(out, sizeof(out), &len, "\",\"proc\":\"");
	json_escape(out, sizeof(out), &len, log_proc);
	snprintf(tmp, sizeof(tmp), "\",\"pid\":%ld", (long)getpid());
	append_raw(out, sizeof(out), &len, tmp);
	if (errnum != 0) {
		append_raw(out, sizeof(out), &len, ",\"error\":\"");
		json_escape(out, sizeof(out), &len, strerror(errnum));
		append_raw(out, sizeof(out), &len, "\"");
	}
	if (f != NULL)
		append_raw(out, sizeof(out), &len, f->buf);
	if (len > sizeof(out) - 3)
		len = sizeof(out) - 3;
	out[len++] = '}';
	out[len++] = '\n';
	/* One write per line; a short write to stderr is not worth a retry. */
	(void)!write(STDERR_FILENO, out, len);
}

void
log_emit(enum log_level lvl, const char *file, int line,
    const struct log_fields *f, int errnum, const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	if (lvl < log_min)
		return;
	va_start(ap, fmt);
	log_vemit(lvl, file, line, f, errnum, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_exit(int status, const char *file, int line, int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_FATAL, file, line, 0, errnum, fmt, ap);
	va_end(ap);
	exit(status);
}

void
cairn_assert_fail(const char *cond, const char *file, int line)
{
	struct log_fields f;

	log_fields_init(&f);
	log_field_str(&f, "assertion", cond);
	log_emit(LOG_PANIC, file, line, &f, 0, "assertion failed");
	abort();
}
