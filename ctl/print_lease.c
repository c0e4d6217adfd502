/*
 * cairnctl: the lease answers in etcdctl's formats. etcdctl prints
 * clientv3's wrapper structs rather than the responses: json is Go's
 * encoding/json of the wrapper (its embedded *pb.ResponseHeader
 * flattened), and protobuf marshals the embedded header alone.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <event2/buffer.h>
#include <mbedtls/base64.h>

#include "ctl/goquote.h"
#include "ctl/lease.h"
#include "ctl/print.h"
#include "netd/gw_json.h"
#include "shared/log.h"

/* ResponseHeader's fields (rpc.proto). */
enum { HDR_CLUSTER_ID = 1, HDR_MEMBER_ID = 2, HDR_REVISION = 3, HDR_RAFT_TERM = 4 };

/* Bytes of a key base64-encoded at a time. */
#define PRINT_LEASE_BASE64_CHUNK 3072
/* Room for a header in the proto text format: four 20-digit numbers and
 * their names. */
#define PRINT_LEASE_HEADER_TEXT_BYTES 256

/* Go's encoding/json of the fields of an embedded *pb.ResponseHeader
 * (json:"...,omitempty"; none when the pointer is nil), each followed by
 * a comma: the wrapper's own fields always come after. */
static void
plj_header(struct evbuffer *b, struct pbv r)
{
	struct pbv h = pbv_bytes(r, LEASE_RESP_HEADER);
	uint64_t v;

	if (!h.present)
		return;
	if ((v = pbv_varint(h, HDR_CLUSTER_ID)) != 0)
		evbuffer_add_printf(b, "\"cluster_id\":%" PRIu64 ",", v);
	if ((v = pbv_varint(h, HDR_MEMBER_ID)) != 0)
		evbuffer_add_printf(b, "\"member_id\":%" PRIu64 ",", v);
	if ((v = pbv_varint(h, HDR_REVISION)) != 0)
		evbuffer_add_printf(b, "\"revision\":%" PRId64 ",", (int64_t)v);
	if ((v = pbv_varint(h, HDR_RAFT_TERM)) != 0)
		evbuffer_add_printf(b, "\"raft_term\":%" PRIu64 ",", v);
}

/* A []byte as encoding/json writes it: padded base64 in quotes. */
static void
plj_base64(struct evbuffer *b, struct pbv k)
{
	unsigned char text[PRINT_LEASE_BASE64_CHUNK / 3 * 4 + 1];
	size_t chunk, used;

	evbuffer_add(b, "\"", 1);
	for (size_t i = 0; i < k.n; i += chunk) {
		chunk = k.n - i < PRINT_LEASE_BASE64_CHUNK ? k.n - i : PRINT_LEASE_BASE64_CHUNK;
		if (mbedtls_base64_encode(text, sizeof(text), &used, k.p + i, chunk) != 0)
			fatalx("mbedtls_base64_encode");
		evbuffer_add(b, text, used);
	}
	evbuffer_add(b, "\"", 1);
}

/* Ends the json line in b and writes it to stdout. Frees b. */
static void
plj_flush(struct evbuffer *b)
{
	size_t n;

	evbuffer_add(b, "}\n", 2);
	n = evbuffer_get_length(b);
	fwrite(evbuffer_pullup(b, (ssize_t)n), 1, n, stdout);
	evbuffer_free(b);
}

static struct evbuffer *
plj_begin(void)
{
	struct evbuffer *b = evbuffer_new();

	if (b == NULL)
		fatalx("evbuffer_new");
	evbuffer_add(b, "{", 1);
	return b;
}

/* The protobuf form: (*pb.ResponseHeader).Marshal() of the embedded
 * header, promoted to the wrapper (nothing for a missing one). */
static void
plp_header(struct pbv r)
{
	struct pbv h = pbv_bytes(r, LEASE_RESP_HEADER);
	struct pbout out = { 0 };

	if (!h.present)
		return;
	for (uint32_t field = HDR_CLUSTER_ID; field <= HDR_RAFT_TERM; field++) {
		uint64_t v = pbv_varint(h, field);

		if (v != 0)
			pbout_varint(&out, field, v);
	}
	if (out.len > 0)
		fwrite(out.buf, 1, out.len, stdout);
	pbout_close(&out);
}

void
lease_hex(char dst[LEASE_HEX_BYTES], int64_t id)
{
	if (id < 0)
		snprintf(dst, LEASE_HEX_BYTES, "-%015" PRIx64, (uint64_t)0 - (uint64_t)id);
	else
		snprintf(dst, LEASE_HEX_BYTES, "%016" PRIx64, (uint64_t)id);
}

void
print_lease_grant(enum ctl_format f, struct pbv r)
{
	int64_t id = (int64_t)pbv_varint(r, LEASE_GRANT_ID);
	int64_t ttl = (int64_t)pbv_varint(r, LEASE_GRANT_TTL);
	struct pbv err = pbv_bytes(r, LEASE_GRANT_ERROR);
	char hex[LEASE_HEX_BYTES];
	struct evbuffer *b;

	switch (f) {
	case CTL_OUT_SIMPLE:
		lease_hex(hex, id);
		printf("lease %s granted with TTL(%" PRId64 "s)\n", hex, ttl);
		return;
	case CTL_OUT_FIELDS:
		print_fields_header(pbv_bytes(r, LEASE_RESP_HEADER));
		printf("\"ID\" : %" PRId64 "\n\"TTL\" : %" PRId64 "\n", id, ttl);
		return;
	case CTL_OUT_JSON:
		b = plj_begin();
		plj_header(b, r);
		evbuffer_add_printf(b, "\"ID\":%" PRId64 ",\"TTL\":%" PRId64 ",\"Error\":", id, ttl);
		gwj_string(b, err.n > 0 ? (const char *)err.p : "", err.n);
		plj_flush(b);
		return;
	case CTL_OUT_PROTOBUF:
		plp_header(r);
		return;
	default:
		print_unsupported(f);
	}
}

/* (*pb.ResponseHeader).String(): the compact text format. */
static void
print_lease_header_text(char *dst, size_t cap, struct pbv h)
{
	static const char *const names[] = { "cluster_id", "member_id", "revision", "raft_term" };
	size_t n = 0;

	dst[0] = '\0';
	for (uint32_t field = HDR_CLUSTER_ID; field <= HDR_RAFT_TERM && n < cap; field++) {
		uint64_t v = pbv_varint(h, field);

		if (v == 0)
			continue;
		if (field == HDR_REVISION)
			n += (size_t)snprintf(dst + n, cap - n, "%s:%" PRId64 " ", names[field - 1],
			    (int64_t)v);
		else
			n += (size_t)snprintf(dst + n, cap - n, "%s:%" PRIu64 " ", names[field - 1], v);
	}
}

void
print_lease_revoke(enum ctl_format f, int64_t id, struct pbv r)
{
	struct pbv h = pbv_bytes(r, LEASE_RESP_HEADER);
	char hex[LEASE_HEX_BYTES], text[PRINT_LEASE_HEADER_TEXT_BYTES];

	switch (f) {
	case CTL_OUT_SIMPLE:
		lease_hex(hex, id);
		printf("lease %s revoked\n", hex);
		return;
	case CTL_OUT_FIELDS:
		print_fields_header(h);
		return;
	case CTL_OUT_JSON:
		print_rpc(f, "etcdserverpb.LeaseRevokeResponse", r);
		return;
	case CTL_OUT_PROTOBUF:
		/* clientv3.LeaseRevokeResponse is a defined type: it has none of
		 * the message's methods, so etcdctl cannot marshal it. */
		if (h.present)
			print_lease_header_text(text, sizeof(text), h);
		ctl_fail(CTL_EXIT_BAD_FEATURE, "marshal unsupported for type "
		    "clientv3.LeaseRevokeResponse ({%s})", h.present ? text : "<nil>");
	default:
		print_unsupported(f);
	}
}

/* TimeToLive in the simple format: attached keys as Go's %v of a
 * []string ("[a b]", the bytes as they are). */
static void
print_lease_ttl_simple(struct pbv r, bool keys)
{
	int64_t ttl = (int64_t)pbv_varint(r, LEASE_TTL_TTL);
	int64_t granted = (int64_t)pbv_varint(r, LEASE_TTL_GRANTED);
	char hex[LEASE_HEX_BYTES];
	struct pbv k;
	size_t off = 0;
	bool first = true;

	lease_hex(hex, (int64_t)pbv_varint(r, LEASE_TTL_ID));
	if (granted == 0 && ttl == -1) {
		printf("lease %s already expired\n", hex);
		return;
	}
	printf("lease %s granted with TTL(%" PRId64 "s), remaining(%" PRId64 "s)", hex, granted,
	    ttl);
	if (keys) {
		fputs(", attached keys([", stdout);
		while (pbv_next(r, LEASE_TTL_KEYS, &off, &k)) {
			if (!first)
				putchar(' ');
			first = false;
			if (k.n > 0)
				fwrite(k.p, 1, k.n, stdout);
		}
		fputs("])", stdout);
	}
	putchar('\n');
}

static void
print_lease_ttl_json(struct pbv r)
{
	struct evbuffer *b = plj_begin();
	struct pbv k;
	size_t off = 0;
	bool first = true;

	plj_header(b, r);
	evbuffer_add_printf(b, "\"id\":%" PRId64 ",\"ttl\":%" PRId64 ",\"granted-ttl\":%" PRId64
	    ",\"keys\":", (int64_t)pbv_varint(r, LEASE_TTL_ID),
	    (int64_t)pbv_varint(r, LEASE_TTL_TTL), (int64_t)pbv_varint(r, LEASE_TTL_GRANTED));
	/* A nil [][]byte is null. */
	if (pbv_count(r, LEASE_TTL_KEYS) == 0)
		evbuffer_add(b, "null", 4);
	else {
		evbuffer_add(b, "[", 1);
		while (pbv_next(r, LEASE_TTL_KEYS, &off, &k)) {
			if (!first)
				evbuffer_add(b, ",", 1);
			first = false;
			plj_base64(b, k);
		}
		evbuffer_add(b, "]", 1);
	}
	plj_flush(b);
}

void
print_lease_ttl(enum ctl_format f, struct pbv r, bool keys)
{
	struct pbv k;
	size_t off = 0;

	switch (f) {
	case CTL_OUT_SIMPLE:
		print_lease_ttl_simple(r, keys);
		return;
	case CTL_OUT_FIELDS:
		print_fields_header(pbv_bytes(r, LEASE_RESP_HEADER));
		printf("\"ID\" : %" PRId64 "\n\"TTL\" : %" PRId64 "\n\"GrantedTTL\" : %" PRId64 "\n",
		    (int64_t)pbv_varint(r, LEASE_TTL_ID), (int64_t)pbv_varint(r, LEASE_TTL_TTL),
		    (int64_t)pbv_varint(r, LEASE_TTL_GRANTED));
		while (pbv_next(r, LEASE_TTL_KEYS, &off, &k)) {
			fputs("\"Key\" : ", stdout);
			goquote_write(stdout, k.p, k.n);
			putchar('\n');
		}
		return;
	case CTL_OUT_JSON:
		print_lease_ttl_json(r);
		return;
	case CTL_OUT_PROTOBUF:
		plp_header(r);
		return;
	default:
		print_unsupported(f);
	}
}

void
print_lease_leases(enum ctl_format f, struct pbv r)
{
	char hex[LEASE_HEX_BYTES];
	struct evbuffer *b;
	struct pbv s;
	size_t off = 0;
	bool first = true;

	switch (f) {
	case CTL_OUT_SIMPLE:
		printf("found %zu leases\n", pbv_count(r, LEASE_LEASES_LEASES));
		while (pbv_next(r, LEASE_LEASES_LEASES, &off, &s)) {
			lease_hex(hex, (int64_t)pbv_varint(s, LEASE_STATUS_ID));
			printf("%s\n", hex);
		}
		return;
	case CTL_OUT_FIELDS:
		print_fields_header(pbv_bytes(r, LEASE_RESP_HEADER));
		while (pbv_next(r, LEASE_LEASES_LEASES, &off, &s))
			printf("\"ID\" : %" PRId64 "\n", (int64_t)pbv_varint(s, LEASE_STATUS_ID));
		return;
	case CTL_OUT_JSON:
		/* clientv3 makes the list with make(): [] when empty, not null. */
		b = plj_begin();
		plj_header(b, r);
		evbuffer_add(b, "\"leases\":[", 10);
		while (pbv_next(r, LEASE_LEASES_LEASES, &off, &s)) {
			evbuffer_add_printf(b, "%s{\"id\":%" PRId64 "}", first ? "" : ",",
			    (int64_t)pbv_varint(s, LEASE_STATUS_ID));
			first = false;
		}
		evbuffer_add(b, "]", 1);
		plj_flush(b);
		return;
	case CTL_OUT_PROTOBUF:
		plp_header(r);
		return;
	default:
		print_unsupported(f);
	}
}

void
print_lease_keepalive(enum ctl_format f, struct pbv r)
{
	int64_t id = (int64_t)pbv_varint(r, LEASE_KA_ID);
	int64_t ttl = (int64_t)pbv_varint(r, LEASE_KA_TTL);
	char hex[LEASE_HEX_BYTES];
	struct evbuffer *b;

	switch (f) {
	case CTL_OUT_SIMPLE:
		lease_hex(hex, id);
		printf("lease %s keepalived with TTL(%" PRId64 ")\n", hex, ttl);
		return;
	case CTL_OUT_FIELDS:
		print_fields_header(pbv_bytes(r, LEASE_RESP_HEADER));
		printf("\"ID\" : %" PRId64 "\n\"TTL\" : %" PRId64 "\n", id, ttl);
		return;
	case CTL_OUT_JSON:
		b = plj_begin();
		plj_header(b, r);
		evbuffer_add_printf(b, "\"ID\":%" PRId64 ",\"TTL\":%" PRId64, id, ttl);
		plj_flush(b);
		return;
	case CTL_OUT_PROTOBUF:
		plp_header(r);
		return;
	default:
		print_unsupported(f);
	}
}
