/*
 * stored and netd: a client's write (or read through Raft) as it arrives
 * in a Raft entry: etcd's InternalRaftRequest (shared/proto/etcdserverpb/
 * raft_internal.proto), decoded without copying: every byte field points
 * into the entry. Only what stored applies is kept; req_decode() refuses
 * anything else. netd decodes what it proposes with the same code, to
 * check a request as etcd's gRPC layer does before it reaches Raft.
 */
#ifndef CAIRN_REQ_H
#define CAIRN_REQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Bounds. Compares and operations of one request, all levels counted
 * together. netd enforces --max-txn-ops (etcd's default 128) before it
 * proposes; stored decodes committed entries with this constant alone,
 * the same on every member, so that no member refuses what another
 * applied. */
#define REQ_TXN_OPS_MAX 1024
/* Levels of transactions, the outermost counted as 1: etcd allows any
 * depth; cairn this many. */
#define REQ_TXN_DEPTH_MAX 8

/* Bytes borrowed from the entry. p may be NULL when n is 0. */
struct req_bytes {
	const uint8_t *p;
	uint32_t n;
};

static inline bool
req_bytes_eq(struct req_bytes x, struct req_bytes y)
{
	return x.n == y.n && (x.n == 0 || memcmp(x.p, y.p, x.n) == 0);
}

enum req_sort_order { REQ_SORT_NONE = 0, REQ_SORT_ASCEND = 1, REQ_SORT_DESCEND = 2 };
enum req_sort_target {
	REQ_TARGET_KEY = 0, REQ_TARGET_VERSION = 1, REQ_TARGET_CREATE = 2,
	REQ_TARGET_MOD = 3, REQ_TARGET_VALUE = 4,
};

/* RangeRequest (fields 1-13). */
struct req_range {
	struct req_bytes key;
	struct req_bytes end;
	int64_t limit;
	int64_t rev;
	uint32_t sort_order;         /* enum req_sort_order; others refused */
	uint32_t sort_target;        /* enum req_sort_target; others refused */
	bool serializable;
	bool keys_only;
	bool count_only;
	int64_t min_mod, max_mod, min_create, max_create;
};

/* PutRequest (fields 1-6). */
struct req_put {
	struct req_bytes key;
	struct req_bytes value;
	int64_t lease;
	bool prev_kv;
	bool ignore_value;
	bool ignore_lease;
};

/* DeleteRangeRequest (fields 1-3). */
struct req_delete {
	struct req_bytes key;
	struct req_bytes end;
	bool prev_kv;
};

enum req_cmp_result { REQ_CMP_EQUAL = 0, REQ_CMP_GREATER = 1, REQ_CMP_LESS = 2,
	REQ_CMP_NOT_EQUAL = 3 };
enum req_cmp_target { REQ_CMP_VERSION = 0, REQ_CMP_CREATE = 1, REQ_CMP_MOD = 2,
	REQ_CMP_VALUE = 3, REQ_CMP_LEASE = 4 };

/* Compare (fields 1-8, 64): the operand is the member named by target
 * (absent: 0 or empty, as etcd reads it). */
struct req_compare {
	uint32_t result;             /* enum req_cmp_result; others refused */
	uint32_t target;             /* enum req_cmp_target; others refused */
	struct req_bytes key;
	struct req_bytes end;
	int64_t version, create_rev, mod_rev, lease;
	struct req_bytes value;
};

struct req_txn;

enum req_op_type { REQ_OP_RANGE = 1, REQ_OP_PUT = 2, REQ_OP_DELETE = 3, REQ_OP_TXN = 4 };

/* RequestOp: exactly one of its members (a RequestOp with none is refused). */
struct req_op {
	enum req_op_type type;
	union {
		struct req_range range;
		struct req_put put;
		struct req_delete del;
		struct req_txn *txn;
	} u;
};

/* TxnRequest (fields 1-3). */
struct req_txn {
	struct req_compare *cmp;
	size_t ncmp;
	struct req_op *success;
	size_t nsuccess;
	struct req_op *failure;
	size_t nfailure;
};

/* The request's field number in InternalRaftRequest. */
enum req_type {
	REQ_RANGE = 3, REQ_PUT = 4, REQ_DELETE = 5, REQ_TXN = 6, REQ_COMPACTION = 7,
	REQ_LEASE_GRANT = 8, REQ_LEASE_REVOKE = 9, REQ_ALARM = 10,
	REQ_AUTH_ENABLE = 1000, REQ_AUTH_DISABLE = 1011, REQ_AUTHENTICATE = 1012,
	REQ_USER_ADD = 1100, REQ_USER_DELETE = 1101, REQ_USER_GET = 1102,
	REQ_USER_PASSWD = 1103, REQ_USER_GRANT = 1104, REQ_USER_REVOKE = 1105,
	REQ_USER_LIST = 1106, REQ_ROLE_LIST = 1107,
	REQ_ROLE_ADD = 1200, REQ_ROLE_DELETE = 1201, REQ_ROLE_GET = 1202,
	REQ_ROLE_GRANT = 1203, REQ_ROLE_REVOKE = 1204,
	/* cairn's own: a member's attributes (an etcdserverpb.Member's ID,
	 * name and clientURLs), which its netd proposes at start as etcd
	 * publishes them through its v2 store. */
	REQ_MEMBER_ATTR = 9000,
};

/* The client URLs a member may publish (etcdserverpb.Member's bound). */
#define REQ_MEMBER_URLS_MAX 8

/* REQ_MEMBER_ATTR's Member. */
struct req_member_attr {
	uint64_t id;                 /* ID (1) */
	struct req_bytes name;       /* name (2) */
	struct req_bytes urls[REQ_MEMBER_URLS_MAX]; /* clientURLs (4) */
	uint32_t nurls;
};

/* The auth requests' fields, by meaning; each request has some of them
 * (absent: empty). */
struct req_auth {
	struct req_bytes name;       /* the user or role the request is about */
	struct req_bytes role;       /* user grant and revoke: the role */
	struct req_bytes password;   /* authenticate, user add, change password */
	struct req_bytes hashed;     /* user add, change password: etcd 3.5's
	                              * hashedPassword, made before proposing */
	struct req_bytes token;      /* authenticate: simple_token */
	bool no_password;            /* user add: options.no_password */
	uint32_t perm_type;          /* role grant: perm.permType, as given */
	struct req_bytes key, end;   /* role grant (perm.key, .range_end), revoke */
};

/* AlarmRequest's enums (etcdserverpb). */
enum req_alarm_action { REQ_ALARM_GET = 0, REQ_ALARM_ACTIVATE = 1, REQ_ALARM_DEACTIVATE = 2 };
enum req_alarm_type { REQ_ALARM_NONE = 0, REQ_ALARM_NOSPACE = 1, REQ_ALARM_CORRUPT = 2 };

/* InternalRaftRequest: header (100) {ID = 1, username = 2, auth_revision
 * = 3}, ID (1), and one request. */
struct req {
	uint64_t id;                 /* ID (1); header.ID (100.1) if absent */
	struct req_bytes username;   /* header.username */
	uint64_t auth_revision;      /* header.auth_revision */
	enum req_type type;
	union {
		struct req_range range;
		struct req_put put;
		struct req_delete del;
		struct req_txn txn;
		struct {
			int64_t rev;         /* CompactionRequest.revision (1) */
			bool physical;       /* .physical (2) */
		} compaction;
		struct {
			int64_t ttl;         /* LeaseGrantRequest.TTL (1) */
			int64_t id;          /* .ID (2) */
		} grant;
		struct {
			int64_t id;          /* LeaseRevokeRequest.ID (1) */
		} revoke;
		struct {
			uint32_t action;     /* AlarmRequest.action (1) */
			uint64_t member_id;  /* .memberID (2) */
			uint32_t alarm;      /* .alarm (3) */
		} alarm;
		struct req_auth auth;    /* REQ_AUTH_ENABLE to REQ_ROLE_REVOKE */
		struct req_member_attr member; /* REQ_MEMBER_ATTR */
	} u;
};

/* Memory for a decoded request's lists (compares, operations, nested
 * transactions), reused from entry to entry. */
struct req_arena {
	uint8_t *buf;
	size_t len, cap;
};

void req_arena_init(struct req_arena *a);
void req_arena_free(struct req_arena *a);

/* Why req_decode() refuses a request: the strings *why may point at. */
#define REQ_WHY_PROTOBUF "malformed protobuf"
#define REQ_WHY_WIRE_TYPE "known field with the wrong wire type"
#define REQ_WHY_BYTES_LONG "bytes field of 4 GiB or more"
#define REQ_WHY_MSG_TWICE "embedded message field appears twice"
#define REQ_WHY_NO_REQUEST "no request in InternalRaftRequest"
#define REQ_WHY_TWO_REQUESTS "more than one request in InternalRaftRequest"
#define REQ_WHY_NOT_APPLIED "request type not applied by stored"
#define REQ_WHY_ENUM "enum value not defined by etcd"
#define REQ_WHY_TOO_MANY_OPS "too many operations in txn request"
#define REQ_WHY_TOO_DEEP "txn request nested too deep"
#define REQ_WHY_EMPTY_OP "RequestOp without a request"
#define REQ_WHY_TOO_MANY_URLS "member with too many client URLs"

/*
 * Decodes an InternalRaftRequest from buf (len bytes), which must outlive
 * *out. Lists are allocated from 'a' (reset first). Returns 0, or
 * CAIRN_EINVAL with *why (a string literal) naming the first fault: bad
 * protobuf, a known field of the wrong wire type, no request or two, an
 * enum value etcd does not have, more than max_ops operations or compares
 * in a transaction (nested ones counted), nesting deeper than
 * REQ_TXN_DEPTH_MAX, a RequestOp without a member. Unknown fields are
 * skipped, as protobuf requires.
 */
int req_decode(const uint8_t *buf, size_t len, uint32_t max_ops, struct req_arena *a,
    struct req *out, const char **why);

#endif
