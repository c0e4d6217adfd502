/*
 * cairnctl: log lines in the JSON of zap's production logger, which
 * etcdctl's client library and snapshot code write to stderr
 * ({"level":...,"ts":...,"caller":...,"msg":..., fields}): scripts that
 * read etcdctl's stderr see the same lines.
 */
#ifndef CAIRN_CTL_ZAPLOG_H
#define CAIRN_CTL_ZAPLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Starts a line: "ts" as ISO 8601 local time (clientv3's logger) or as
 * Unix seconds (etcdctl's zap.NewProduction()). */
void zaplog_begin(const char *level, bool epoch_ts, const char *caller, const char *msg);
void zaplog_str(const char *key, const char *val);
/* An array of strings: ["a","b"]. */
void zaplog_strs(const char *key, const char *const *v, size_t n);
void zaplog_uint(const char *key, uint64_t v);
/* A float as Go writes it: the shortest text that reads back the same. */
void zaplog_float(const char *key, double v);
void zaplog_end(void);

#endif
