/*
 * cairnctl: get, put and del (etcdctl's get_command.go, put_command.go,
 * del_command.go): their flags, their checks and messages, the request
 * clientv3 makes of them, and the answer printed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl/kv.h"
#include "ctl/print.h"
#include "shared/assert.h"
#include "shared/xmalloc.h"

/* The largest value put reads from standard input. */
#define KV_STDIN_BYTES_MAX (64u << 20)

/* RangeRequest, PutRequest and DeleteRangeRequest field numbers. */
enum {
	RANGE_KEY = 1, RANGE_END = 2, RANGE_LIMIT = 3, RANGE_REVISION = 4, RANGE_SORT_ORDER = 5,
	RANGE_SORT_TARGET = 6, RANGE_SERIALIZABLE = 7, RANGE_KEYS_ONLY = 8,
	PUT_KEY = 1, PUT_VALUE = 2, PUT_LEASE = 3, PUT_PREV_KV = 4, PUT_IGNORE_VALUE = 5,
	PUT_IGNORE_LEASE = 6,
	DEL_KEY = 1, DEL_END = 2, DEL_PREV_KV = 3,
};

static struct {
	char *consistency, *order, *sort_by;
	int64_t limit, rev;
	bool prefix, from_key, keys_only, value_only;
} get;

static struct {
	char *lease;
	bool prev_kv, ignore_value, ignore_lease;
} put;

static struct {
	bool prefix, prev_kv, from_key;
} del;

struct ctl_flag kv_get_flags[] = {
	{ "consistency", 0, CTL_FLAG_STRING, "l", "Linearizable(l) or Serializable(s)",
	  &get.consistency, false },
	{ "from-key", 0, CTL_FLAG_BOOL, "false",
	  "Get keys that are greater than or equal to the given key using byte compare",
	  &get.from_key, false },
	{ "keys-only", 0, CTL_FLAG_BOOL, "false", "Get only the keys", &get.keys_only, false },
	{ "limit", 0, CTL_FLAG_INT64, "0", "Maximum number of results", &get.limit, false },
	{ "order", 0, CTL_FLAG_STRING, "", "Order of results; ASCEND or DESCEND (ASCEND by default)",
	  &get.order, false },
	{ "prefix", 0, CTL_FLAG_BOOL, "false", "Get keys with matching prefix", &get.prefix, false },
	{ "print-value-only", 0, CTL_FLAG_BOOL, "false",
	  "Only write values when using the \"simple\" output format", &get.value_only, false },
	{ "rev", 0, CTL_FLAG_INT64, "0", "Specify the kv revision", &get.rev, false },
	{ "sort-by", 0, CTL_FLAG_STRING, "", "Sort target; CREATE, KEY, MODIFY, VALUE, or VERSION",
	  &get.sort_by, false },
	{ 0 },
};

struct ctl_flag kv_put_flags[] = {
	{ "ignore-lease", 0, CTL_FLAG_BOOL, "false", "updates the key using its current lease",
	  &put.ignore_lease, false },
	{ "ignore-value", 0, CTL_FLAG_BOOL, "false", "updates the key using its current value",
	  &put.ignore_value, false },
	{ "lease", 0, CTL_FLAG_STRING, "0", "lease ID (in hexadecimal) to attach to the key",
	  &put.lease, false },
	{ "prev-kv", 0, CTL_FLAG_BOOL, "false",
	  "return the previous key-value pair before modification", &put.prev_kv, false },
	{ 0 },
};

struct ctl_flag kv_del_flags[] = {
	{ "from-key", 0, CTL_FLAG_BOOL, "false",
	  "delete keys that are greater than or equal to the given key using byte compare",
	  &del.from_key, false },
	{ "prefix", 0, CTL_FLAG_BOOL, "false", "delete keys with matching prefix", &del.prefix, false },
	{ "prev-kv", 0, CTL_FLAG_BOOL, "false", "return deleted key-value pairs", &del.prev_kv, false },
	{ 0 },
};

/* A varint field, left out when zero as proto3 leaves it. */
static void
kv_varint(struct pbout *req, uint32_t field, uint64_t v)
{
	if (v != 0)
		pbout_varint(req, field, v);
}

/* clientv3's GetPrefixRangeEnd: the key after every key with prefix k
 * ("\0" when k is all 0xff). Writes into end (room for n bytes). */
static size_t
kv_prefix_end(const char *k, size_t n, char *end)
{
	memcpy(end, k, n);
	for (size_t i = n; i > 0; i--) {
		if ((unsigned char)end[i - 1] < 0xff) {
			end[i - 1]++;
			return i;
		}
	}
	end[0] = '\0';
	return 1;
}

/* A key and the range end of --prefix / --from-key / a second argument,
 * as clientv3's options make them. */
static void
kv_key_range(struct pbout *req, uint32_t key_field, uint32_t end_field, int argc, char **argv,
    bool prefix, bool from_key)
{
	const char *key = argv[0];
	size_t klen = strlen(key);

	if (prefix && klen == 0) {
		/* etcdctl: an empty prefix means every key. */
		pbout_bytes(req, key_field, "\0", 1);
		pbout_bytes(req, end_field, "\0", 1);
		return;
	}
	if (from_key) {
		if (klen == 0)
			pbout_bytes(req, key_field, "\0", 1);
		else
			pbout_bytes(req, key_field, key, klen);
		pbout_bytes(req, end_field, "\0", 1);
		return;
	}
	pbout_bytes(req, key_field, key, klen);
	if (prefix) {
		char *end = xmalloc(klen);

		pbout_bytes(req, end_field, end, kv_prefix_end(key, klen, end));
		free(end);
	} else if (argc > 1) {
		pbout_bytes(req, end_field, argv[1], strlen(argv[1]));
	}
}

static bool
kv_upper_equals(const char *s, const char *upper)
{
	return strcasecmp(s, upper) == 0;
}

void
kv_get_request(int argc, char **argv, struct pbout *req)
{
	int64_t order = 0, target = 0;
	static const char *const targets[] = { "KEY", "VERSION", "CREATE", "MODIFY", "VALUE" };

	if (argc == 0)
		ctl_fail(CTL_EXIT_BAD_ARGS, "get command needs one argument as key and an optional "
		    "argument as range_end");
	if (get.prefix && get.from_key)
		ctl_fail(CTL_EXIT_BAD_ARGS, "`--prefix` and `--from-key` cannot be set at the same "
		    "time, choose one");
	if (strcmp(get.consistency, "s") != 0 && strcmp(get.consistency, "l") != 0)
		ctl_fail(CTL_EXIT_BAD_FEATURE, "unknown consistency flag \"%s\"", get.consistency);
	if (argc > 1 && (get.prefix || get.from_key))
		ctl_fail(CTL_EXIT_BAD_ARGS, "too many arguments, only accept one argument when "
		    "`--prefix` or `--from-key` is set");
	if (kv_upper_equals(get.order, "ASCEND"))
		order = 1;
	else if (kv_upper_equals(get.order, "DESCEND"))
		order = 2;
	else if (get.order[0] != '\0')
		ctl_fail(CTL_EXIT_BAD_FEATURE, "bad sort order %s", get.order);
	if (get.sort_by[0] != '\0') {
		target = -1;
		for (size_t i = 0; i < 5; i++)
			if (kv_upper_equals(get.sort_by, targets[i]))
				target = (int64_t)i;
		/* etcdctl's MODIFY is SortByModRevision (3), CREATE 2. */
		if (target < 0)
			ctl_fail(CTL_EXIT_BAD_FEATURE, "bad sort target %s", get.sort_by);
	}
	/* clientv3 leaves ascending by key to the server's natural order. */
	if (target == 0 && order == 1)
		order = 0;
	kv_key_range(req, RANGE_KEY, RANGE_END, argc, argv, get.prefix, get.from_key);
	kv_varint(req, RANGE_LIMIT, (uint64_t)get.limit);
	if (get.rev > 0)
		kv_varint(req, RANGE_REVISION, (uint64_t)get.rev);
	kv_varint(req, RANGE_SORT_ORDER, (uint64_t)order);
	kv_varint(req, RANGE_SORT_TARGET, (uint64_t)target);
	kv_varint(req, RANGE_SERIALIZABLE, strcmp(get.consistency, "s") == 0);
	kv_varint(req, RANGE_KEYS_ONLY, get.keys_only);
}

/* Go's strconv.ParseInt(s, 16, 64), for --lease. 0, or -1 with why. */
static int
kv_parse_hex(const char *s, int64_t *v, const char **why)
{
	const char *p = s;
	bool neg = false;
	uint64_t u = 0, lim;

	*why = "invalid syntax";
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (*p == '\0')
		return -1;
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; *p != '\0'; p++) {
		unsigned d;

		if (*p >= '0' && *p <= '9')
			d = (unsigned)(*p - '0');
		else if (*p >= 'a' && *p <= 'f')
			d = (unsigned)(*p - 'a') + 10;
		else if (*p >= 'A' && *p <= 'F')
			d = (unsigned)(*p - 'A') + 10;
		else
			return -1;
		if (u > (lim - d) / 16) {
			*why = "value out of range";
			for (p++; *p != '\0'; p++)
				if (strchr("0123456789abcdefABCDEF", *p) == NULL) {
					*why = "invalid syntax";
					break;
				}
			return -1;
		}
		u = u * 16 + d;
	}
	*v = neg ? (int64_t)(0 - u) : (int64_t)u;
	return 0;
}

/* etcdctl's argOrStdin: all of standard input; NULL when empty. */
static char *
kv_read_stdin(size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = xmalloc(cap);
	ssize_t got;

	while ((got = read(STDIN_FILENO, buf + n, cap - n)) != 0) {
		if (got < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		n += (size_t)got;
		if (n == cap) {
			if (cap >= KV_STDIN_BYTES_MAX)
				ctl_fail(CTL_EXIT_BAD_ARGS, "standard input beyond %u bytes",
				    KV_STDIN_BYTES_MAX);
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
	}
	if (n == 0) {
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

void
kv_put_request(int argc, char **argv, struct pbout *req)
{
	int64_t lease;
	const char *why;

	if (argc == 0)
		ctl_fail(CTL_EXIT_BAD_ARGS, "put command needs 1 argument and input from stdin or "
		    "2 arguments");
	if (put.ignore_value && argc > 1)
		ctl_fail(CTL_EXIT_BAD_ARGS, "put command needs only 1 argument when 'ignore-value' "
		    "is set");
	pbout_bytes(req, PUT_KEY, argv[0], strlen(argv[0]));
	if (!put.ignore_value) {
		if (argc > 1) {
			pbout_bytes(req, PUT_VALUE, argv[1], strlen(argv[1]));
		} else {
			size_t n;
			char *v = kv_read_stdin(&n);

			if (v == NULL)
				ctl_fail(CTL_EXIT_BAD_ARGS, "put command needs 1 argument and input "
				    "from stdin or 2 arguments");
			pbout_bytes(req, PUT_VALUE, v, n);
			free(v);
		}
	}
	if (kv_parse_hex(put.lease, &lease, &why) != 0)
		ctl_fail(CTL_EXIT_BAD_ARGS, "bad lease ID (strconv.ParseInt: parsing \"%s\": %s), "
		    "expecting ID in Hex", put.lease, why);
	kv_varint(req, PUT_LEASE, (uint64_t)lease);
	kv_varint(req, PUT_PREV_KV, put.prev_kv);
	kv_varint(req, PUT_IGNORE_VALUE, put.ignore_value);
	kv_varint(req, PUT_IGNORE_LEASE, put.ignore_lease);
}

void
kv_del_request(int argc, char **argv, struct pbout *req)
{
	if (argc == 0 || argc > 2)
		ctl_fail(CTL_EXIT_BAD_ARGS, "del command needs one argument as key and an optional "
		    "argument as range_end");
	if (del.prefix && del.from_key)
		ctl_fail(CTL_EXIT_BAD_ARGS, "`--prefix` and `--from-key` cannot be set at the same "
		    "time, choose one");
	if (argc > 1 && (del.prefix || del.from_key))
		ctl_fail(CTL_EXIT_BAD_ARGS, "too many arguments, only accept one argument when "
		    "`--prefix` or `--from-key` is set");
	kv_key_range(req, DEL_KEY, DEL_END, argc, argv, del.prefix, del.from_key);
	kv_varint(req, DEL_PREV_KV, del.prev_kv);
}

int
kv_get_run(int argc, char **argv)
{
	struct pbout req = { 0 };
	struct gc_result r;
	enum ctl_format f;

	kv_get_request(argc, argv, &req);
	client_open();
	f = global_format();
	client_call("/etcdserverpb.KV/Range", &req, CTL_RETRY_UNAVAILABLE, &r);
	pbout_close(&req);
	if (get.value_only && f != CTL_OUT_SIMPLE)
		ctl_fail(CTL_EXIT_BAD_ARGS, "print-value-only is only for `--write-out=simple`");
	print_range(f, pbv_of(r.msg, r.len), get.value_only);
	client_close();
	return CTL_EXIT_SUCCESS;
}

int
kv_put_run(int argc, char **argv)
{
	struct pbout req = { 0 };
	struct gc_result r;

	kv_put_request(argc, argv, &req);
	client_open();
	client_call("/etcdserverpb.KV/Put", &req, CTL_RETRY_NEVER, &r);
	pbout_close(&req);
	print_put(global_format(), pbv_of(r.msg, r.len));
	client_close();
	return CTL_EXIT_SUCCESS;
}

int
kv_del_run(int argc, char **argv)
{
	struct pbout req = { 0 };
	struct gc_result r;

	kv_del_request(argc, argv, &req);
	client_open();
	client_call("/etcdserverpb.KV/DeleteRange", &req, CTL_RETRY_NEVER, &r);
	pbout_close(&req);
	print_del(global_format(), pbv_of(r.msg, r.len));
	client_close();
	return CTL_EXIT_SUCCESS;
}
