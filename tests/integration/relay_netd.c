/*
 * Tests: a stand-in cairn-netd for clusters of several members. It relays
 * raftd's peer messages between members over Unix sockets in $RELAY_DIR
 * ({u32 le length}{RaftMsg}), drops them while cut-NAME exists, turns
 * spool files NAME.in/SEQ.put, SEQ.read, SEQ.watch, SEQ.get and SEQ.maint
 * into proposals, read-index requests, watchers (relay_watch.c), reads
 * served by stored and maintenance calls ("hash", "hashkv REV",
 * "defrag", "snapshot", "op N" for an unknown one), and writes raftd's answers to NAME.out (and stored's
 * results, their bytes in NAME.res/SEQ), its status to NAME.status. No
 * client port, TLS or gRPC.
 */
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <pb_decode.h>
#include <pb_encode.h>

#include "shared/child.h"
#include "shared/chunks.h"
#include "shared/err.h"
#include "shared/le.h"
#include "shared/log.h"
#include "shared/raft_peer.h"
#include "shared/xmalloc.h"
#include "tests/integration/relay_watch.h"

#define RELAY_SPOOL_MS 20
#define RELAY_RETRY_MS 100                  /* per destination */
#define RELAY_PENDING_BYTES_MAX (8u << 20)  /* unsent output per destination */
#define RELAY_DESTS_MAX 32
#define RELAY_INS_MAX 64
#define RELAY_LEN_BYTES 4
#define RELAY_PUT_BYTES_MAX ((3u << 19) + 4096) /* 1.5 MiB + 4 KiB */
#define RELAY_BATCH_MAX 128                 /* spool files taken per tick */
#define RELAY_LINE_BYTES_MAX 512

CAIRN_STATIC_ASSERT(RELAY_PUT_BYTES_MAX <= RAFT_PEER_DATA_BYTES_MAX,
    "a put fits a Proposal's chunks");

struct relay;

/* Our connection to one member's relay, reused until it breaks. */
struct relay_dest {
	LIST_ENTRY(relay_dest) entry;
	struct relay *r;
	uint64_t id;
	struct bufferevent *bev;   /* NULL while not connected */
	uint64_t tried_ms;         /* last connection attempt */
};

/* A connection from another member's relay. */
struct relay_in {
	LIST_ENTRY(relay_in) entry;
	struct relay *r;
	struct bufferevent *bev;
};

struct relay_job {
	uint64_t seq;
	const char *kind;          /* "put", "read" or "watch" */
};

struct relay {
	struct child *c;
	const char *dir;           /* $RELAY_DIR */
	const char *name;          /* c->cfg.name */
	uint64_t self;             /* 0 until raftd's first status */
	char sock_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char cut_path[PATH_MAX];
	char spool_path[PATH_MAX];
	int out_fd;                /* NAME.out, O_APPEND */
	struct evconnlistener *listener;
	struct event *spool_ev;
	LIST_HEAD(, relay_dest) dests;
	unsigned ndests;
	LIST_HEAD(, relay_in) ins;
	unsigned nins;
	uint8_t *enc;              /* RAFT_PEER_MSG_BYTES_MAX, for encoding */
};

static struct relay relay;

static void relay_path(char *buf, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void relay_line(struct relay *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
relay_path(char *buf, size_t cap, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, cap, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= cap)
		fatalx("path too long under RELAY_DIR");
}

/* One result line ('fmt' ends in a newline), in one write so that tests
 * never read half of it. */
static void
relay_line(struct relay *r, const char *fmt, ...)
{
	char line[RELAY_LINE_BYTES_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	CAIRN_ASSERT(n > 0);
	CAIRN_ASSERT((size_t)n < sizeof(line));
	if (write(r->out_fd, line, (size_t)n) != n)
		log_warn("cannot write to %s.out", r->name);
}

static uint64_t
relay_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The test cuts this member off while the file exists. */
static bool
relay_is_cut(const struct relay *r)
{
	return access(r->cut_path, F_OK) == 0;
}

static void
relay_sun(struct sockaddr_un *sun, const struct relay *r, uint64_t id)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	relay_path(sun->sun_path, sizeof(sun->sun_path), "%s/peer-%llx.sock",
	    r->dir, (unsigned long long)id);
}

static void
relay_dest_drop(struct relay_dest *d)
{
	if (d->bev != NULL)
		bufferevent_free(d->bev);
	d->bev = NULL;
}

/* Raft retransmits what is lost with a connection. A close by the other
 * side shows at our next write (EPIPE), so we never read. */
static void
relay_dest_event(struct bufferevent *bev, short what, void *arg)
{
	struct relay_dest *d = arg;

	(void)bev;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
		log_debug("connection to member %llx lost", (unsigned long long)d->id);
		relay_dest_drop(d);
	}
}

static struct relay_dest *
relay_dest_find(struct relay *r, uint64_t id)
{
	struct relay_dest *d;

	LIST_FOREACH(d, &r->dests, entry)
		if (d->id == id)
			return d;
	if (r->ndests >= RELAY_DESTS_MAX)
		return NULL;
	d = xcalloc(1, sizeof(*d));
	d->r = r;
	d->id = id;
	LIST_INSERT_HEAD(&r->dests, d, entry);
	r->ndests++;
	return d;
}

/* Starts a connection unless one was tried within RELAY_RETRY_MS; output
 * written meanwhile waits for it. 0, or CAIRN_EAGAIN. */
static int
relay_dest_connect(struct relay_dest *d)
{
	struct sockaddr_un sun;
	uint64_t now = relay_now_ms();

	if (d->bev != NULL)
		return 0;
	if (d->tried_ms != 0 && now - d->tried_ms < RELAY_RETRY_MS)
		return CAIRN_EAGAIN;
	d->tried_ms = now;
	relay_sun(&sun, d->r, d->id);
	d->bev = bufferevent_socket_new(d->r->c->base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (d->bev == NULL)
		fatalx("bufferevent_socket_new");
	bufferevent_setcb(d->bev, NULL, NULL, relay_dest_event, d);
	/* A refusal is reported later through the event callback; other
	 * failures here (that callback may already have dropped it). */
	if (bufferevent_socket_connect(d->bev, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		relay_dest_drop(d);
		return CAIRN_EAGAIN;
	}
	return d->bev != NULL ? 0 : CAIRN_EAGAIN;
}

/* IPC_NETD_PEER_SEND: encode again and queue for the destination. */
static int
relay_peer_send(struct relay *r, const cairn_ipc_RaftMsg *msg)
{
	pb_ostream_t os = pb_ostream_from_buffer(r->enc, RAFT_PEER_MSG_BYTES_MAX);
	struct relay_dest *d;
	uint8_t len[RELAY_LEN_BYTES];
	struct evbuffer *out;

	if (relay_is_cut(r))
		return 0;
	if (!pb_encode(&os, cairn_ipc_RaftMsg_fields, msg) || os.bytes_written == 0) {
		log_warnx("cannot encode a message for %llx: %s",
		    (unsigned long long)msg->to, PB_GET_ERROR(&os));
		return 0;
	}
	d = relay_dest_find(r, msg->to);
	if (d == NULL || relay_dest_connect(d) != 0)
		return 0;
	out = bufferevent_get_output(d->bev);
	if (evbuffer_get_length(out) + RELAY_LEN_BYTES + os.bytes_written > RELAY_PENDING_BYTES_MAX) {
		log_debug("member %llx is behind; message dropped", (unsigned long long)d->id);
		return 0;
	}
	le_put32(len, (uint32_t)os.bytes_written);
	if (evbuffer_add(out, len, sizeof(len)) != 0 ||
	    evbuffer_add(out, r->enc, os.bytes_written) != 0)
		fatalx("evbuffer_add");
	return 0;
}

static void
relay_in_close(struct relay_in *in)
{
	LIST_REMOVE(in, entry);
	in->r->nins--;
	bufferevent_free(in->bev);
	free(in);
}

/* A peer's message goes to raftd unchanged: raftd decodes and judges it. */
static void
relay_forward(struct relay *r, const uint8_t *payload, uint32_t len)
{
	struct frame_hdr h = {.length = len, .type = cairn_ipc_IPC_RAFTD_PEER_RECV};
	struct chan *ch = &r->c->peers[PROC_RAFTD].ch;
	int rc;

	if (relay_is_cut(r) || !chan_is_open(ch))
		return;
	rc = chan_frame_send(ch, &h, payload, IPC_VIA_RING, NULL, 0);
	if (rc == CAIRN_EAGAIN || rc == CAIRN_ECLOSED)
		log_debug("peer message dropped: %s", err_str(rc));
	else if (rc != 0)
		log_warnx("peer message dropped: %s", err_str(rc));
}

/* Forwards every whole frame in the input; a bad length ends the connection. */
static void
relay_in_read(struct bufferevent *bev, void *arg)
{
	struct relay_in *in = arg;
	struct evbuffer *input = bufferevent_get_input(bev);
	uint8_t hdr[RELAY_LEN_BYTES];
	uint32_t len;
	uint8_t *p;

	while (evbuffer_copyout(input, hdr, sizeof(hdr)) == (ev_ssize_t)sizeof(hdr)) {
		len = le_get32(hdr);
		if (len == 0 || len > RAFT_PEER_MSG_BYTES_MAX) {
			log_warnx("peer frame of %u bytes refused", len);
			relay_in_close(in);
			return;
		}
		if (evbuffer_get_length(input) < RELAY_LEN_BYTES + (size_t)len)
			return;
		p = evbuffer_pullup(input, (ev_ssize_t)(RELAY_LEN_BYTES + len));
		if (p == NULL)
			fatalx("evbuffer_pullup");
		relay_forward(in->r, p + RELAY_LEN_BYTES, len);
		evbuffer_drain(input, RELAY_LEN_BYTES + (size_t)len);
	}
}

static void
relay_in_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		relay_in_close(arg);
}

static void
relay_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
    int salen, void *arg)
{
	struct relay *r = arg;
	struct relay_in *in;

	(void)l;
	(void)sa;
	(void)salen;
	if (r->nins >= RELAY_INS_MAX) {
		log_warnx("too many peer connections; one refused");
		close(fd);
		return;
	}
	in = xcalloc(1, sizeof(*in));
	in->r = r;
	in->bev = bufferevent_socket_new(r->c->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (in->bev == NULL)
		fatalx("bufferevent_socket_new");
	/* Stop reading once a whole largest frame is buffered. */
	bufferevent_setwatermark(in->bev, EV_READ, 0, RELAY_LEN_BYTES + RAFT_PEER_MSG_BYTES_MAX);
	bufferevent_setcb(in->bev, relay_in_read, NULL, relay_in_event, in);
	bufferevent_enable(in->bev, EV_READ);
	LIST_INSERT_HEAD(&r->ins, in, entry);
	r->nins++;
}

/* Called once SELF is known: listen on peer-SELF.sock. */
static void
relay_listen(struct relay *r)
{
	struct sockaddr_un sun;

	relay_sun(&sun, r, r->self);
	snprintf(r->sock_path, sizeof(r->sock_path), "%s", sun.sun_path);
	if (unlink(r->sock_path) == -1 && errno != ENOENT)
		fatal("unlink %s", r->sock_path);
	r->listener = evconnlistener_new_bind(r->c->base, relay_accept, r,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 16,
	    (struct sockaddr *)&sun, sizeof(sun));
	if (r->listener == NULL)
		fatal("cannot listen on %s", r->sock_path);
	log_info("relaying for member %llx on %s", (unsigned long long)r->self, r->sock_path);
}

static void
relay_on_status(struct relay *r, const cairn_ipc_RaftStatus *st)
{
	char line[RELAY_LINE_BYTES_MAX], path[PATH_MAX], tmp[PATH_MAX];
	int fd, n;

	if (r->self == 0 && st->member_id != 0) {
		r->self = st->member_id;
		relay_listen(r);
	}
	n = snprintf(line, sizeof(line), "term %llu leader %llx role %u member %llx cluster %llx\n",
	    (unsigned long long)st->term, (unsigned long long)st->leader, (unsigned)st->role,
	    (unsigned long long)st->member_id, (unsigned long long)st->cluster_id);
	CAIRN_ASSERT(n > 0);
	CAIRN_ASSERT((size_t)n < sizeof(line));
	relay_path(path, sizeof(path), "%s/%s.status", r->dir, r->name);
	relay_path(tmp, sizeof(tmp), "%s.tmp", path);
	/* Readers see the old line or the new one, never a torn one. */
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd == -1 || write(fd, line, (size_t)n) != n || close(fd) != 0 ||
	    rename(tmp, path) != 0)
		log_warn("cannot write %s", path);
}

/* stored's result for request seq: a line "result SEQ ERRNAME", and the
 * response's bytes in NAME.res/SEQ (for protoc --decode). */
static void
relay_on_result(struct relay *r, unsigned long long seq, const cairn_ipc_Result *res)
{
	char path[PATH_MAX];
	size_t len;
	uint8_t *buf;
	FILE *f;

	if (chunks_check(res->data, res->data_count, RAFT_PEER_DATA_BYTES_MAX, &len) != NULL) {
		relay_line(r, "result %llu malformed\n", seq);
		return;
	}
	buf = xmalloc(len + 1);
	chunks_join(res->data, res->data_count, buf);
	relay_path(path, sizeof(path), "%s/%s.res", r->dir, r->name);
	(void)mkdir(path, 0700);
	relay_path(path, sizeof(path), "%s/%s.res/%llu", r->dir, r->name, seq);
	/* A response in several parts: each appended, the line at the last. */
	if ((f = fopen(path, "ab")) == NULL || fwrite(buf, 1, len, f) != len || fclose(f) != 0)
		log_warn("cannot write %s", path);
	free(buf);
	if (res->more || res->remaining > 0)
		relay_line(r, "part %llu %zu remaining %llu\n", seq, len,
		    (unsigned long long)res->remaining);
	if (res->more) {
		/* stored sends a snapshot's next part when asked, as netd asks. */
		cairn_ipc_Maint more = {.op = cairn_ipc_Maint_Op_SNAPSHOT_MORE};

		if (chan_send(&r->c->peers[PROC_STORED].ch, cairn_ipc_IPC_STORED_MAINT_DO, seq,
		    &more) != 0)
			relay_line(r, "part %llu cannot ask for the next part\n", seq);
	}
	if (!res->more)
		relay_line(r, "result %llu %s\n", seq, res->code == 0 ? "OK" :
		    err_name((int)res->code));
}

/* stored's sizes and revisions, in NAME.store (rewritten). */
static void
relay_on_store(struct relay *r, const cairn_ipc_StoreStatus *st)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	FILE *f;

	relay_path(path, sizeof(path), "%s/%s.store", r->dir, r->name);
	relay_path(tmp, sizeof(tmp), "%s.tmp", path);
	if ((f = fopen(tmp, "w")) == NULL)
		return;
	fprintf(f, "rev %lld applied %llu size %lld in-use %lld compact %lld nospace %d "
	    "auth %d auth-rev %llu\n", (long long)st->revision, (unsigned long long)st->applied,
	    (long long)st->db_size, (long long)st->db_size_in_use,
	    (long long)st->compact_revision, st->nospace, st->auth_enabled,
	    (unsigned long long)st->auth_revision);
	if (fclose(f) != 0 || rename(tmp, path) != 0)
		log_warn("cannot write %s", path);
}

static void
relay_line_cb(void *arg, const char *line)
{
	relay_line(arg, "%s", line);
}

static int
relay_frame(struct child *c, enum cairn_proc from, struct chan_msg *m)
{
	struct relay *r = c->state;
	const cairn_ipc_RaftReply *rep = &m->body.reply;
	unsigned long long seq = (unsigned long long)m->hdr.id;

	if (from == PROC_STORED && m->hdr.type == cairn_ipc_IPC_NETD_RESULT_SET) {
		relay_on_result(r, seq, &m->body.result);
		return 0;
	}
	if (from == PROC_STORED && m->hdr.type == cairn_ipc_IPC_NETD_STORE_STATUS_SET) {
		relay_on_store(r, &m->body.store);
		return 0;
	}
	if (from == PROC_STORED && m->hdr.type == cairn_ipc_IPC_NETD_WATCH_EVENTS) {
		relay_watch_events(seq, &m->body.events, relay_line_cb, r);
		return 0;
	}
	if (from != PROC_RAFTD)
		return 0;
	switch (m->hdr.type) {
	case cairn_ipc_IPC_NETD_PEER_SEND:
		return relay_peer_send(r, &m->body.raft);
	case cairn_ipc_IPC_CHILD_RAFT_STATUS_SET:
		relay_on_status(r, &m->body.status);
		break;
	case cairn_ipc_IPC_NETD_PROPOSAL_FAIL:
		relay_line(r, "fail %llu %s %s\n", seq, err_name((int)rep->code),
		    err_str((int)rep->code));
		break;
	case cairn_ipc_IPC_NETD_READ_INDEX_SET:
		if (rep->code == 0)
			relay_line(r, "read %llu %llu\n", seq, (unsigned long long)rep->index);
		else
			relay_line(r, "read %llu fail %s %s\n", seq, err_name((int)rep->code),
			    err_str((int)rep->code));
		break;
	default:
		log_info("ignoring %s from raftd", ipc_type_name(m->hdr.type));
		break;
	}
	return 0;
}

/* "<decimal seq>.put", ".read", ".watch", ".get" or ".maint", nothing else (no leading
 * zeros: the name is rebuilt from seq). */
static bool
relay_job_parse(const char *name, struct relay_job *job)
{
	uint64_t seq = 0;
	const char *p = name;

	for (; *p >= '0' && *p <= '9'; p++) {
		if (seq > (UINT64_MAX - 9) / 10)
			return false;
		seq = seq * 10 + (uint64_t)(*p - '0');
	}
	if (p == name || (name[0] == '0' && p - name > 1))
		return false;
	job->seq = seq;
	job->kind = strcmp(p, ".put") == 0 ? "put" : strcmp(p, ".read") == 0 ? "read" :
	    strcmp(p, ".watch") == 0 ? "watch" : strcmp(p, ".get") == 0 ? "get" :
	    strcmp(p, ".maint") == 0 ? "maint" : NULL;
	return job->kind != NULL;
}

/* Keeps the RELAY_BATCH_MAX lowest sequence numbers, sorted. */
static void
relay_batch_add(struct relay_job *batch, size_t *n, const struct relay_job *job)
{
	size_t i = *n;

	if (i == RELAY_BATCH_MAX) {
		if (batch[i - 1].seq <= job->seq)
			return;
		i--;
	} else
		(*n)++;
	for (; i > 0 && batch[i - 1].seq > job->seq; i--)
		batch[i] = batch[i - 1];
	batch[i] = *job;
}

/* Reads a put's bytes into *data (taken by the caller). 0, CAIRN_ENOENT
 * (gone meanwhile), CAIRN_ETOOBIG or CAIRN_EIO. */
static int
relay_put_load(const char *path, uint8_t **data, uint32_t *len)
{
	struct stat st;
	size_t got = 0;
	ssize_t n;
	int fd;

	*data = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return errno == ENOENT ? CAIRN_ENOENT : CAIRN_EIO;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return CAIRN_EIO;
	}
	if (st.st_size > (off_t)RELAY_PUT_BYTES_MAX) {
		close(fd);
		return CAIRN_ETOOBIG;
	}
	*data = xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size &&
	    (n = read(fd, *data + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)n;
	close(fd);
	*len = (uint32_t)got;
	return 0;
}

static int
relay_put_send(struct relay *r, const struct relay_job *job, const char *path)
{
	cairn_ipc_Proposal p = cairn_ipc_Proposal_init_zero;
	uint8_t *data;
	uint32_t len;
	int rc;

	if ((rc = relay_put_load(path, &data, &len)) != 0)
		return rc;
	chunks_put(data, len, &p.data, &p.data_count);
	free(data);
	rc = chan_send(&r->c->peers[PROC_RAFTD].ch, cairn_ipc_IPC_RAFTD_PROPOSAL_SEND,
	    job->seq, &p);
	pb_release(cairn_ipc_Proposal_fields, &p);
	return rc;
}

/* A serializable read: the file's InternalRaftRequest (a range) served
 * by stored at once (index 0). */
static int
relay_get_send(struct relay *r, const struct relay_job *job, const char *path)
{
	cairn_ipc_Read rd = cairn_ipc_Read_init_zero;
	uint8_t *data;
	uint32_t len;
	int rc;

	if (!chan_is_open(&r->c->peers[PROC_STORED].ch))
		return CAIRN_EAGAIN;
	if ((rc = relay_put_load(path, &data, &len)) != 0)
		return rc;
	chunks_put(data, len, &rd.request, &rd.request_count);
	free(data);
	rc = chan_send(&r->c->peers[PROC_STORED].ch, cairn_ipc_IPC_STORED_READ_GET, job->seq, &rd);
	pb_release(cairn_ipc_Read_fields, &rd);
	return rc;
}

/* A maintenance call to stored: the file's one line names it. */
static int
relay_maint_send(struct relay *r, const struct relay_job *job, const char *path)
{
	cairn_ipc_Maint m = cairn_ipc_Maint_init_zero;
	char line[64] = "";
	long long rev = 0;
	int op = 0;
	FILE *f;

	if (!chan_is_open(&r->c->peers[PROC_STORED].ch))
		return CAIRN_EAGAIN;
	if ((f = fopen(path, "r")) == NULL)
		return CAIRN_ENOENT;
	if (fgets(line, sizeof(line), f) == NULL)
		line[0] = 0;
	fclose(f);
	if (strncmp(line, "hash", 4) == 0 && (line[4] == '\n' || line[4] == 0))
		m.op = cairn_ipc_Maint_Op_HASH;
	else if (sscanf(line, "hashkv %lld", &rev) == 1)
		m.op = cairn_ipc_Maint_Op_HASH_KV;
	else if (strncmp(line, "defrag", 6) == 0)
		m.op = cairn_ipc_Maint_Op_DEFRAGMENT;
	else if (strncmp(line, "snapshot", 8) == 0)
		m.op = cairn_ipc_Maint_Op_SNAPSHOT;
	else if (sscanf(line, "op %d", &op) == 1)
		m.op = (cairn_ipc_Maint_Op)op;
	m.revision = rev;
	return chan_send(&r->c->peers[PROC_STORED].ch, cairn_ipc_IPC_STORED_MAINT_DO, job->seq, &m);
}

/* 0 to go on with the next file, CAIRN_EAGAIN to wait for the next tick. */
static int
relay_job_run(struct relay *r, const struct relay_job *job)
{
	cairn_ipc_Empty empty = cairn_ipc_Empty_init_zero;
	unsigned long long seq = (unsigned long long)job->seq;
	char path[PATH_MAX];
	int rc;

	if (!chan_is_open(&r->c->peers[PROC_RAFTD].ch))
		return CAIRN_EAGAIN;
	relay_path(path, sizeof(path), "%s/%llu.%s", r->spool_path, seq, job->kind);
	if (strcmp(job->kind, "put") == 0)
		rc = relay_put_send(r, job, path);
	else if (strcmp(job->kind, "watch") == 0)
		rc = relay_watch_send(r->c, path, job->seq);
	else if (strcmp(job->kind, "get") == 0)
		rc = relay_get_send(r, job, path);
	else if (strcmp(job->kind, "maint") == 0)
		rc = relay_maint_send(r, job, path);
	else
		rc = chan_send(&r->c->peers[PROC_RAFTD].ch, cairn_ipc_IPC_RAFTD_READ_INDEX_GET,
		    job->seq, &empty);
	if (rc == CAIRN_EAGAIN || rc == CAIRN_ECLOSED || rc == CAIRN_EPROTO)
		return CAIRN_EAGAIN;
	if (rc == CAIRN_ENOENT)
		return 0;
	if (unlink(path) != 0)
		log_warn("unlink %s", path);
	if (rc == 0)
		relay_line(r, "sent %llu\n", seq);
	else
		relay_line(r, "fail %llu %s %s\n", seq, err_name(rc), err_str(rc));
	return 0;
}

static void
relay_spool_tick(evutil_socket_t fd, short what, void *arg)
{
	struct relay *r = arg;
	struct relay_job batch[RELAY_BATCH_MAX], job;
	struct dirent *de;
	size_t n = 0;
	DIR *dir;

	(void)fd;
	(void)what;
	if ((dir = opendir(r->spool_path)) == NULL) {
		log_warn("opendir %s", r->spool_path);
		return;
	}
	while ((de = readdir(dir)) != NULL)
		if (relay_job_parse(de->d_name, &job))
			relay_batch_add(batch, &n, &job);
	closedir(dir);
	for (size_t i = 0; i < n; i++)
		if (relay_job_run(r, &batch[i]) != 0)
			break;
}

static int
relay_start(struct child *c)
{
	static const struct timeval tick = {0, RELAY_SPOOL_MS * 1000};
	struct relay *r = &relay;
	char out_path[PATH_MAX];

	r->c = c;
	r->name = c->cfg.name;
	if ((r->dir = getenv("RELAY_DIR")) == NULL)
		fatalx("RELAY_DIR is not set");
	/* Fail now rather than at the first status if socket paths won't fit. */
	if (strlen(r->dir) + sizeof("/peer-ffffffffffffffff.sock") > sizeof(r->sock_path))
		fatalx("RELAY_DIR %s is too long for a socket path", r->dir);
	relay_path(r->cut_path, sizeof(r->cut_path), "%s/cut-%s", r->dir, r->name);
	relay_path(r->spool_path, sizeof(r->spool_path), "%s/%s.in", r->dir, r->name);
	relay_path(out_path, sizeof(out_path), "%s/%s.out", r->dir, r->name);
	if (mkdir(r->spool_path, 0755) == -1 && errno != EEXIST)
		fatal("mkdir %s", r->spool_path);
	r->out_fd = open(out_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (r->out_fd == -1)
		fatal("open %s", out_path);
	LIST_INIT(&r->dests);
	LIST_INIT(&r->ins);
	r->enc = xmalloc(RAFT_PEER_MSG_BYTES_MAX);
	r->spool_ev = event_new(c->base, -1, EV_PERSIST, relay_spool_tick, r);
	if (r->spool_ev == NULL || event_add(r->spool_ev, &tick) != 0)
		fatalx("cannot start the spool timer");
	c->state = r;
	return 0;
}

static void
relay_stop(struct child *c)
{
	struct relay *r = c->state;
	struct relay_dest *d;

	if (r == NULL)
		return;
	event_free(r->spool_ev);
	if (r->listener != NULL) {
		evconnlistener_free(r->listener);
		unlink(r->sock_path);
	}
	while (!LIST_EMPTY(&r->ins))
		relay_in_close(LIST_FIRST(&r->ins));
	while ((d = LIST_FIRST(&r->dests)) != NULL) {
		LIST_REMOVE(d, entry);
		relay_dest_drop(d);
		free(d);
	}
	close(r->out_fd);
	free(r->enc);
	c->state = NULL;
}

int
main(int argc, char **argv)
{
	static const struct child_ops ops = {
		.start = relay_start,
		.frame = relay_frame,
		.stop = relay_stop,
	};

	return child_main(PROC_NETD, &ops, argc, argv);
}
