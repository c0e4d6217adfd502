/*
 * netd: etcd's JSON gateway (grpc-gateway v1 as etcd 3.4 serves it under
 * /v3/): a POST of a request message as JSON is served by the same
 * method a gRPC client calls, and the answer goes back as JSON (unary),
 * or as one {"result": ...} line per message (streaming).
 */
#ifndef CAIRN_NETD_GATEWAY_H
#define CAIRN_NETD_GATEWAY_H

#include <stdbool.h>
#include <stddef.h>

struct gateway;
struct http_call;

/* Answer bytes the gateway gives the protocol while the client has not
 * taken them; beyond, a streaming method's messages wait in its gstream
 * (whose own bound then stops the service). */
#define GATEWAY_UNSENT_BYTES_MAX (1u << 20)
/* Request messages one body may carry to a streaming method. */
#define GATEWAY_STREAM_MESSAGES_MAX 1024

/* Serves c when its path (path[len]) is the gateway's: true, and c is
 * answered now or c->gw is set and the answer comes later. */
bool gateway_route(struct http_call *c, const char *path, size_t len);

/* The call's gstream has more of its answer (grpc.c). */
void gateway_answer(struct gateway *gw);
/* The client took some of the answer: more may go. */
void gateway_drained(struct gateway *gw);
/* The client went away: the call ends with nothing more sent. */
void gateway_free(struct gateway *gw);

#endif
