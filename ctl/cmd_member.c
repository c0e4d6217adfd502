/*
 * cairnctl: member add, remove, update, list and promote (etcdctl's
 * member_command.go): their checks and messages, the Cluster calls, and
 * the answers in each output format as etcdctl 3.4's printers give them.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ctl/commands.h"
#include "ctl/goquote.h"
#include "ctl/gotext.h"
#include "ctl/print.h"
#include "ctl/tablew.h"
#include "shared/assert.h"
#include "shared/url.h"
#include "shared/xmalloc.h"

/* The Cluster service's messages (rpc.proto). */
enum {
	MEMBER_ID = 1, MEMBER_NAME = 2, MEMBER_PEER_URLS = 3, MEMBER_CLIENT_URLS = 4,
	MEMBER_LEARNER = 5,
	ADD_PEER_URLS = 1, ADD_LEARNER = 2,
	ADD_RESP_HEADER = 1, ADD_RESP_MEMBER = 2, ADD_RESP_MEMBERS = 3,
	RESP_HEADER = 1, RESP_MEMBERS = 2,
	UPDATE_ID = 1, UPDATE_PEER_URLS = 2,
	HEADER_CLUSTER_ID = 1,
};

/* The columns of etcdctl's member table. */
#define MEMBER_COLUMNS 6
/* The longest "too many arguments" text member add makes. */
#define MEMBER_MSG_BYTES_MAX 4096

static char *member_peer_urls;
static bool member_learner;

struct ctl_flag member_add_flags[] = {
	{ "learner", 0, CTL_FLAG_BOOL, "false", "indicates if the new member is raft learner",
	  &member_learner, false },
	{ "peer-urls", 0, CTL_FLAG_STRING, "", "comma separated peer URLs for the new member.",
	  &member_peer_urls, false },
	{ 0 },
};

struct ctl_flag member_update_flags[] = {
	{ "peer-urls", 0, CTL_FLAG_STRING, "",
	  "comma separated peer URLs for the updated member.", &member_peer_urls, false },
	{ 0 },
};

/* A string field as a NUL-terminated copy (the caller frees it). */
static char *
member_str(struct pbv m, uint32_t field)
{
	struct pbv b = pbv_bytes(m, field);
	char *s = xmalloc(b.n + 1);

	if (b.n > 0)
		memcpy(s, b.p, b.n);
	s[b.n] = '\0';
	return s;
}

/* The repeated string field of m joined by sep (strings.Join). */
static char *
member_join(struct pbv m, uint32_t field, const char *sep)
{
	char *text = NULL;
	size_t len = 0, off = 0;
	FILE *out = open_memstream(&text, &len);
	struct pbv u;
	bool first = true;

	CAIRN_ASSERT(out != NULL);
	while (pbv_next(m, field, &off, &u)) {
		if (!first)
			fputs(sep, out);
		first = false;
		if (u.n > 0)
			fwrite(u.p, 1, u.n, out);
	}
	fclose(out);
	return text;
}

/* makeMemberListTable's row for member m: cells owned by the caller
 * (member_row_free). */
static void
member_row(struct pbv m, char **row)
{
	char *name = member_str(m, MEMBER_NAME);

	row[0] = NULL;
	if (asprintf(&row[0], "%" PRIx64, pbv_varint(m, MEMBER_ID)) < 0)
		CAIRN_ASSERT(0);
	row[1] = xstrdup(name[0] == '\0' ? "unstarted" : "started");
	row[2] = name;
	row[3] = member_join(m, MEMBER_PEER_URLS, ",");
	row[4] = member_join(m, MEMBER_CLIENT_URLS, ",");
	row[5] = xstrdup(pbv_varint(m, MEMBER_LEARNER) != 0 ? "true" : "false");
}

static void
member_row_free(char **row)
{
	for (size_t i = 0; i < MEMBER_COLUMNS; i++)
		free(row[i]);
}

static void
member_list_table(struct pbv r)
{
	static const char *const hdr[MEMBER_COLUMNS] = { "ID", "Status", "Name", "Peer Addrs",
		"Client Addrs", "Is Learner" };
	struct tablew *t = tablew_new(MEMBER_COLUMNS, hdr);
	size_t off = 0;
	struct pbv m;

	while (pbv_next(r, RESP_MEMBERS, &off, &m)) {
		char *row[MEMBER_COLUMNS];

		member_row(m, row);
		tablew_append(t, (const char *const *)row);
		member_row_free(row);
	}
	tablew_render(t, stdout);
	tablew_free(t);
}

/* Go's %q of the string field of m. */
static void
member_quoted(struct pbv m, uint32_t field)
{
	struct pbv b = pbv_bytes(m, field);

	goquote_write(stdout, b.p, b.n);
}

static void
member_list_fields(struct pbv r)
{
	size_t off = 0;
	struct pbv m;

	print_fields_header(pbv_bytes(r, RESP_HEADER));
	while (pbv_next(r, RESP_MEMBERS, &off, &m)) {
		size_t uoff = 0;
		struct pbv u;

		printf("\"ID\" : %" PRIu64 "\n\"Name\" : ", pbv_varint(m, MEMBER_ID));
		member_quoted(m, MEMBER_NAME);
		putchar('\n');
		while (pbv_next(m, MEMBER_PEER_URLS, &uoff, &u)) {
			fputs("\"PeerURL\" : ", stdout);
			goquote_write(stdout, u.p, u.n);
			putchar('\n');
		}
		uoff = 0;
		while (pbv_next(m, MEMBER_CLIENT_URLS, &uoff, &u)) {
			fputs("\"ClientURL\" : ", stdout);
			goquote_write(stdout, u.p, u.n);
			putchar('\n');
		}
		printf("\"IsLearner\" : %s\n\n",
		    pbv_varint(m, MEMBER_LEARNER) != 0 ? "true" : "false");
	}
}

static void
member_list_print(enum ctl_format f, struct pbv r)
{
	size_t off = 0;
	struct pbv m;

	switch (f) {
	case CTL_OUT_SIMPLE:
		while (pbv_next(r, RESP_MEMBERS, &off, &m)) {
			char *row[MEMBER_COLUMNS];

			member_row(m, row);
			printf("%s, %s, %s, %s, %s, %s\n", row[0], row[1], row[2], row[3], row[4],
			    row[5]);
			member_row_free(row);
		}
		return;
	case CTL_OUT_FIELDS:
		member_list_fields(r);
		return;
	case CTL_OUT_TABLE:
		member_list_table(r);
		return;
	default:
		print_rpc(f, "etcdserverpb.MemberListResponse", r);
	}
}

/* The request's peer URLs: --peer-urls split at commas (strings.Split:
 * empty parts kept). */
static void
member_urls(struct pbout *req, uint32_t field)
{
	const char *p = member_peer_urls;

	for (;;) {
		size_t n = strcspn(p, ",");

		pbout_bytes(req, field, p, n);
		if (p[n] == '\0')
			break;
		p += n + 1;
	}
}

/* clientv3 checks the peer URLs as etcd's types.NewURLs does before it
 * asks (MemberAdd, MemberUpdate): exits with its error, as etcdctl. */
static void
member_check_urls(void)
{
	char *all = xstrdup(member_peer_urls), *p = all, why[CTL_FLAG_ERR_BYTES_MAX];

	for (;;) {
		size_t n = strcspn(p, ",");
		bool last = p[n] == '\0';

		p[n] = '\0';
		if (url_check(url_trim_space(p), why, sizeof(why)) != 0)
			ctl_fail(CTL_EXIT_ERROR, "%s", why);
		if (last)
			break;
		p += n + 1;
	}
	free(all);
}

/* etcdctl's check of a member ID argument (exits 128 as it does). */
static uint64_t
member_id_arg(int argc, char **argv)
{
	char err[CTL_FLAG_ERR_BYTES_MAX];
	uint64_t id;

	if (argc != 1)
		ctl_fail(CTL_EXIT_BAD_ARGS, "member ID is not provided");
	if (gotext_parse_hex(argv[0], &id, err, sizeof(err)) != 0)
		ctl_fail(CTL_EXIT_BAD_ARGS, "bad member ID arg (%s), expecting ID in Hex", err);
	return id;
}

/* The ETCD_* lines etcdctl prints after adding a member (simple format):
 * each member's peer URLs as name=URL, the new one under 'name'. */
static void
member_add_env(const char *name, struct pbv r)
{
	uint64_t new_id = pbv_varint(pbv_bytes(r, ADD_RESP_MEMBER), MEMBER_ID);
	char *conf = NULL;
	size_t len = 0, off = 0;
	FILE *out = open_memstream(&conf, &len);
	struct pbv m;
	bool first = true;

	CAIRN_ASSERT(out != NULL);
	while (pbv_next(r, ADD_RESP_MEMBERS, &off, &m)) {
		struct pbv b = pbv_bytes(m, MEMBER_NAME), u;
		size_t uoff = 0;

		while (pbv_next(m, MEMBER_PEER_URLS, &uoff, &u)) {
			if (!first)
				fputc(',', out);
			first = false;
			if (pbv_varint(m, MEMBER_ID) == new_id)
				fputs(name, out);
			else if (b.n > 0)
				fwrite(b.p, 1, b.n, out);
			fputc('=', out);
			if (u.n > 0)
				fwrite(u.p, 1, u.n, out);
		}
	}
	fclose(out);
	fputs("\nETCD_NAME=", stdout);
	goquote_write(stdout, (const uint8_t *)name, strlen(name));
	fputs("\nETCD_INITIAL_CLUSTER=", stdout);
	goquote_write(stdout, (const uint8_t *)conf, len);
	fputs("\nETCD_INITIAL_ADVERTISE_PEER_URLS=", stdout);
	goquote_write(stdout, (const uint8_t *)member_peer_urls, strlen(member_peer_urls));
	fputs("\nETCD_INITIAL_CLUSTER_STATE=\"existing\"\n", stdout);
	free(conf);
}

/* The cluster ID of a response's header, for the simple printers. */
static uint64_t
member_cluster_id(struct pbv r)
{
	return pbv_varint(pbv_bytes(r, RESP_HEADER), HEADER_CLUSTER_ID);
}

int
member_add_run(int argc, char **argv)
{
	enum ctl_format f;
	struct pbout req = { 0 };
	struct gc_result r;
	struct pbv resp;

	if (argc < 1)
		ctl_fail(CTL_EXIT_BAD_ARGS, "member name not provided");
	if (argc > 1) {
		char msg[MEMBER_MSG_BYTES_MAX] = "too many arguments";

		for (int i = 0; i < argc; i++)
			if (strncasecmp(argv[i], "http", 4) == 0)
				snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg),
				    ", did you mean --peer-urls=%s", argv[i]);
		ctl_fail(CTL_EXIT_BAD_ARGS, "%s", msg);
	}
	if (member_peer_urls[0] == '\0')
		ctl_fail(CTL_EXIT_BAD_ARGS, "member peer urls not provided");
	member_urls(&req, ADD_PEER_URLS);
	if (member_learner)
		pbout_varint(&req, ADD_LEARNER, 1);
	client_open();
	f = global_format();
	member_check_urls();
	client_call("/etcdserverpb.Cluster/MemberAdd", &req, CTL_RETRY_NEVER, &r);
	pbout_close(&req);
	resp = pbv_of(r.msg, r.len);
	if (f == CTL_OUT_SIMPLE) {
		printf("Member %16" PRIx64 " added to cluster %16" PRIx64 "\n",
		    pbv_varint(pbv_bytes(resp, ADD_RESP_MEMBER), MEMBER_ID),
		    member_cluster_id(resp));
		member_add_env(argv[0], resp);
	} else if (f == CTL_OUT_JSON || f == CTL_OUT_PROTOBUF) {
		print_rpc(f, "etcdserverpb.MemberAddResponse", resp);
	} else {
		print_unsupported(f);
	}
	client_close();
	return CTL_EXIT_SUCCESS;
}

/* remove, update and promote: the call made, the answer printed with
 * etcdctl's words ("removed from", "updated in", "promoted in"). */
static int
member_change(const char *path, const struct pbout *req, const char *msg, const char *words,
    uint64_t id)
{
	enum ctl_format f;
	struct gc_result r;
	struct pbv resp;

	client_open();
	f = global_format();
	if (strcmp(words, "updated in") == 0)
		member_check_urls();
	client_call(path, req, CTL_RETRY_NEVER, &r);
	resp = pbv_of(r.msg, r.len);
	if (f == CTL_OUT_SIMPLE) {
		printf("Member %16" PRIx64 " %s cluster %16" PRIx64 "\n", id, words,
		    member_cluster_id(resp));
	} else if (msg == NULL) {
		/* etcdctl 3.4's other printers have no MemberPromote: a nil
		 * printer's method is called. */
		gotext_nil_panic("go.etcd.io/etcd/etcdctl/ctlv3/command.memberPromoteCommandFunc",
		    "go.etcd.io/etcd/etcdctl/ctlv3/command/member_command.go:254");
	} else if (f == CTL_OUT_JSON || f == CTL_OUT_PROTOBUF) {
		print_rpc(f, msg, resp);
	} else {
		print_unsupported(f);
	}
	client_close();
	return CTL_EXIT_SUCCESS;
}

int
member_remove_run(int argc, char **argv)
{
	uint64_t id = member_id_arg(argc, argv);
	struct pbout req = { 0 };
	int rc;

	if (id != 0)
		pbout_varint(&req, UPDATE_ID, id);
	rc = member_change("/etcdserverpb.Cluster/MemberRemove", &req,
	    "etcdserverpb.MemberRemoveResponse", "removed from", id);
	pbout_close(&req);
	return rc;
}

int
member_update_run(int argc, char **argv)
{
	uint64_t id = member_id_arg(argc, argv);
	struct pbout req = { 0 };
	int rc;

	if (member_peer_urls[0] == '\0')
		ctl_fail(CTL_EXIT_BAD_ARGS, "member peer urls not provided");
	if (id != 0)
		pbout_varint(&req, UPDATE_ID, id);
	member_urls(&req, UPDATE_PEER_URLS);
	rc = member_change("/etcdserverpb.Cluster/MemberUpdate", &req,
	    "etcdserverpb.MemberUpdateResponse", "updated in", id);
	pbout_close(&req);
	return rc;
}

int
member_promote_run(int argc, char **argv)
{
	uint64_t id = member_id_arg(argc, argv);
	struct pbout req = { 0 };
	int rc;

	if (id != 0)
		pbout_varint(&req, UPDATE_ID, id);
	rc = member_change("/etcdserverpb.Cluster/MemberPromote", &req, NULL, "promoted in", id);
	pbout_close(&req);
	return rc;
}

int
member_list_run(int argc, char **argv)
{
	struct pbout req = { 0 };
	enum ctl_format f;
	struct gc_result r;

	(void)argc;
	(void)argv;
	client_open();
	f = global_format();
	client_call("/etcdserverpb.Cluster/MemberList", &req, CTL_RETRY_UNAVAILABLE, &r);
	member_list_print(f, pbv_of(r.msg, r.len));
	client_close();
	return CTL_EXIT_SUCCESS;
}
