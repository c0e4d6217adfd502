/*
 * raftd: the codec of Raft peer messages between the core (struct rmsg)
 * and netd (RaftMsg of shared/proto/ipc.proto). What netd hands over is
 * hostile: peer_msg_decode() lets through only messages the core can
 * step without tripping an assertion, whatever their bytes.
 */
#ifndef CAIRN_RAFT_PEER_CODEC_H
#define CAIRN_RAFT_PEER_CODEC_H

#include <stdint.h>

#include "raftd/core.h"
#include "shared/proto/ipc.pb.h"

/* A decoded message, ready for rcore_step(&pm->m). Embedded; one per
 * caller, reused from message to message. */
struct peer_msg {
	struct rmsg m;
	struct raft_entry ents[RCORE_APPEND_ENTRIES_MAX]; /* m.entries */
	struct rcore_snapshot snap;                      /* m.snap */
	uint8_t *buf;   /* owned: RAFT_PEER_DATA_BYTES_MAX, the data of
	                 * entries that came in several chunks */
};

/* Allocates pm's buffer (never fails: xmalloc). Release with
 * peer_msg_close(). */
void peer_msg_init(struct peer_msg *pm);
void peer_msg_close(struct peer_msg *pm);

/*
 * Fills *out from m (borrowed; the core's message from rcore_update) for
 * chan_send(IPC_NETD_PEER_SEND). nanopb's bytes carry their length in
 * front of the data, so the entries' data is copied (in chunks of
 * RAFT_PEER_CHUNK_BYTES): *out owns heap copies of everything m points
 * to, and the caller releases them with pb_release(cairn_ipc_RaftMsg_fields,
 * out) once sent. m may be released at once.
 * Returns 0, or CAIRN_ETOOBIG when m exceeds shared/raft_peer.h (more than
 * RAFT_PEER_ENTRIES_MAX entries, or more data than an entry or a message
 * may carry): then *out is empty (nothing to release), and nothing is cut.
 * m must be a message the core made: a known type, entries only on an
 * append or a proposal, a snapshot exactly on RMSG_SNAPSHOT (asserted).
 */
int peer_msg_encode(const struct rmsg *m, cairn_ipc_RaftMsg *out);

/* Fills out/count with copies of n entries (at most RAFT_PEER_ENTRIES_MAX,
 * each within RAFT_PEER_ENTRY_BYTES_MAX), as peer_msg_encode does; freed
 * by pb_release of the enclosing message. */
void peer_entries_encode(const struct raft_entry *e, size_t n, cairn_ipc_RaftEntry **out,
    pb_size_t *count);
/* Fills *out with s's marker, membership and ref (members allocated as
 * above). */
void peer_snap_encode(const struct rcore_snapshot *s, cairn_ipc_RaftSnapshotMeta *out);

/*
 * Checks 'in' (decoded by nanopb from netd's frame of IPC_RAFTD_PEER_RECV)
 * for member 'self' (non-zero) and fills *out for rcore_step(&out->m).
 * out->m's entries and snapshot point into *out, and their data into
 * 'in' (or into out->buf): valid until pb_release of 'in' or the next
 * decode into 'out', whichever comes first. rcore_step copies what it
 * keeps, so both may go right after it.
 * Returns 0 (*why = NULL), or CAIRN_EPROTO with *why a string literal
 * naming the first fault, for the log; *out is then unusable. Refused:
 * an unknown type; a message not for 'self', from member 0 or from
 * 'self'; a term above RAFT_PEER_TERM_MAX or an index above
 * RAFT_PEER_INDEX_MAX; term 0 where a term is needed; a log term above
 * the term, or with index 0; entries beyond RAFT_PEER_ENTRIES_MAX, or on
 * a type other than RMSG_APPEND and RMSG_PROPOSE; append entries not
 * numbered index + 1 onwards, of term 0, above the message's term, below
 * the log term or decreasing; a commit beyond an append's last entry;
 * proposals that are not one or more RAFT_ENTRY_NORMAL entries of index
 * and term 0; an unknown entry type; data in chunks other than full ones
 * and a non-empty last, above RAFT_ENTRY_BYTES_MAX in an entry or above
 * RAFT_PEER_DATA_BYTES_MAX in all; a no-op entry with data; a malformed
 * membership change; a snapshot on any type but RMSG_SNAPSHOT, or none
 * on it; a snapshot at index or term 0, of a later term than the
 * message, or disagreeing with the message's index and log term; a
 * membership empty, above RAFT_MEMBERS_MAX, with id 0, a duplicate id,
 * or no voter.
 */
int peer_msg_decode(const cairn_ipc_RaftMsg *in, uint64_t self,
    struct peer_msg *out, const char **why);

#endif
