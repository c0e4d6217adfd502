/*
 * netd: etcd's Lease service, the calls that go through Raft: Grant and
 * Revoke. stored checks the TTL and the ID as etcd's lessor does; a grant
 * without an ID gets one here first, as etcd's server picks it before
 * proposing.
 */
#include <time.h>

#include <pb_encode.h>

#include "netd/h2.h"
#include "netd/netd.h"
#include "netd/svc.h"
#include "shared/xmalloc.h"

/* etcd's request ID layout (idutil): the member ID's low 16 bits, then
 * 40 bits of the start time in milliseconds and an 8-bit counter, which
 * together count up from the start. Unique per member, across restarts
 * that are more than a few milliseconds apart per ID taken. */
#define SVC_ID_COUNTER_BITS 8
#define SVC_ID_TIME_BITS 40
#define SVC_ID_SUFFIX_BITS (SVC_ID_TIME_BITS + SVC_ID_COUNTER_BITS)
#define SVC_LOW_BITS(x, n) ((x) & ((UINT64_C(1) << (n)) - 1))

int64_t
svc_lease_new_id(struct netd *n)
{
	uint64_t prefix = SVC_LOW_BITS(n->raft.member_id, 16) << SVC_ID_SUFFIX_BITS;

	if (n->id_suffix == 0) {
		struct timespec ts;
		uint64_t ms;

		clock_gettime(CLOCK_REALTIME, &ts);
		ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
		n->id_suffix = SVC_LOW_BITS(ms, SVC_ID_TIME_BITS) << SVC_ID_COUNTER_BITS;
	}
	n->id_suffix++;
	/* A lease ID is positive: etcd clears the top bit. */
	return (int64_t)((prefix | SVC_LOW_BITS(n->id_suffix, SVC_ID_SUFFIX_BITS)) &
	    (UINT64_MAX >> 1));
}

int
svc_lease_grant(struct gstream *s, const uint8_t *msg, size_t len)
{
	etcdserverpb_LeaseGrantRequest req = etcdserverpb_LeaseGrantRequest_init_zero;
	uint8_t buf[etcdserverpb_LeaseGrantRequest_size];
	pb_ostream_t os = pb_ostream_from_buffer(buf, sizeof(buf));

	if (svc_decode(s, etcdserverpb_LeaseGrantRequest_fields, &req, msg, len) != 0)
		return 0;
	while (req.ID == 0)
		req.ID = svc_lease_new_id(s->n);
	if (!pb_encode(&os, etcdserverpb_LeaseGrantRequest_fields, &req))
		return CAIRN_EIO;
	return svc_propose(s, REQ_LEASE_GRANT, buf, os.bytes_written);
}

int
svc_lease_revoke(struct gstream *s, const uint8_t *msg, size_t len)
{
	return svc_propose(s, REQ_LEASE_REVOKE, msg, len);
}
