/*
 * stored: a members-table record, an etcdserverpb.Member as MemberList
 * answers with it: what etcd's membership checks read of it, and copies
 * with some fields replaced.
 */
#ifndef CAIRN_STORED_MEMBER_REC_H
#define CAIRN_STORED_MEMBER_REC_H

#include <stdbool.h>
#include <stdint.h>

#include "shared/req.h"
#include "stored/spb.h"

/* etcdserverpb.Member's fields. */
#define MEMBER_F_ID 1
#define MEMBER_F_NAME 2
#define MEMBER_F_PEER_URLS 3
#define MEMBER_F_CLIENT_URLS 4
#define MEMBER_F_IS_LEARNER 5

/* Peer URLs a record may hold (BootstrapMember's and MemberChange's
 * bound, in shared/proto/ipc.options). */
#define MEMBER_REC_URLS_MAX 8

/* What the checks read; the URLs are borrowed from the record. */
struct member_view {
	bool learner;
	bool started;      /* it published a name: etcd's IsStarted */
	struct req_bytes urls[MEMBER_REC_URLS_MAX];
	uint32_t nurls;    /* those past MEMBER_REC_URLS_MAX are not read */
};

/* 0, or CAIRN_ECORRUPT when rec is not a protobuf message. */
int member_rec_view(const uint8_t *rec, uint32_t len, struct member_view *v);

/* Appends rec to out without the fields numbered drop[0..ndrop): the
 * caller then appends their new values. 0 or CAIRN_ECORRUPT. */
int member_rec_without(const uint8_t *rec, uint32_t len, const uint32_t *drop, size_t ndrop,
    struct spb *out);

#endif
