/*
 * stored: etcd's alarms (NOSPACE, CORRUPT), raised and cleared through
 * Raft, kept in the alarm database so that they outlast restarts.
 */
#ifndef CAIRN_STORED_ALARM_H
#define CAIRN_STORED_ALARM_H

#include <stdbool.h>
#include <stdint.h>

#include "stored/mvcc.h"

struct alarm_member {
	uint64_t member_id;
	uint32_t alarm;              /* enum req_alarm_type */
};

/* Decodes an alarm record's key (an AlarmMember): 0 or CAIRN_ECORRUPT. */
int alarm_decode(const uint8_t *buf, size_t len, struct alarm_member *m);
/* Raises (on) or clears one alarm; *changed says whether it was not
 * there (raise) or was (clear). */
int alarm_set(struct mvcc *s, DB_TXN *txn, const struct alarm_member *m, bool on,
    bool *changed);
/* Each alarm of type 'alarm' (REQ_ALARM_NONE: every alarm). */
typedef int alarm_fn(void *arg, const struct alarm_member *m);
int alarm_list(struct mvcc *s, DB_TXN *txn, uint32_t alarm, alarm_fn *fn, void *arg);
/* How many alarms of type 'alarm' are raised. */
int alarm_count(struct mvcc *s, DB_TXN *txn, uint32_t alarm, int *n);

#endif
