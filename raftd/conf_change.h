/*
 * raftd: the payload of a RAFT_ENTRY_CONF entry: u8 op, u64 id
 * (little-endian), then the application's context (peer URLs), which
 * raftd does not read. One reader for the core and the peer codec.
 */
#ifndef CAIRN_RAFT_CONF_CHANGE_H
#define CAIRN_RAFT_CONF_CHANGE_H

#include <stdbool.h>
#include <stdint.h>

#include "raftd/raft_types.h"

/* Whether e is a well-formed change; fills *op and *id when it is. */
bool conf_change_decode(const struct raft_entry *e, uint8_t *op, uint64_t *id);
/* Writes op and id to buf (RAFT_CONF_FIXED_BYTES); the context follows. */
void conf_change_encode(uint8_t *buf, uint8_t op, uint64_t id);

#endif
