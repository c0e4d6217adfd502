/*
 * cairnctl: snapshot save, status and restore (etcdctl's
 * snapshot_command.go and clientv3/snapshot): save streams
 * Maintenance.Snapshot into FILE.part, checks that it ends with its
 * SHA-256, syncs and renames it; status and restore read the file alone
 * (ctl/snap_cairn.c, ctl/snap_restore.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "ctl/commands.h"
#include "ctl/humanize.h"
#include "ctl/pbview.h"
#include "ctl/print.h"
#include "ctl/snap.h"
#include "ctl/tablew.h"
#include "ctl/zaplog.h"

/* etcd's snapshots end with a SHA-256 after a multiple of 512 bytes. */
#define SNAPSHOT_SHA_BYTES 32
#define SNAPSHOT_ALIGN 512
/* SnapshotResponse.blob */
#define SNAPSHOT_BLOB 3

static struct {
	char *data_dir, *wal_dir, *initial_cluster, *token, *peer_urls, *name;
	bool skip_hash_check;
} restore;

struct ctl_flag snapshot_restore_flags[] = {
	{ "data-dir", 0, CTL_FLAG_STRING, "", "Path to the data directory", &restore.data_dir,
	  false },
	{ "initial-advertise-peer-urls", 0, CTL_FLAG_STRING, "http://localhost:2380",
	  "List of this member's peer URLs to advertise to the rest of the cluster",
	  &restore.peer_urls, false },
	{ "initial-cluster", 0, CTL_FLAG_STRING, "default=http://localhost:2380",
	  "Initial cluster configuration for restore bootstrap", &restore.initial_cluster, false },
	{ "initial-cluster-token", 0, CTL_FLAG_STRING, "etcd-cluster",
	  "Initial cluster token for the etcd cluster during restore bootstrap", &restore.token,
	  false },
	{ "name", 0, CTL_FLAG_STRING, "default", "Human-readable name for this member",
	  &restore.name, false },
	{ "skip-hash-check", 0, CTL_FLAG_BOOL, "false",
	  "Ignore snapshot integrity hash value (required if copied from data directory)",
	  &restore.skip_hash_check, false },
	{ "wal-dir", 0, CTL_FLAG_STRING, "", "Path to the WAL directory (use --data-dir if none given)",
	  &restore.wal_dir, false },
	{ 0 },
};

/* One save under way. */
struct snap_save {
	int fd;
	struct gc_stream *stream;   /* until done */
	uint64_t size;
	bool done, failed;
	bool not_created;           /* the deadline came before a connection */
	bool dial_failing;          /* ... while dials failed */
	int status;
	char message[GC_MESSAGE_BYTES_MAX];
	char werr[256];
};

static void
snap_save_msg(void *arg, struct gc_stream *s, const uint8_t *msg, size_t len)
{
	struct snap_save *sv = arg;
	struct pbv blob = pbv_bytes(pbv_of(msg, len), SNAPSHOT_BLOB);

	if (sv->failed || blob.n == 0)
		return;
	for (size_t off = 0; off < blob.n;) {
		ssize_t n = write(sv->fd, blob.p + off, blob.n - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(sv->werr, sizeof(sv->werr), "%s", ctl_strerror(errno));
			sv->failed = true;
			gc_stream_cancel(s);
			return;
		}
		off += (size_t)n;
	}
	sv->size += blob.n;
}

static void
snap_save_end(void *arg, struct gc_stream *s, const struct gc_result *r)
{
	struct snap_save *sv = arg;

	(void)s;
	sv->done = true;
	sv->status = r->status;
	snprintf(sv->message, sizeof(sv->message), "%s", r->message);
}

static void
snap_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct snap_save *sv = arg;

	(void)fd;
	(void)what;
	if (sv->done)
		return;
	if (!gc_stream_started(sv->stream)) {
		sv->not_created = true;
		sv->dial_failing = gc_client_dial_failing(client_gc());
	}
	gc_stream_cancel(sv->stream);
}

/* clientv3's stream interceptor's error when the stream could not be
 * made within the deadline, with the stack of etcdctl 3.4's zap logger
 * (Debian's build), as etcdctl prints it. */
static const char snap_create_stack[] =
    "go.etcd.io/etcd/clientv3.(*Client).streamClientInterceptor.func1\n"
    "\tgo.etcd.io/etcd/clientv3/retry_interceptor.go:129\n"
    "google.golang.org/grpc.(*ClientConn).NewStream\n"
    "\tgoogle.golang.org/grpc/stream.go:148\n"
    "google.golang.org/grpc.NewClientStream\n"
    "\tgoogle.golang.org/grpc/stream.go:155\n"
    "go.etcd.io/etcd/etcdserver/etcdserverpb.(*maintenanceClient).Snapshot\n"
    "\tgo.etcd.io/etcd/etcdserver/etcdserverpb/rpc.pb.go:4296\n"
    "go.etcd.io/etcd/clientv3.(*retryMaintenanceClient).Snapshot\n"
    "\tgo.etcd.io/etcd/clientv3/retry.go:214\n"
    "go.etcd.io/etcd/clientv3.(*maintenance).Snapshot\n"
    "\tgo.etcd.io/etcd/clientv3/maintenance.go:195\n"
    "go.etcd.io/etcd/clientv3/snapshot.(*v3Manager).Save\n"
    "\tgo.etcd.io/etcd/clientv3/snapshot/v3_snapshot.go:123\n"
    "go.etcd.io/etcd/etcdctl/ctlv3/command.snapshotSaveCommandFunc\n"
    "\tgo.etcd.io/etcd/etcdctl/ctlv3/command/snapshot_command.go:113\n"
    "github.com/spf13/cobra.(*Command).execute\n"
    "\tgithub.com/spf13/cobra/command.go:920\n"
    "github.com/spf13/cobra.(*Command).ExecuteC\n"
    "\tgithub.com/spf13/cobra/command.go:1044\n"
    "github.com/spf13/cobra.(*Command).Execute\n"
    "\tgithub.com/spf13/cobra/command.go:968\n"
    "go.etcd.io/etcd/etcdctl/ctlv3.Start\n"
    "\tgo.etcd.io/etcd/etcdctl/ctlv3/ctl_nocov.go:26\n"
    "main.main\n"
    "\tgo.etcd.io/etcd/etcdctl/main.go:35\n"
    "runtime.main\n"
    "\truntime/proc.go:250";

/* Streams the snapshot into fd; exits as etcdctl (code 5) on errors. */
static void
snap_fetch(int fd, const char *part)
{
	struct snap_save sv = { .fd = fd };
	struct gc_stream *s;
	struct event *timer = NULL;
	char size[32];
	int64_t start = ctl_now_ns();

	char aerr[GC_MESSAGE_BYTES_MAX + 128];

	if (client_stream_auth(aerr, sizeof(aerr)) != 0) {
		unlink(part);
		ctl_fail(CTL_EXIT_INTERRUPTED, "%s", aerr);
	}
	s = gc_stream_open(client_gc(), "/etcdserverpb.Maintenance/Snapshot", snap_save_msg,
	    snap_save_end, &sv);
	if (s == NULL)
		ctl_fail(CTL_EXIT_INTERRUPTED, "too many calls");
	sv.stream = s;
	(void)gc_stream_send(s, (const uint8_t *)"", 0);
	gc_stream_close_send(s);
	/* etcdctl: no deadline unless --command-timeout is given. */
	if (flag_find(ctl_global_flags, "command-timeout")->changed) {
		struct timeval tv = { ctl_g.command_timeout_ns / 1000000000,
			(ctl_g.command_timeout_ns % 1000000000) / 1000 };

		timer = evtimer_new(client_base(), snap_deadline, &sv);
		evtimer_add(timer, &tv);
	}
	/* clientv3 waits for a connection to make the stream (WaitForReady). */
	while (!sv.done && !gc_stream_started(s))
		event_base_loop(client_base(), EVLOOP_ONCE);
	if (sv.done && !sv.not_created && sv.status == GC_DEADLINE_EXCEEDED &&
	    strstr(sv.message, "no connection") != NULL) {
		sv.not_created = true;
		sv.dial_failing = gc_client_dial_failing(client_gc());
	}
	if (sv.not_created) {
		char text[GC_MESSAGE_BYTES_MAX + 64];

		snprintf(text, sizeof(text), "rpc error: code = DeadlineExceeded desc = %s",
		    sv.dial_failing ? "latest balancer error: all SubConns are in "
		    "TransientFailure" : "context deadline exceeded");
		zaplog_begin("error", false, "clientv3/retry_interceptor.go:129",
		    "streamer failed to create ClientStream");
		zaplog_str("error", text);
		zaplog_str("stacktrace", snap_create_stack);
		zaplog_end();
		if (timer != NULL)
			event_free(timer);
		unlink(part);
		ctl_fail(CTL_EXIT_INTERRUPTED, "context deadline exceeded");
	}
	zaplog_begin("info", false, "clientv3/maintenance.go:200",
	    "opened snapshot stream; downloading");
	zaplog_end();
	zaplog_begin("info", true, "snapshot/v3_snapshot.go:127", "fetching snapshot");
	zaplog_str("endpoint", ctl_g.endpoints.v[0]);
	zaplog_end();
	while (!sv.done)
		event_base_loop(client_base(), EVLOOP_ONCE);
	if (timer != NULL)
		event_free(timer);
	if (sv.failed) {
		unlink(part);
		ctl_fail(CTL_EXIT_INTERRUPTED, "write %s: %s", part, sv.werr);
	}
	if (sv.status == GC_CANCELLED && timer != NULL) {
		unlink(part);
		ctl_fail(CTL_EXIT_INTERRUPTED, "context deadline exceeded");
	}
	if (sv.status != GC_OK) {
		char text[GC_MESSAGE_BYTES_MAX + 64];

		/* clientv3 hands the stream's own gRPC error on, unconverted. */
		snprintf(text, sizeof(text), "rpc error: code = %s desc = %s",
		    client_code_name(sv.status), sv.message);
		zaplog_begin("warn", false, "clientv3/maintenance.go:210",
		    "failed to receive from snapshot stream; closing");
		zaplog_str("error", text);
		zaplog_end();
		unlink(part);
		ctl_fail(CTL_EXIT_INTERRUPTED, "%s", text);
	}
	zaplog_begin("info", false, "clientv3/maintenance.go:208",
	    "completed snapshot read; closing");
	zaplog_end();
	if (sv.size % SNAPSHOT_ALIGN != SNAPSHOT_SHA_BYTES) {
		unlink(part);
		ctl_fail(CTL_EXIT_INTERRUPTED, "sha256 checksum not found [bytes: %llu]",
		    (unsigned long long)sv.size);
	}
	if (fsync(fd) != 0) {
		unlink(part);
		ctl_fail(CTL_EXIT_INTERRUPTED, "fsync %s: %s", part, ctl_strerror(errno));
	}
	humanize_bytes(size, sizeof(size), sv.size);
	zaplog_begin("info", true, "snapshot/v3_snapshot.go:142", "fetched snapshot");
	zaplog_str("endpoint", ctl_g.endpoints.v[0]);
	zaplog_str("size", size);
	zaplog_float("took", (double)(ctl_now_ns() - start) / 1e9);
	zaplog_end();
}

int
snapshot_save_run(int argc, char **argv)
{
	char part[4096];
	int fd;

	if (argc != 1)
		ctl_fail(CTL_EXIT_BAD_ARGS, "snapshot save expects one argument");
	global_from_env();
	global_debug_dump();
	(void)global_format();
	if (ctl_g.endpoints.n != 1) {
		char list[4096] = "";
		size_t n = 0;

		for (size_t i = 0; i < ctl_g.endpoints.n && n < sizeof(list); i++)
			n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", i > 0 ? " " : "",
			    ctl_g.endpoints.v[i]);
		ctl_fail(CTL_EXIT_INTERRUPTED, "snapshot must be requested to one selected node, "
		    "not multiple [%s]", list);
	}
	client_open();
	snprintf(part, sizeof(part), "%s.part", argv[0]);
	fd = open(part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		ctl_fail(CTL_EXIT_INTERRUPTED, "could not open %s (open %s: %s)", part, part,
		    ctl_strerror(errno));
	zaplog_begin("info", true, "snapshot/v3_snapshot.go:119", "created temporary db file");
	zaplog_str("path", part);
	zaplog_end();
	snap_fetch(fd, part);
	close(fd);
	if (rename(part, argv[0]) != 0) {
		unlink(part);
		ctl_fail(CTL_EXIT_INTERRUPTED, "could not rename %s to %s (rename %s %s: %s)", part,
		    argv[0], part, argv[0], ctl_strerror(errno));
	}
	zaplog_begin("info", true, "snapshot/v3_snapshot.go:152", "saved");
	zaplog_str("path", argv[0]);
	zaplog_end();
	printf("Snapshot saved at %s\n", argv[0]);
	client_close();
	return CTL_EXIT_SUCCESS;
}

/* The columns of etcdctl's status table, and a cell's room. */
#define SNAP_STATUS_COLS 4
#define SNAP_CELL_BYTES 32

/* etcdctl's table printer's DBStatus (makeDBStatusTable). */
static void
snap_status_table(const struct snap_status *st, const char *size)
{
	static const char *const hdr[SNAP_STATUS_COLS] = { "hash", "revision", "total keys",
		"total size" };
	char cell[SNAP_STATUS_COLS][SNAP_CELL_BYTES];
	const char *row[SNAP_STATUS_COLS] = { cell[0], cell[1], cell[2], cell[3] };
	struct tablew *t = tablew_new(SNAP_STATUS_COLS, hdr);

	snprintf(cell[0], SNAP_CELL_BYTES, "%x", st->hash);
	snprintf(cell[1], SNAP_CELL_BYTES, "%lld", (long long)st->revision);
	snprintf(cell[2], SNAP_CELL_BYTES, "%lld", (long long)st->total_key);
	snprintf(cell[3], SNAP_CELL_BYTES, "%s", size);
	tablew_append(t, row);
	tablew_render(t, stdout);
	tablew_free(t);
}

int
snapshot_status_run(int argc, char **argv)
{
	struct snap_status st;
	char err[SNAP_ERR_BYTES_MAX], size[32];
	enum ctl_format f;

	if (argc != 1)
		ctl_fail(CTL_EXIT_BAD_ARGS, "snapshot status requires exactly one argument");
	global_from_env();
	f = global_format();
	if (access(argv[0], F_OK) != 0)
		ctl_fail(CTL_EXIT_ERROR, "stat %s: %s", argv[0], ctl_strerror(errno));
	switch (snap_kind_of(argv[0])) {
	case SNAP_CAIRN:
		if (snap_cairn_status(argv[0], &st, err, sizeof(err)) != 0)
			ctl_fail(CTL_EXIT_ERROR, "%s", err);
		break;
	case SNAP_BBOLT:
		if (snap_etcd_status(argv[0], &st, err, sizeof(err)) != 0)
			ctl_fail(CTL_EXIT_ERROR, "%s", err);
		break;
	default:
		ctl_fail(CTL_EXIT_ERROR, "invalid database");
	}
	humanize_bytes(size, sizeof(size), (uint64_t)st.total_size);
	switch (f) {
	case CTL_OUT_SIMPLE:
		printf("%x, %lld, %lld, %s\n", st.hash, (long long)st.revision,
		    (long long)st.total_key, size);
		break;
	case CTL_OUT_FIELDS:
		printf("\"Hash\" : %u\n\"Revision\" : %lld\n\"Keys\" : %lld\n\"Size\" : %lld\n",
		    st.hash, (long long)st.revision, (long long)st.total_key,
		    (long long)st.total_size);
		break;
	case CTL_OUT_JSON:
		printf("{\"hash\":%u,\"revision\":%lld,\"totalKey\":%lld,\"totalSize\":%lld}\n",
		    st.hash, (long long)st.revision, (long long)st.total_key,
		    (long long)st.total_size);
		break;
	case CTL_OUT_TABLE:
		snap_status_table(&st, size);
		break;
	default:
		print_unsupported(f);
	}
	return CTL_EXIT_SUCCESS;
}

int
snapshot_restore_run(int argc, char **argv)
{
	struct snap_restore_cfg cfg;
	char err[SNAP_ERR_BYTES_MAX];

	if (argc != 1)
		ctl_fail(CTL_EXIT_BAD_ARGS, "snapshot restore requires exactly one argument");
	cfg = (struct snap_restore_cfg){
		.path = argv[0], .name = restore.name, .data_dir = restore.data_dir,
		.wal_dir = restore.wal_dir, .initial_cluster = restore.initial_cluster,
		.token = restore.token, .peer_urls = restore.peer_urls,
		.skip_hash_check = restore.skip_hash_check,
	};
	/* As etcdctl: --initial-cluster's default names "default", whatever
	 * --name says. */
	if (snap_restore(&cfg, err, sizeof(err)) != 0)
		ctl_fail(CTL_EXIT_ERROR, "%s", err);
	return CTL_EXIT_SUCCESS;
}
