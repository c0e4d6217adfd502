/*
 * All processes: structured logging, one JSON object per line on stderr
 * (level, ts, caller, msg, then fields), in the shape of etcd's zap logs.
 * Each line is written with one write(2) so that lines from the four
 * processes sharing stderr never interleave.
 */
#ifndef CAIRN_LOG_H
#define CAIRN_LOG_H

#include <stddef.h>

enum log_level {
	LOG_DEBUG = 0,
	LOG_INFO,
	LOG_WARN,
	LOG_ERROR,
	LOG_PANIC,
	LOG_FATAL,
};

/* Bound on one line; longer messages are cut, never split. */
#define LOG_LINE_BYTES_MAX 4096
#define LOG_FIELDS_BYTES_MAX 2048

/* Extra key/value pairs of one line, already JSON-encoded. */
struct log_fields {
	char buf[LOG_FIELDS_BYTES_MAX];
	size_t len;
};

/* 'proc' is borrowed for the process lifetime (a string literal). */
void log_init(const char *proc, enum log_level min);
void log_set_level(enum log_level min);
enum log_level log_get_level(void);
/* etcd's level names: debug, info, warn, error, panic, fatal. */
int log_level_parse(const char *s, enum log_level *out);

void log_fields_init(struct log_fields *f);
void log_field_str(struct log_fields *f, const char *key, const char *val);
void log_field_int(struct log_fields *f, const char *key, long long val);

void log_emit(enum log_level lvl, const char *file, int line,
    const struct log_fields *f, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
void log_exit(int status, const char *file, int line, int errnum,
    const char *fmt, ...) __attribute__((format(printf, 5, 6), noreturn));

#define log_debug(...) log_emit(LOG_DEBUG, __FILE__, __LINE__, 0, 0, __VA_ARGS__)
#define log_info(...) log_emit(LOG_INFO, __FILE__, __LINE__, 0, 0, __VA_ARGS__)
#define log_warnx(...) log_emit(LOG_WARN, __FILE__, __LINE__, 0, 0, __VA_ARGS__)
/* log_warn adds strerror(errno) as the "error" field. */
#define log_warn(...) log_emit(LOG_WARN, __FILE__, __LINE__, 0, errno, __VA_ARGS__)
#define log_errorx(...) log_emit(LOG_ERROR, __FILE__, __LINE__, 0, 0, __VA_ARGS__)
/* With fields: first argument a struct log_fields *. */
#define log_infof(f, ...) log_emit(LOG_INFO, __FILE__, __LINE__, f, 0, __VA_ARGS__)
#define log_warnxf(f, ...) log_emit(LOG_WARN, __FILE__, __LINE__, f, 0, __VA_ARGS__)
#define log_errorxf(f, ...) log_emit(LOG_ERROR, __FILE__, __LINE__, f, 0, __VA_ARGS__)
/* Process-fatal: log at level fatal and exit(1). fatal adds errno. */
#define fatal(...) log_exit(1, __FILE__, __LINE__, errno, __VA_ARGS__)
#define fatalx(...) log_exit(1, __FILE__, __LINE__, 0, __VA_ARGS__)

#include <errno.h>

#endif
