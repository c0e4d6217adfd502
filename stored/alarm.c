/*
 * stored: alarms (see alarm.h). A record's key is the AlarmMember as etcd
 * encodes it: memberID (1, varint) then alarm (2, varint), zeros left out.
 */
#include <string.h>

#include "stored/alarm.h"
#include "shared/err.h"
#include "shared/pbwire.h"

#define ALARM_KEY_BYTES (2 * (1 + PBW_VARINT_BYTES_MAX))

static size_t
alarm_encode(const struct alarm_member *m, uint8_t *buf)
{
	const uint64_t v[2] = {m->member_id, m->alarm};

	return pbw_put_varints(buf, v, 2);
}

int
alarm_decode(const uint8_t *buf, size_t len, struct alarm_member *m)
{
	uint64_t v[2];
	int rc = pbw_get_varints(buf, len, v, 2);

	*m = (struct alarm_member){.member_id = v[0], .alarm = (uint32_t)v[1]};
	return rc;
}

int
alarm_set(struct mvcc *s, DB_TXN *txn, const struct alarm_member *m, bool on, bool *changed)
{
	uint8_t kb[ALARM_KEY_BYTES];
	DBT k = {.data = kb, .size = (uint32_t)alarm_encode(m, kb)}, v = {0};
	int rc = on ? s->db.alarm->put(s->db.alarm, txn, &k, &v, DB_NOOVERWRITE) :
	    s->db.alarm->del(s->db.alarm, txn, &k, 0);

	*changed = rc == 0;
	if (rc == DB_KEYEXIST || rc == DB_NOTFOUND)
		return 0;
	return rc == 0 ? 0 : bdb_fail(rc, on ? "alarm put" : "alarm del");
}

int
alarm_list(struct mvcc *s, DB_TXN *txn, uint32_t alarm, alarm_fn *fn, void *arg)
{
	DBT k = {0}, v = {0};
	DBC *c;
	int rc = s->db.alarm->cursor(s->db.alarm, txn != NULL ? txn : s->batch, &c, 0);

	if (rc != 0)
		return bdb_fail(rc, "alarm cursor");
	while ((rc = c->get(c, &k, &v, DB_NEXT)) == 0) {
		struct alarm_member m;

		if ((rc = alarm_decode(k.data, k.size, &m)) != 0)
			break;
		if (alarm != 0 && m.alarm != alarm)
			continue;
		if ((rc = fn(arg, &m)) != 0)
			break;
	}
	(void)c->close(c);
	if (rc == DB_NOTFOUND)
		return 0;
	return rc > 0 ? rc : bdb_fail(rc, "alarm walk");
}

static int
alarm_counted(void *arg, const struct alarm_member *m)
{
	(void)m;
	(*(int *)arg)++;
	return 0;
}

int
alarm_count(struct mvcc *s, DB_TXN *txn, uint32_t alarm, int *n)
{
	*n = 0;
	return alarm_list(s, txn, alarm, alarm_counted, n);
}
