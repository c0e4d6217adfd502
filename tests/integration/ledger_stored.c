/*
 * Tests: a stand-in for cairn-stored that applies nothing and records
 * everything. Each committed entry raftd hands over becomes one line of
 * $RELAY_DIR/NAME.applied (NAME = --name), so that the integration tests
 * can check that every entry arrives exactly once and in order, across
 * crashes and restarts of any process. Lines, fields split by one space:
 *
 *   INDEX TERM noop                    a leader's no-op
 *   INDEX TERM put MEMBER REQID TEXT   a client write: MEMBER in hex, REQID
 *                                      in decimal, TEXT the request when it
 *                                      is printable ASCII without spaces,
 *                                      else hex:HEX (64 bytes, then "...")
 *   INDEX TERM conf LEN                a membership change of LEN bytes
 *   INDEX TERM bad TYPE LEN            an entry raftd should never send
 *   INDEX TERM snapshot MEMBERS        the leader's snapshot stands up to INDEX
 *   INDEX TERM GAP expected N          INDEX came when N was due; then exit 1
 *
 * Each INDEX is the previous one plus 1 (a snapshot's may jump ahead).
 * At start a torn last line is cut off; anything else malformed is fatal,
 * so a broken ledger keeps the process down. A batch is written with one
 * write() and fdatasync'd before raftd hears of it. LEDGER_DURABLE_LAG=N
 * makes it report durable = applied - N.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "raftd/raft_types.h"
#include "shared/assert.h"
#include "shared/child.h"
#include "shared/chunks.h"
#include "shared/entry_envelope.h"
#include "shared/err.h"
#include "shared/log.h"
#include "shared/xmalloc.h"

/* Request bytes shown in hex before the text is cut. */
#define LEDGER_HEX_BYTES_MAX 64
/* The most fields a line has (put). */
#define LEDGER_FIELDS_MAX 6
#define LEDGER_OUT_BYTES_START 4096u

struct ledger {
	char path[PATH_MAX];
	int fd;                 /* O_APPEND, owned */
	uint64_t applied;       /* last index on disk */
	uint64_t durable_lag;   /* LEDGER_DURABLE_LAG */
	uint64_t skipped;       /* entries at or below applied, since start */
	unsigned owed;          /* report type that met a full ring; 0: none */
	char *out;              /* the lines of one batch, owned */
	size_t out_len, out_cap;
	uint8_t *data;          /* one entry's chunks joined, owned */
	size_t data_cap;
};

static struct ledger ledger = {.fd = -1};

/* Appends one formatted line to the batch, growing it as needed. */
static void __attribute__((format(printf, 2, 3)))
ledger_add(struct ledger *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		size_t room = l->out_cap - l->out_len;

		va_start(ap, fmt);
		n = vsnprintf(l->out + l->out_len, room, fmt, ap);
		va_end(ap);
		CAIRN_ASSERT(n >= 0);
		if ((size_t)n < room) {
			l->out_len += (size_t)n;
			return;
		}
		while (l->out_cap - l->out_len <= (size_t)n)
			l->out_cap *= 2;
		l->out = xrealloc(l->out, l->out_cap);
	}
}

/* Writes the batch and makes it durable; any failure is fatal. */
static void
ledger_write(struct ledger *l)
{
	size_t off = 0;

	while (off < l->out_len) {
		ssize_t n = write(l->fd, l->out + off, l->out_len - off);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			fatal("%s: write", l->path);
		off += (size_t)n;
	}
	if (fdatasync(l->fd) == -1)
		fatal("%s: fdatasync", l->path);
	l->out_len = 0;
}

/* Joins the entry's chunks into l->data; returns their length. raftd's
 * chunks must be well formed: anything else is a bug worth stopping for. */
static size_t
ledger_join(struct ledger *l, const cairn_ipc_RaftEntry *e)
{
	size_t len;
	const char *why = chunks_check(e->data, e->data_count, RAFT_ENTRY_BYTES_MAX, &len);

	if (why != NULL)
		fatalx("entry %llu from raftd: %s", (unsigned long long)e->index, why);
	if (len > l->data_cap) {
		l->data = xrealloc(l->data, len);
		l->data_cap = len;
	}
	chunks_join(e->data, e->data_count, l->data);
	return len;
}

/* Whether the request can be its own TEXT: one awk field, not empty, and
 * not mistaken for the hex form. */
static bool
ledger_printable(const uint8_t *p, uint32_t len)
{
	if (len == 0 || (len >= 4 && memcmp(p, "hex:", 4) == 0))
		return false;
	for (uint32_t i = 0; i < len; i++)
		if (p[i] <= ' ' || p[i] > '~')
			return false;
	return true;
}

static void
ledger_put(struct ledger *l, const cairn_ipc_RaftEntry *e, const struct entry_envelope *env)
{
	char hex[2 * LEDGER_HEX_BYTES_MAX + 1];
	uint32_t n = env->len < LEDGER_HEX_BYTES_MAX ? env->len : LEDGER_HEX_BYTES_MAX;

	if (ledger_printable(env->req, env->len)) {
		ledger_add(l, "%" PRIu64 " %" PRIu64 " put %" PRIx64 " %" PRIu64 " %.*s\n",
		    e->index, e->term, env->member_id, env->request_id, (int)env->len,
		    (const char *)env->req);
		return;
	}
	for (uint32_t i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", env->req[i]);
	hex[2 * n] = '\0';
	ledger_add(l, "%" PRIu64 " %" PRIu64 " put %" PRIx64 " %" PRIu64 " hex:%s%s\n",
	    e->index, e->term, env->member_id, env->request_id, hex,
	    n < env->len ? "..." : "");
}

/* Adds the line of entry 'e' (the next one due) to the batch. */
static void
ledger_entry(struct ledger *l, const cairn_ipc_RaftEntry *e)
{
	size_t len = ledger_join(l, e);
	struct entry_envelope env;

	CAIRN_ASSERT(len <= UINT32_MAX);
	switch (e->type) {
	case RAFT_ENTRY_NORMAL:
	case RAFT_ENTRY_EMPTY:
		if (len == 0) {
			ledger_add(l, "%" PRIu64 " %" PRIu64 " noop\n", e->index, e->term);
			return;
		}
		if (e->type == RAFT_ENTRY_NORMAL &&
		    entry_envelope_get(l->data, (uint32_t)len, &env)) {
			ledger_put(l, e, &env);
			return;
		}
		break;
	case RAFT_ENTRY_CONF:
		ledger_add(l, "%" PRIu64 " %" PRIu64 " conf %zu\n", e->index, e->term, len);
		return;
	}
	log_warnx("entry %" PRIu64 " has type %" PRIu32 " and %zu bytes: not an entry "
	    "stored can apply", e->index, e->type, len);
	ledger_add(l, "%" PRIu64 " %" PRIu64 " bad %" PRIu32 " %zu\n", e->index, e->term,
	    e->type, len);
}

/* Records that raftd skipped entries, then dies so the test sees it. */
static void __attribute__((noreturn))
ledger_gap(struct ledger *l, const cairn_ipc_RaftEntry *e, uint64_t last)
{
	log_warnx("raftd skipped entries: entry %" PRIu64 " (term %" PRIu64 ") came "
	    "when %" PRIu64 " was due", e->index, e->term, last + 1);
	ledger_add(l, "%" PRIu64 " %" PRIu64 " GAP expected %" PRIu64 "\n", e->index,
	    e->term, last + 1);
	ledger_write(l);
	fatalx("%s: gap at index %" PRIu64 ", expected %" PRIu64, l->path, e->index, last + 1);
}

/* Appends the entries past 'applied', in order, then makes them durable. */
static void
ledger_apply(struct ledger *l, const cairn_ipc_ApplyEntries *a)
{
	uint64_t last = l->applied, skipped = 0;

	CAIRN_ASSERT(l->out_len == 0);
	for (pb_size_t i = 0; i < a->entries_count; i++) {
		const cairn_ipc_RaftEntry *e = &a->entries[i];

		if (e->index <= last) {
			skipped++;
			continue;
		}
		if (e->index != last + 1)
			ledger_gap(l, e, last);
		ledger_entry(l, e);
		last = e->index;
	}
	ledger_write(l);
	l->applied = last;
	l->skipped += skipped;
	if (skipped > 0)
		log_debug("skipped %" PRIu64 " entries already applied (%" PRIu64 " since start)",
		    skipped, l->skipped);
}

/* Sends the owed report, if any; a full ring keeps it owed. */
static void
ledger_report(struct ledger *l, struct child *c)
{
	struct chan *ch = &c->peers[PROC_RAFTD].ch;
	cairn_ipc_Applied a = {
		.applied = l->applied,
		.durable = l->applied > l->durable_lag ? l->applied - l->durable_lag : 0,
	};
	int rc;

	if (l->owed == 0)
		return;
	rc = chan_is_open(ch) ? chan_send(ch, l->owed, 0, &a) : CAIRN_ECLOSED;
	if (rc == CAIRN_EAGAIN)
		return;
	if (rc != 0)
		log_warnx("cannot tell raftd applied %" PRIu64 ": %s", l->applied, err_str(rc));
	l->owed = 0;
}

static void
ledger_snapshot(struct ledger *l, const cairn_ipc_RaftSnapshotMeta *s)
{
	ledger_add(l, "%" PRIu64 " %" PRIu64 " snapshot %u\n", s->index, s->term,
	    (unsigned)s->members_count);
	ledger_write(l);
	/* Written first, so that the ledger shows it and refuses to load. */
	if (s->index <= l->applied)
		fatalx("snapshot at %" PRIu64 " is not past applied %" PRIu64, s->index, l->applied);
	l->applied = s->index;
}

/* Splits 'line' at single spaces; -1 on an empty field or too many. */
static int
ledger_split(char *line, char **f, int max)
{
	int n = 0;
	char *sp;

	for (;;) {
		if (n == max || *line == '\0' || *line == ' ')
			return -1;
		f[n++] = line;
		if ((sp = strchr(line, ' ')) == NULL)
			return n;
		*sp = '\0';
		line = sp + 1;
	}
}

static bool
ledger_u64(const char *s, uint64_t *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno == 0 && *end == '\0';
}

/* How many fields a line of 'kind' has; -1 for no such kind. */
static int
ledger_kind_fields(const char *kind)
{
	static const struct { const char *kind; int fields; } kinds[] = {
		{"noop", 3}, {"put", 6}, {"conf", 4}, {"bad", 5}, {"snapshot", 4},
	};

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kind, kinds[i].kind) == 0)
			return kinds[i].fields;
	return -1;
}

static void
ledger_parse_line(struct ledger *l, char *line, unsigned lineno)
{
	char *f[LEDGER_FIELDS_MAX];
	int n = ledger_split(line, f, LEDGER_FIELDS_MAX);
	uint64_t index, term;
	bool snap;

	if (n < 3 || !ledger_u64(f[0], &index) || !ledger_u64(f[1], &term))
		fatalx("%s:%u: malformed line", l->path, lineno);
	if (strcmp(f[2], "GAP") == 0)
		fatalx("%s:%u: the ledger records a gap at index %" PRIu64, l->path, lineno, index);
	if (ledger_kind_fields(f[2]) != n)
		fatalx("%s:%u: malformed %s line", l->path, lineno, f[2]);
	snap = strcmp(f[2], "snapshot") == 0;
	if (snap ? index <= l->applied : index != l->applied + 1)
		fatalx("%s:%u: index %" PRIu64 " after %" PRIu64, l->path, lineno, index, l->applied);
	l->applied = index;
}

/* Reads the first 'len' bytes of the ledger into a new string. */
static char *
ledger_read(struct ledger *l, size_t len)
{
	char *buf = xmalloc(len + 1);
	size_t off = 0;

	while (off < len) {
		ssize_t n = pread(l->fd, buf + off, len - off, (off_t)off);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			fatal("%s: read", l->path);
		off += (size_t)n;
	}
	buf[len] = '\0';
	return buf;
}

/* Cuts a torn last line, then replays the lines to find 'applied'. */
static void
ledger_load(struct ledger *l)
{
	struct stat st;
	size_t len, keep = 0;
	unsigned lineno = 0;
	char *buf, *p, *nl;

	if (fstat(l->fd, &st) == -1)
		fatal("%s: fstat", l->path);
	len = (size_t)st.st_size;
	buf = ledger_read(l, len);
	for (size_t i = 0; i < len; i++)
		if (buf[i] == '\n')
			keep = i + 1;
	if (keep < len) {
		log_warnx("%s: cutting a torn last line of %zu bytes", l->path, len - keep);
		if (ftruncate(l->fd, (off_t)keep) == -1 || fdatasync(l->fd) == -1)
			fatal("%s: ftruncate", l->path);
	}
	for (p = buf; p < buf + keep; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(buf + keep - p));
		CAIRN_ASSERT(nl != NULL);
		*nl = '\0';
		if (strlen(p) != (size_t)(nl - p))
			fatalx("%s:%u: a NUL byte", l->path, lineno + 1);
		ledger_parse_line(l, p, ++lineno);
	}
	free(buf);
	log_info("%s: %u lines, applied %" PRIu64, l->path, lineno, l->applied);
}

/* Before the privilege drop: open the ledger (reading waits for start). */
static int
ledger_prepare(struct child *c)
{
	const char *dir = getenv("RELAY_DIR");
	int n;

	if (dir == NULL)
		fatalx("RELAY_DIR is not set");
	n = snprintf(ledger.path, sizeof(ledger.path), "%s/%s.applied", dir, c->cfg.name);
	if (n < 0 || (size_t)n >= sizeof(ledger.path))
		fatalx("ledger path too long");
	ledger.fd = open(ledger.path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (ledger.fd == -1)
		fatal("%s: open", ledger.path);
	return 0;
}

static int
ledger_start(struct child *c)
{
	const char *lag = getenv("LEDGER_DURABLE_LAG");

	c->state = &ledger;
	if (lag != NULL && !ledger_u64(lag, &ledger.durable_lag))
		fatalx("LEDGER_DURABLE_LAG=%s is not a number", lag);
	ledger.out_cap = LEDGER_OUT_BYTES_START;
	ledger.out = xmalloc(ledger.out_cap);
	ledger_load(&ledger);
	return 0;
}

static int
ledger_frame(struct child *c, enum cairn_proc from, struct chan_msg *m)
{
	struct ledger *l = c->state;

	switch (m->hdr.type) {
	case cairn_ipc_IPC_STORED_ENTRIES_APPLY:
		ledger_apply(l, &m->body.apply);
		break;
	case cairn_ipc_IPC_STORED_SNAPSHOT_INSTALL:
		/* Answered as stored answers it: where it stands now. */
		ledger_snapshot(l, &m->body.snap);
		l->owed = cairn_ipc_IPC_RAFTD_APPLY_RESUME;
		break;
	case cairn_ipc_IPC_CHILD_RAFT_STATUS_SET:
		log_debug("raft status: term %" PRIu64 ", leader %" PRIx64,
		    m->body.status.term, m->body.status.leader);
		return 0;
	default:
		log_warnx("unexpected %s from %s", ipc_type_name(m->hdr.type), proc_name(from));
		return CAIRN_EPROTO;
	}
	/* A RESUME still owed carries the new position as well. */
	if (l->owed != cairn_ipc_IPC_RAFTD_APPLY_RESUME)
		l->owed = cairn_ipc_IPC_RAFTD_APPLIED_SET;
	ledger_report(l, c);
	return 0;
}

static void
ledger_peer_up(struct child *c, enum cairn_proc peer)
{
	struct ledger *l = c->state;

	if (peer != PROC_RAFTD)
		return;
	l->owed = cairn_ipc_IPC_RAFTD_APPLY_RESUME;
	ledger_report(l, c);
}

static void
ledger_peer_drained(struct child *c, enum cairn_proc peer)
{
	if (peer == PROC_RAFTD)
		ledger_report(c->state, c);
}

static void
ledger_stop(struct child *c)
{
	struct ledger *l = c->state;

	if (l->fd != -1)
		close(l->fd);
	l->fd = -1;
	free(l->out);
	free(l->data);
	l->out = NULL;
	l->data = NULL;
}

int
main(int argc, char **argv)
{
	static const struct child_ops ops = {
		.prepare = ledger_prepare,
		.start = ledger_start,
		.frame = ledger_frame,
		.peer_up = ledger_peer_up,
		.peer_drained = ledger_peer_drained,
		.stop = ledger_stop,
	};

	return child_main(PROC_STORED, &ops, argc, argv);
}
