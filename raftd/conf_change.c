/*
 * raftd: the payload of a membership change entry; see conf_change.h.
 */
#include "raftd/conf_change.h"
#include "shared/le.h"

bool
conf_change_decode(const struct raft_entry *e, uint8_t *op, uint64_t *id)
{
	if (e->type != RAFT_ENTRY_CONF || e->len < RAFT_CONF_FIXED_BYTES)
		return false;
	*op = e->data[0];
	*id = le_get64(e->data + 1);
	return *op >= RAFT_CONF_ADD && *op <= RAFT_CONF_PROMOTE && *id != 0;
}

void
conf_change_encode(uint8_t *buf, uint8_t op, uint64_t id)
{
	buf[0] = op;
	le_put64(buf + 1, id);
}
