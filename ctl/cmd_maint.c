/*
 * cairnctl: the Maintenance commands alarm list, alarm disarm, defrag and
 * move-leader (etcdctl's alarm_command.go, defrag_command.go and
 * move_leader_command.go): their checks, clientv3's calls and the answers
 * as etcdctl 3.4 prints them.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/commands.h"
#include "ctl/endpoint.h"
#include "ctl/gotext.h"
#include "ctl/print.h"
#include "shared/assert.h"
#include "shared/xmalloc.h"

/* AlarmRequest, AlarmResponse, StatusResponse, MoveLeaderRequest. */
enum {
	RESP_HEADER = 1, HEADER_MEMBER_ID = 2,
	ALARM_ACTION = 1, ALARM_MEMBER = 2, ALARM_TYPE = 3, ALARM_DEACTIVATE = 2,
	ALARMS = 2, AM_MEMBER = 1, AM_ALARM = 2,
	STATUS_LEADER = 4,
	MOVE_TARGET = 1,
};

/* The longest list of endpoints move-leader names in its error. */
#define MOVE_LEADER_LIST_BYTES_MAX 4096

static char *defrag_data_dir;

struct ctl_flag defrag_flags[] = {
	{ "cluster", 0, CTL_FLAG_BOOL, "false", "use all endpoints from the cluster member list",
	  &endpoint_cluster, false },
	{ "data-dir", 0, CTL_FLAG_STRING, "",
	  "Optional. If present, defragments a data directory not in use by etcd.",
	  &defrag_data_dir, false },
	{ 0 },
};

/* pb.AlarmType's String(): the name, or the number when unknown. */
static void
alarm_type(FILE *out, uint64_t t)
{
	static const char *const names[] = { "NONE", "NOSPACE", "CORRUPT" };

	if (t < sizeof(names) / sizeof(names[0]))
		fputs(names[t], out);
	else
		fprintf(out, "%" PRId32, (int32_t)t);
}

/* display.Alarm: simple prints each AlarmMember's String() (protobuf's
 * compact text: "memberID:1 alarm:NOSPACE "); fields its header, which
 * etcd's Alarm answers lack: etcdctl 3.4 dereferences it all the same. */
static void
alarm_print(enum ctl_format f, struct pbv r)
{
	size_t off = 0;
	struct pbv a;

	switch (f) {
	case CTL_OUT_SIMPLE:
		while (pbv_next(r, ALARMS, &off, &a)) {
			if (pbv_varint(a, AM_MEMBER) != 0)
				printf("memberID:%" PRIu64 " ", pbv_varint(a, AM_MEMBER));
			if (pbv_varint(a, AM_ALARM) != 0) {
				fputs("alarm:", stdout);
				alarm_type(stdout, pbv_varint(a, AM_ALARM));
				putchar(' ');
			}
			putchar('\n');
		}
		return;
	case CTL_OUT_FIELDS:
		if (!pbv_bytes(r, RESP_HEADER).present)
			gotext_nil_panic(
			    "go.etcd.io/etcd/etcdctl/ctlv3/command.(*fieldsPrinter).hdr",
			    "go.etcd.io/etcd/etcdctl/ctlv3/command/printer_fields.go:38");
		print_fields_header(pbv_bytes(r, RESP_HEADER));
		while (pbv_next(r, ALARMS, &off, &a)) {
			printf("\"MemberID\" : %" PRIu64 "\n\"AlarmType\" : ",
			    pbv_varint(a, AM_MEMBER));
			alarm_type(stdout, pbv_varint(a, AM_ALARM));
			fputs("\n\n", stdout);
		}
		return;
	default:
		print_rpc(f, "etcdserverpb.AlarmResponse", r);
	}
}

int
alarm_list_run(int argc, char **argv)
{
	struct pbout req = { 0 };
	struct gc_result r;
	enum ctl_format f;

	(void)argv;
	if (argc != 0)
		ctl_fail(CTL_EXIT_BAD_ARGS, "alarm list command accepts no arguments");
	client_open();
	f = global_format();
	client_call("/etcdserverpb.Maintenance/Alarm", &req, CTL_RETRY_UNAVAILABLE, &r);
	alarm_print(f, pbv_of(r.msg, r.len));
	client_close();
	return CTL_EXIT_SUCCESS;
}

/* clientv3's AlarmDisarm of every alarm: the list, then each alarm
 * deactivated alone; the answer holds the alarms each deactivation
 * returned and no header. */
int
alarm_disarm_run(int argc, char **argv)
{
	struct pbout req = { 0 }, all = { 0 };
	struct gc_result r;
	struct pbv list, a;
	enum ctl_format f;
	uint8_t *alarms;
	size_t off = 0, n;

	(void)argv;
	if (argc != 0)
		ctl_fail(CTL_EXIT_BAD_ARGS, "alarm disarm command accepts no arguments");
	client_open();
	f = global_format();
	client_call("/etcdserverpb.Maintenance/Alarm", &req, CTL_RETRY_UNAVAILABLE, &r);
	/* The list is read while the next calls reuse the answer's buffer. */
	n = r.len;
	alarms = xmalloc(n + 1);
	if (n > 0)
		memcpy(alarms, r.msg, n);
	list = pbv_of(alarms, n);
	while (pbv_next(list, ALARMS, &off, &a)) {
		struct pbout one = { 0 };
		struct pbv got, d;
		size_t doff = 0;

		pbout_varint(&one, ALARM_ACTION, ALARM_DEACTIVATE);
		if (pbv_varint(a, AM_MEMBER) != 0)
			pbout_varint(&one, ALARM_MEMBER, pbv_varint(a, AM_MEMBER));
		if (pbv_varint(a, AM_ALARM) != 0)
			pbout_varint(&one, ALARM_TYPE, pbv_varint(a, AM_ALARM));
		client_call("/etcdserverpb.Maintenance/Alarm", &one, CTL_RETRY_UNAVAILABLE, &r);
		pbout_close(&one);
		got = pbv_of(r.msg, r.len);
		while (pbv_next(got, ALARMS, &doff, &d))
			pbout_bytes(&all, ALARMS, d.p, d.n);
	}
	alarm_print(f, pbv_of(all.buf, all.len));
	pbout_close(&all);
	free(alarms);
	client_close();
	return CTL_EXIT_SUCCESS;
}

int
defrag_run(int argc, char **argv)
{
	struct endpoint_list l = { 0 };
	struct pbout req = { 0 };
	int failures = 0;

	(void)argc;
	(void)argv;
	if (defrag_data_dir[0] != '\0') {
		/* etcdctl opens the bbolt file under member/snap; cairn's store
		 * is Berkeley DB, defragmented by the running member only. */
		fprintf(stderr, "Failed to defragment etcd data[%s] (cairnctl cannot defragment "
		    "a data directory offline: defragment the running member without "
		    "--data-dir)\n", defrag_data_dir);
		return CTL_EXIT_ERROR;
	}
	client_prepare();
	endpoint_targets(&l, true);
	for (size_t i = 0; i < l.n; i++) {
		char err[GC_MESSAGE_BYTES_MAX + 128];
		struct gc_result r;
		int rc = client_dial(l.v[i], err, sizeof(err));

		if (rc == 0) {
			rc = client_try("/etcdserverpb.Maintenance/Defragment", &req,
			    CTL_RETRY_NEVER, &r, err, sizeof(err));
			client_undial();
		}
		if (rc != 0) {
			fprintf(stderr, "Failed to defragment etcd member[%s] (%s)\n", l.v[i], err);
			failures++;
		} else {
			printf("Finished defragmenting etcd member[%s]\n", l.v[i]);
		}
		fflush(stdout);
	}
	endpoint_list_free(&l);
	client_close();
	return failures != 0 ? CTL_EXIT_ERROR : CTL_EXIT_SUCCESS;
}

/* Go's %v of a []string: [a b]. */
static void
move_leader_eps(char *dst, size_t cap, char *const *eps, size_t n)
{
	size_t used = (size_t)snprintf(dst, cap, "[");

	for (size_t i = 0; i < n && used < cap; i++)
		used += (size_t)snprintf(dst + used, cap - used, "%s%s", i > 0 ? " " : "", eps[i]);
	if (used < cap)
		snprintf(dst + used, cap - used, "]");
}

/* The first endpoint that is its cluster's leader, asked one by one with
 * a client of its own as etcdctl does; the client is left open on it and
 * *leader set. Exits as etcdctl when an endpoint fails or none leads. */
static void
move_leader_find(uint64_t *leader)
{
	struct pbout req = { 0 };
	char err[GC_MESSAGE_BYTES_MAX + 128], list[MOVE_LEADER_LIST_BYTES_MAX];

	for (size_t i = 0; i < ctl_g.endpoints.n; i++) {
		const char *eps[1] = { ctl_g.endpoints.v[i] };
		struct gc_result r;
		struct pbv s;
		uint64_t id;
		int code;

		if ((code = client_connect(eps, 1, true, err, sizeof(err))) != 0)
			ctl_fail(code, "%s", err);
		if (client_dial(eps[0], err, sizeof(err)) != 0 ||
		    client_try("/etcdserverpb.Maintenance/Status", &req, CTL_RETRY_UNAVAILABLE, &r,
		    err, sizeof(err)) != 0)
			ctl_fail(CTL_EXIT_ERROR, "%s", err);
		s = pbv_of(r.msg, r.len);
		*leader = pbv_varint(s, STATUS_LEADER);
		id = pbv_varint(pbv_bytes(s, RESP_HEADER), HEADER_MEMBER_ID);
		/* The answer is the dialled connection's: read before closing it. */
		client_undial();
		if (id == *leader)
			return;
		client_disconnect();
	}
	move_leader_eps(list, sizeof(list), ctl_g.endpoints.v, ctl_g.endpoints.n);
	ctl_fail(CTL_EXIT_BAD_ARGS, "no leader endpoint given at %s", list);
}

int
move_leader_run(int argc, char **argv)
{
	char err[CTL_FLAG_ERR_BYTES_MAX];
	struct pbout req = { 0 };
	struct gc_result r;
	enum ctl_format f;
	uint64_t target, leader = 0;

	if (argc != 1)
		ctl_fail(CTL_EXIT_BAD_ARGS, "move-leader command needs 1 argument");
	if (gotext_parse_hex(argv[0], &target, err, sizeof(err)) != 0)
		ctl_fail(CTL_EXIT_BAD_ARGS, "%s", err);
	/* etcdctl makes a client of every endpoint first (and closes it). */
	client_open();
	f = global_format();
	client_disconnect();
	move_leader_find(&leader);
	if (target != 0)
		pbout_varint(&req, MOVE_TARGET, target);
	client_call("/etcdserverpb.Maintenance/MoveLeader", &req, CTL_RETRY_UNAVAILABLE, &r);
	pbout_close(&req);
	if (f == CTL_OUT_SIMPLE)
		printf("Leadership transferred from %" PRIx64 " to %" PRIx64 "\n", leader, target);
	else if (f == CTL_OUT_JSON || f == CTL_OUT_PROTOBUF)
		print_rpc(f, "etcdserverpb.MoveLeaderResponse", pbv_of(r.msg, r.len));
	else
		print_unsupported(f);
	client_close();
	return CTL_EXIT_SUCCESS;
}
