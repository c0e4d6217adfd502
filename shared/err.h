/*
 * All processes: the one table of cairn error codes. Each code carries
 * etcd's message text (where etcd has one) and the gRPC status a client
 * sees, so every layer returns the same int and netd maps it once.
 */
#ifndef CAIRN_ERR_H
#define CAIRN_ERR_H

#include <stddef.h>

/* gRPC status codes (grpc/codes). */
enum grpc_status {
	GRPC_OK = 0,
	GRPC_CANCELLED = 1,
	GRPC_UNKNOWN = 2,
	GRPC_INVALID_ARGUMENT = 3,
	GRPC_DEADLINE_EXCEEDED = 4,
	GRPC_NOT_FOUND = 5,
	GRPC_ALREADY_EXISTS = 6,
	GRPC_PERMISSION_DENIED = 7,
	GRPC_RESOURCE_EXHAUSTED = 8,
	GRPC_FAILED_PRECONDITION = 9,
	GRPC_ABORTED = 10,
	GRPC_OUT_OF_RANGE = 11,
	GRPC_UNIMPLEMENTED = 12,
	GRPC_INTERNAL = 13,
	GRPC_UNAVAILABLE = 14,
	GRPC_DATA_LOSS = 15,
	GRPC_UNAUTHENTICATED = 16,
};

/* X(code, message, grpc status). Codes are positive; 0 is success. The
 * values cross IPC channels (RaftReply.code): add new codes at the end. */
#define CAIRN_ERRORS(X)                                                        \
	X(CAIRN_EAGAIN, "resource temporarily unavailable", GRPC_UNAVAILABLE)      \
	X(CAIRN_EINVAL, "invalid argument", GRPC_INVALID_ARGUMENT)                 \
	X(CAIRN_ENOENT, "not found", GRPC_NOT_FOUND)                               \
	X(CAIRN_EIO, "input/output error", GRPC_INTERNAL)                          \
	X(CAIRN_ETOOBIG, "etcdserver: request is too large",                       \
	  GRPC_INVALID_ARGUMENT)                                                   \
	X(CAIRN_EPROTO, "protocol error on an IPC channel", GRPC_INTERNAL)         \
	X(CAIRN_ECLOSED, "channel closed", GRPC_UNAVAILABLE)                       \
	X(CAIRN_ECORRUPT, "corrupt data", GRPC_DATA_LOSS)                          \
	X(CAIRN_ENOLEADER, "etcdserver: no leader", GRPC_UNAVAILABLE)              \
	X(CAIRN_ECOMPACTED, "etcdserver: mvcc: required revision has been "        \
	  "compacted", GRPC_OUT_OF_RANGE)                                         \
	X(CAIRN_EFUTUREREV, "etcdserver: mvcc: required revision is a future "     \
	  "revision", GRPC_OUT_OF_RANGE)                                          \
	X(CAIRN_ENOSPACE, "etcdserver: mvcc: database space exceeded",             \
	  GRPC_RESOURCE_EXHAUSTED)                                                 \
	X(CAIRN_EKEYEMPTY, "etcdserver: key is not provided",                      \
	  GRPC_INVALID_ARGUMENT)                                                   \
	X(CAIRN_ENOTLEADER, "etcdserver: not leader", GRPC_FAILED_PRECONDITION)    \
	X(CAIRN_EPROPDROPPED, "raft proposal dropped", GRPC_UNAVAILABLE)           \
	X(CAIRN_EBADTRANSFEREE, "etcdserver: bad leader transferee",               \
	  GRPC_FAILED_PRECONDITION)                                                \
	X(CAIRN_EMEMBEREXIST, "etcdserver: member ID already exist",               \
	  GRPC_FAILED_PRECONDITION)                                                \
	X(CAIRN_EMEMBERNOTFOUND, "etcdserver: member not found", GRPC_NOT_FOUND)   \
	X(CAIRN_ENOTLEARNER, "etcdserver: can only promote a learner member",      \
	  GRPC_FAILED_PRECONDITION)                                                \
	X(CAIRN_ELEARNERNOTREADY, "etcdserver: can only promote a learner member " \
	  "which is in sync with leader", GRPC_FAILED_PRECONDITION)                \
	X(CAIRN_ECONFPENDING, "etcdserver: unhealthy cluster",                     \
	  GRPC_UNAVAILABLE)                                                        \
	X(CAIRN_ETOOMANYREQ, "etcdserver: too many requests",                      \
	  GRPC_RESOURCE_EXHAUSTED)                                                 \
	X(CAIRN_ETIMEOUT, "etcdserver: request timed out", GRPC_UNAVAILABLE)       \
	X(CAIRN_ELEADERCHANGED, "etcdserver: leader changed", GRPC_UNAVAILABLE)    \
	X(CAIRN_ELEASENOTFOUND, "etcdserver: requested lease not found",          \
	  GRPC_NOT_FOUND)                                                          \
	X(CAIRN_ELEASEEXIST, "etcdserver: lease already exists",                   \
	  GRPC_FAILED_PRECONDITION)                                                \
	X(CAIRN_ELEASETTLTOOLARGE, "etcdserver: too large lease TTL",              \
	  GRPC_OUT_OF_RANGE)                                                       \
	X(CAIRN_EKEYNOTFOUND, "etcdserver: key not found", GRPC_INVALID_ARGUMENT)  \
	X(CAIRN_ECLUSTERCORRUPT, "etcdserver: corrupt cluster", GRPC_DATA_LOSS)   \
	X(CAIRN_EROOTUSERNOTEXIST, "etcdserver: root user does not exist",         \
	  GRPC_FAILED_PRECONDITION)                                                \
	X(CAIRN_EROOTROLENOTEXIST, "etcdserver: root user does not have root "     \
	  "role", GRPC_FAILED_PRECONDITION)                                        \
	X(CAIRN_EUSEREXIST, "etcdserver: user name already exists",                \
	  GRPC_FAILED_PRECONDITION)                                                \
	X(CAIRN_EUSEREMPTY, "etcdserver: user name is empty", GRPC_INVALID_ARGUMENT) \
	X(CAIRN_EUSERNOTFOUND, "etcdserver: user name not found",                  \
	  GRPC_FAILED_PRECONDITION)                                                \
	X(CAIRN_EROLEEXIST, "etcdserver: role name already exists",                \
	  GRPC_FAILED_PRECONDITION)                                                \
	X(CAIRN_EROLENOTFOUND, "etcdserver: role name not found",                  \
	  GRPC_FAILED_PRECONDITION)                                                \
	X(CAIRN_EROLEEMPTY, "etcdserver: role name is empty", GRPC_INVALID_ARGUMENT) \
	X(CAIRN_EAUTHFAILED, "etcdserver: authentication failed, invalid user ID " \
	  "or password", GRPC_INVALID_ARGUMENT)                                    \
	X(CAIRN_EPERMDENIED, "etcdserver: permission denied",                      \
	  GRPC_PERMISSION_DENIED)                                                  \
	X(CAIRN_EROLENOTGRANTED, "etcdserver: role is not granted to the user",    \
	  GRPC_FAILED_PRECONDITION)                                                \
	X(CAIRN_EPERMNOTGRANTED, "etcdserver: permission is not granted to the "   \
	  "role", GRPC_FAILED_PRECONDITION)                                        \
	X(CAIRN_EAUTHNOTENABLED, "etcdserver: authentication is not enabled",      \
	  GRPC_FAILED_PRECONDITION)                                                \
	X(CAIRN_EAUTHTOKEN, "etcdserver: invalid auth token", GRPC_UNAUTHENTICATED) \
	X(CAIRN_EAUTHMGMT, "etcdserver: invalid auth management",                  \
	  GRPC_INVALID_ARGUMENT)                                                   \
	X(CAIRN_EAUTHOLDREV, "etcdserver: revision of auth store is old",          \
	  GRPC_INVALID_ARGUMENT) \
	X(CAIRN_EVALUEPROVIDED, "etcdserver: value is provided", GRPC_INVALID_ARGUMENT) \
	X(CAIRN_ELEASEPROVIDED, "etcdserver: lease is provided", GRPC_INVALID_ARGUMENT) \
	X(CAIRN_ETOOMANYOPS, "etcdserver: too many operations in txn request",      \
	  GRPC_INVALID_ARGUMENT)                                                   \
	X(CAIRN_EDUPKEY, "etcdserver: duplicate key given in txn request",          \
	  GRPC_INVALID_ARGUMENT)                                                   \
	/* etcd 3.4's Maintenance calls return the auth store's own errors,  \
	 * which grpc-go sends as UNKNOWN. */                                      \
	X(CAIRN_EMAINTPERMDENIED, "auth: permission denied", GRPC_UNKNOWN)        \
	X(CAIRN_EMAINTUSEREMPTY, "auth: user name is empty", GRPC_UNKNOWN)        \
	X(CAIRN_EMAINTUSERNOTFOUND, "auth: user not found", GRPC_UNKNOWN)        \
	/* etcd's v3rpc has no status for it: grpc-go's UNKNOWN. */                \
	X(CAIRN_ETRANSFERTIMEOUT, "etcdserver: request timed out, leader transfer " \
	  "took too long", GRPC_UNKNOWN)                                           \
	X(CAIRN_EPEERURLEXIST, "etcdserver: Peer URLs already exists",              \
	  GRPC_FAILED_PRECONDITION)                                                \
	X(CAIRN_EMEMBERBADURLS, "etcdserver: given member URLs are invalid",        \
	  GRPC_INVALID_ARGUMENT)                                                   \
	X(CAIRN_ETOOMANYLEARNERS, "etcdserver: too many learner members in cluster", \
	  GRPC_FAILED_PRECONDITION)                                                \
	/* etcd 3.4 returns it as a plain error (rpctypes.ErrMemberNotEnoughStarted), \
	 * which grpc-go sends as UNKNOWN. */                                      \
	X(CAIRN_ENOTENOUGHSTARTED, "etcdserver: re-configuration failed due to not " \
	  "enough started members", GRPC_UNKNOWN)                                  \
	/* cairn's bound (RAFT_MEMBERS_MAX); etcd has none. */                     \
	X(CAIRN_ETOOMANYMEMBERS, "etcdserver: re-configuration failed: a cluster "  \
	  "holds at most 16 members and learners", GRPC_FAILED_PRECONDITION)   \
	/* etcd 3.4's Election service: its concurrency package's plain      \
	 * errors, which grpc-go sends as UNKNOWN. */                              \
	X(CAIRN_EELECTNOTLEADER, "election: not leader", GRPC_UNKNOWN)            \
	X(CAIRN_EELECTNOLEADER, "election: no leader", GRPC_UNKNOWN)              \
	X(CAIRN_ELEADERKEYMISSING, "\"leader\" field must be provided", GRPC_UNKNOWN) \
	/* etcd 3.4's proposal that found no leader within the request      \
	 * timeout: the server's context error, sent as UNKNOWN. */                \
	X(CAIRN_EDEADLINE, "context deadline exceeded", GRPC_UNKNOWN)

enum cairn_err {
	CAIRN_OK = 0,
	CAIRN_ERR_FIRST_ = 1000, /* away from errno values */
#define CAIRN_ERR_ENUM(code, msg, grpc) code,
	CAIRN_ERRORS(CAIRN_ERR_ENUM)
#undef CAIRN_ERR_ENUM
	CAIRN_ERR_LAST_
};

/* The message text of 'err' (etcd's where it has one); never NULL. */
const char *err_str(int err);
/* The gRPC status a client sees for 'err'. */
enum grpc_status err_grpc_status(int err);
/* The code's own name, e.g. "CAIRN_EPROTO"; never NULL. */
const char *err_name(int err);
/* grpc-go's text of the error as a status error ("rpc error: code =
 * PermissionDenied desc = etcdserver: permission denied"), which etcd
 * puts in a refused watch's cancel_reason. */
void err_grpc_text(int err, char *buf, size_t cap);

#endif
