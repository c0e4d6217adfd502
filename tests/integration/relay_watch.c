/*
 * Tests: relay_netd's watchers (see relay_watch.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shared/chan.h"
#include "shared/chunks.h"
#include "shared/err.h"
#include "shared/pbwire.h"
#include "shared/raft_peer.h"
#include "shared/xmalloc.h"
#include "stored/kv_codec.h"
#include "tests/integration/relay_watch.h"

#define LINE_MAX_BYTES 512
#define EVENT_VALUE_SHOWN 64

static uint32_t
shown(uint32_t len)
{
	return len < EVENT_VALUE_SHOWN ? len : EVENT_VALUE_SHOWN;
}

static void
chomp(char *s)
{
	s[strcspn(s, "\n")] = '\0';
}

int
relay_watch_send(struct child *c, const char *path, uint64_t seq)
{
	cairn_ipc_WatchCreate w = cairn_ipc_WatchCreate_init_zero;
	char key[256] = "", end[256] = "", rev[32] = "", flags[16] = "", user[256] = "",
	    arev[32] = "";
	FILE *f = fopen(path, "r");
	bool ok;

	if (f == NULL)
		return CAIRN_ENOENT;
	ok = fgets(key, sizeof(key), f) && fgets(end, sizeof(end), f) &&
	    fgets(rev, sizeof(rev), f) && (fgets(flags, sizeof(flags), f) || true);
	/* While auth is enabled: the user and the auth revision. */
	if (ok && fgets(user, sizeof(user), f) != NULL && fgets(arev, sizeof(arev), f) != NULL) {
		chomp(user);
		w.username.size = (pb_size_t)strlen(user);
		memcpy(w.username.bytes, user, w.username.size);
		w.auth_revision = strtoull(arev, NULL, 10);
	}
	fclose(f);
	if (!ok)
		return CAIRN_EINVAL;
	chomp(key);
	chomp(end);
	chomp(flags);
	w.key.size = (pb_size_t)strlen(key);
	memcpy(w.key.bytes, key, w.key.size);
	if (strcmp(end, "\\0") == 0) {
		w.range_end.size = 1;
		w.range_end.bytes[0] = 0;
	} else {
		w.range_end.size = (pb_size_t)strlen(end);
		memcpy(w.range_end.bytes, end, w.range_end.size);
	}
	w.start_revision = strtoll(rev, NULL, 10);
	w.prev_kv = strchr(flags, 'p') != NULL;
	w.noput = strchr(flags, 'P') != NULL;
	w.nodelete = strchr(flags, 'D') != NULL;
	w.progress_notify = strchr(flags, 'n') != NULL;
	if (!chan_is_open(&c->peers[PROC_STORED].ch))
		return CAIRN_EAGAIN;
	return chan_send(&c->peers[PROC_STORED].ch, cairn_ipc_IPC_STORED_WATCH_CREATE, seq, &w);
}

/* One mvccpb.Event as a line. */
static void
event_line(uint64_t seq, const uint8_t *p, size_t n, void (*line)(void *, const char *),
    void *arg)
{
	struct pbw_reader r = {.buf = p, .len = n};
	struct mvcc_kv kv = {0}, prev = {0};
	bool has_prev = false, bad = false;
	uint64_t type = 0;
	char out[LINE_MAX_BYTES];

	while (r.off < r.len && !bad) {
		uint32_t field;
		enum pbw_type t;
		const uint8_t *b;
		size_t len;

		if (pbw_get_tag(&r, &field, &t) != 0)
			bad = true;
		else if (field == 1 && t == PBW_VARINT)
			bad = pbw_get_varint(&r, &type) != 0;
		else if ((field == 2 || field == 3) && t == PBW_LEN) {
			bad = pbw_get_bytes(&r, &b, &len) != 0 ||
			    kv_decode(b, len, field == 2 ? &kv : &prev) != 0;
			has_prev |= field == 3;
		} else
			bad = pbw_skip(&r, t) != 0;
	}
	if (bad)
		snprintf(out, sizeof(out), "event %llu malformed\n", (unsigned long long)seq);
	else
		/* Values are shown up to EVENT_VALUE_SHOWN bytes: a line stays
		 * whole whatever the value's size. */
		snprintf(out, sizeof(out), "event %llu %s %.*s %.*s %lld%s%.*s\n",
		    (unsigned long long)seq, type == 1 ? "DELETE" : "PUT", (int)kv.key_len, kv.key,
		    (int)shown(kv.value_len), kv.value, (long long)kv.mod_rev,
		    has_prev ? " prev=" : "", has_prev ? (int)shown(prev.value_len) : 0,
		    has_prev ? (const char *)prev.value : "");
	line(arg, out);
}

void
relay_watch_events(uint64_t seq, const cairn_ipc_WatchEvents *ev,
    void (*line)(void *arg, const char *line), void *arg)
{
	unsigned long long s = (unsigned long long)seq;
	char out[LINE_MAX_BYTES];
	uint8_t *buf;
	size_t len;
	struct pbw_reader r;

	if (ev->created) {
		if (ev->canceled)
			snprintf(out, sizeof(out), "watch %llu refused %s\n", s, ev->cancel_reason);
		else
			snprintf(out, sizeof(out), "watch %llu created %lld\n", s, (long long)ev->revision);
		line(arg, out);
		return;
	}
	if (ev->compact_revision != 0) {
		snprintf(out, sizeof(out), "watch %llu compacted %lld\n", s,
		    (long long)ev->compact_revision);
		line(arg, out);
		return;
	}
	if (chunks_check(ev->events, ev->events_count, RAFT_PEER_DATA_BYTES_MAX, &len) != NULL) {
		snprintf(out, sizeof(out), "watch %llu malformed\n", s);
		line(arg, out);
		return;
	}
	if (len == 0) {
		snprintf(out, sizeof(out), "watch %llu progress %lld\n", s, (long long)ev->revision);
		line(arg, out);
		return;
	}
	buf = xmalloc(len);
	chunks_join(ev->events, ev->events_count, buf);
	r = (struct pbw_reader){.buf = buf, .len = len};
	while (r.off < r.len) {
		uint32_t field;
		enum pbw_type t;
		const uint8_t *b;
		size_t n;

		if (pbw_get_tag(&r, &field, &t) != 0 || t != PBW_LEN || field != 11 ||
		    pbw_get_bytes(&r, &b, &n) != 0) {
			snprintf(out, sizeof(out), "watch %llu malformed\n", s);
			line(arg, out);
			break;
		}
		event_line(seq, b, n, line, arg);
	}
	free(buf);
}
