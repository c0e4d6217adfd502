/*
 * raftd: the state wal_open rebuilds while it reads records (wal_recover.c).
 * Internal to the WAL.
 */
#ifndef CAIRN_WAL_RECOVER_H
#define CAIRN_WAL_RECOVER_H

#include <stdbool.h>

#include "raftd/wal_impl.h"

struct wal_recover {
	struct wal_recovered *rec;  /* borrowed: filled in */
	bool have_id;
	size_t seg_records;         /* records seen in the current segment */
};

/* A wal_scan_fn: applies one record in file order. */
int wal_recover_record(void *arg, const struct wal_record *r, size_t off,
    const char **why);

/* After the last record: drops entries the snapshot covers and checks
 * that the rest follow it. 0 or CAIRN_ECORRUPT with '*why'. */
int wal_recover_finish(struct wal_recover *rc, const char **why);

#endif
