/*
 * cairnctl: the KV answers (Range, Put, DeleteRange, Txn) in etcdctl's
 * simple and fields formats, and json/protobuf through print_rpc.
 */
#include <stdio.h>

#include "ctl/goquote.h"
#include "ctl/print.h"

/* mvccpb.KeyValue and the responses' field numbers (rpc.proto, kv.proto). */
enum {
	KV_KEY = 1, KV_CREATE = 2, KV_MOD = 3, KV_VERSION = 4, KV_VALUE = 5, KV_LEASE = 6,
	RESP_HEADER = 1,
	RANGE_KVS = 2, RANGE_MORE = 3, RANGE_COUNT = 4,
	PUT_PREV_KV = 2,
	DEL_DELETED = 2, DEL_PREV_KVS = 3,
	TXN_SUCCEEDED = 2, TXN_RESPONSES = 3,
	OP_RANGE = 1, OP_PUT = 2, OP_DEL = 3, OP_TXN = 4,
};

/* etcdctl's --hex form: each byte as \xNN. */
static void
print_hex(struct pbv b)
{
	for (size_t i = 0; i < b.n; i++)
		printf("\\x%02x", b.p[i]);
}

/* Writes b's bytes (fwrite may not take the NULL of an empty field). */
static void
print_raw(struct pbv b)
{
	if (b.n > 0)
		fwrite(b.p, 1, b.n, stdout);
}

/* etcdctl's printKV. */
void
print_kv_simple(struct pbv kv, bool value_only)
{
	struct pbv k = pbv_bytes(kv, KV_KEY), v = pbv_bytes(kv, KV_VALUE);

	if (!value_only) {
		if (ctl_g.hex)
			print_hex(k);
		else
			print_raw(k);
		putchar('\n');
	}
	if (ctl_g.hex)
		print_hex(v);
	else
		print_raw(v);
	putchar('\n');
}

void
print_kv_fields(const char *pfx, struct pbv kv)
{
	struct pbv k = pbv_bytes(kv, KV_KEY), v = pbv_bytes(kv, KV_VALUE);

	printf("\"%sKey\" : ", pfx);
	goquote_write(stdout, k.p, k.n);
	printf("\n\"%sCreateRevision\" : %lld\n", pfx, (long long)pbv_varint(kv, KV_CREATE));
	printf("\"%sModRevision\" : %lld\n", pfx, (long long)pbv_varint(kv, KV_MOD));
	printf("\"%sVersion\" : %lld\n", pfx, (long long)pbv_varint(kv, KV_VERSION));
	printf("\"%sValue\" : ", pfx);
	goquote_write(stdout, v.p, v.n);
	printf("\n\"%sLease\" : %lld\n", pfx, (long long)pbv_varint(kv, KV_LEASE));
}

static void
print_range_as(enum ctl_format f, struct pbv r, bool value_only)
{
	struct pbv kv;
	size_t off = 0;

	if (f == CTL_OUT_FIELDS)
		print_fields_header(pbv_bytes(r, RESP_HEADER));
	while (pbv_next(r, RANGE_KVS, &off, &kv)) {
		if (f == CTL_OUT_FIELDS)
			print_kv_fields("", kv);
		else
			print_kv_simple(kv, value_only);
	}
	if (f == CTL_OUT_FIELDS) {
		printf("\"More\" : %s\n", pbv_varint(r, RANGE_MORE) != 0 ? "true" : "false");
		printf("\"Count\" : %lld\n", (long long)pbv_varint(r, RANGE_COUNT));
	}
}

static void
print_put_as(enum ctl_format f, struct pbv r)
{
	struct pbv prev = pbv_bytes(r, PUT_PREV_KV);

	if (f == CTL_OUT_FIELDS) {
		print_fields_header(pbv_bytes(r, RESP_HEADER));
		if (prev.present)
			print_kv_fields("Prev", prev);
		return;
	}
	puts("OK");
	if (prev.present)
		print_kv_simple(prev, false);
}

static void
print_del_as(enum ctl_format f, struct pbv r)
{
	struct pbv kv;
	size_t off = 0;

	if (f == CTL_OUT_FIELDS) {
		print_fields_header(pbv_bytes(r, RESP_HEADER));
		printf("\"Deleted\" : %lld\n", (long long)pbv_varint(r, DEL_DELETED));
	} else {
		printf("%lld\n", (long long)pbv_varint(r, DEL_DELETED));
	}
	while (pbv_next(r, DEL_PREV_KVS, &off, &kv)) {
		if (f == CTL_OUT_FIELDS)
			print_kv_fields("Prev", kv);
		else
			print_kv_simple(kv, false);
	}
}

void
print_range(enum ctl_format f, struct pbv r, bool value_only)
{
	if (f == CTL_OUT_SIMPLE || f == CTL_OUT_FIELDS)
		print_range_as(f, r, value_only);
	else
		print_rpc(f, "etcdserverpb.RangeResponse", r);
}

void
print_put(enum ctl_format f, struct pbv r)
{
	if (f == CTL_OUT_SIMPLE || f == CTL_OUT_FIELDS)
		print_put_as(f, r);
	else
		print_rpc(f, "etcdserverpb.PutResponse", r);
}

void
print_del(enum ctl_format f, struct pbv r)
{
	if (f == CTL_OUT_SIMPLE || f == CTL_OUT_FIELDS)
		print_del_as(f, r);
	else
		print_rpc(f, "etcdserverpb.DeleteRangeResponse", r);
}

void
print_txn(enum ctl_format f, struct pbv r)
{
	struct pbv op;
	size_t off = 0;
	bool ok = pbv_varint(r, TXN_SUCCEEDED) != 0;

	if (f != CTL_OUT_SIMPLE && f != CTL_OUT_FIELDS) {
		print_rpc(f, "etcdserverpb.TxnResponse", r);
		return;
	}
	if (f == CTL_OUT_FIELDS) {
		print_fields_header(pbv_bytes(r, RESP_HEADER));
		printf("\"Succeeded\" : %s\n", ok ? "true" : "false");
	} else {
		puts(ok ? "SUCCESS" : "FAILURE");
	}
	while (pbv_next(r, TXN_RESPONSES, &off, &op)) {
		struct pbv in;

		if (f == CTL_OUT_SIMPLE)
			putchar('\n');
		if ((in = pbv_bytes(op, OP_DEL)).present)
			print_del_as(f, in);
		else if ((in = pbv_bytes(op, OP_PUT)).present)
			print_put_as(f, in);
		else if ((in = pbv_bytes(op, OP_RANGE)).present)
			print_range_as(f, in, false);
		else if (f == CTL_OUT_SIMPLE)
			printf("unexpected response %s\n", "(a nested txn)");
		else
			printf("\"Unknown\" : \"(a nested txn)\"\n");
	}
}
