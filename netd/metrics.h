/*
 * netd: /metrics in Prometheus' text format (version 0.0.4), with etcd's
 * metric names, types and help texts, for the series netd knows.
 */
#ifndef CAIRN_NETD_METRICS_H
#define CAIRN_NETD_METRICS_H

#include <event2/buffer.h>

struct netd;

void metrics_write(const struct netd *n, struct evbuffer *out);

#endif
