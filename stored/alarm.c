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
	size_t n = 0;

	if (m->member_id != 0) {
		n += pbw_put_varint(buf + n, PBW_TAG(1, PBW_VARINT));
		n += pbw_put_varint(buf + n, m->member_id);
	}
	if (m->alarm != 0) {
		n += pbw_put_varint(buf + n, PBW_TAG(2, PBW_VARINT));
		n += pbw_put_varint(buf + n, m->alarm);
	}
	return n;
}

static int
alarm_decode(const uint8_t *buf, size_t len, struct alarm_member *m)
{
	struct pbw_reader r = {.buf = buf, .len = len};

	memset(m, 0, sizeof(*m));
	while (r.off < r.len) {
		uint32_t field;
		enum pbw_type type;
		uint64_t v;
		int rc = pbw_get_tag(&r, &field, &type);

		if (rc == 0 && type != PBW_VARINT)
			rc = pbw_skip(&r, type);
		else if (rc == 0 && (rc = pbw_get_varint(&r, &v)) == 0) {
			if (field == 1)
				m->member_id = v;
			else if (field == 2)
				m->alarm = (uint32_t)v;
		}
		if (rc != 0)
			return rc;
	}
	return 0;
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
