/*
 * cairnctl: watch's answers as etcdctl's printers print a
 * clientv3.WatchResponse: its events (simple, fields), Go's
 * encoding/json of the struct (json), and the pb.WatchResponse
 * etcdctl's protobuf printer builds of it.
 */
#include <inttypes.h>
#include <stdio.h>

#include "ctl/pb_gojson.h"
#include "ctl/print.h"
#include "ctl/watcher.h"
#include "netd/gw_schema.h"
#include "shared/assert.h"

/* ResponseHeader's fields (rpc.proto). */
static const uint32_t print_watch_hdr_fields[] = { 1, 2, 3, 4 };

/* mvccpb.Event_EventType's String(). */
static void
print_watch_type(struct pbv ev)
{
	uint64_t t = pbv_varint(ev, WATCHER_EV_TYPE);

	if (t == WATCHER_EV_PUT)
		puts("PUT");
	else if (t == WATCHER_EV_DELETE)
		puts("DELETE");
	else
		printf("%" PRId32 "\n", (int32_t)t);
}

static void
print_watch_events(enum ctl_format f, struct pbv msg)
{
	struct pbv ev;
	size_t off = 0;

	while (pbv_next(msg, WATCHER_RESP_EVENTS, &off, &ev)) {
		struct pbv prev = pbv_bytes(ev, WATCHER_EV_PREV_KV);

		if (f == CTL_OUT_FIELDS)
			fputs("\"Type\" : ", stdout);
		print_watch_type(ev);
		if (f == CTL_OUT_FIELDS) {
			if (prev.present)
				print_kv_fields("Prev", prev);
			print_kv_fields("", pbv_bytes(ev, WATCHER_EV_KV));
		} else {
			if (prev.present)
				print_kv_simple(prev, false);
			print_kv_simple(pbv_bytes(ev, WATCHER_EV_KV), false);
		}
	}
}

static void
print_watch_gojson(const char *msg, struct pbv v)
{
	const struct pbs_message *m = pbs_message_find(&pbs_etcd, msg);

	CAIRN_ASSERT(m != NULL);
	if (pb_gojson_write(stdout, &pbs_etcd, m, v.p, v.n) != 0)
		ctl_fail(CTL_EXIT_ERROR, "malformed %s from the server", msg);
}

/* Go's encoding/json of clientv3.WatchResponse (closeErr and
 * cancelReason are not exported). */
static void
print_watch_json(const struct watcher_resp *r)
{
	struct pbv ev;
	size_t off = 0;
	bool first = true;

	fputs("{\"Header\":", stdout);
	print_watch_gojson("etcdserverpb.ResponseHeader", pbv_bytes(r->msg, WATCHER_RESP_HEADER));
	fputs(",\"Events\":", stdout);
	if (r->synthetic) {
		fputs("null", stdout);
	} else {
		putchar('[');
		while (pbv_next(r->msg, WATCHER_RESP_EVENTS, &off, &ev)) {
			if (!first)
				putchar(',');
			first = false;
			print_watch_gojson("mvccpb.Event", ev);
		}
		putchar(']');
	}
	printf(",\"CompactRevision\":%" PRId64 ",\"Canceled\":%s,\"Created\":%s}\n",
	    r->compact_revision, r->canceled ? "true" : "false", r->created ? "true" : "false");
}

/* pb.WatchResponse{Header: &r.Header, Events, CompactRevision,
 * Canceled, Created}, marshalled. */
static void
print_watch_pb(const struct watcher_resp *r)
{
	struct pbv hdr = pbv_bytes(r->msg, WATCHER_RESP_HEADER), ev;
	struct pbout out = { 0 }, h = { 0 };
	size_t off = 0;

	for (size_t i = 0; i < 4; i++) {
		uint64_t v = pbv_varint(hdr, print_watch_hdr_fields[i]);

		if (v != 0)
			pbout_varint(&h, print_watch_hdr_fields[i], v);
	}
	pbout_msg(&out, WATCHER_RESP_HEADER, &h);
	if (r->created)
		pbout_varint(&out, WATCHER_RESP_CREATED, 1);
	if (r->canceled)
		pbout_varint(&out, WATCHER_RESP_CANCELED, 1);
	if (r->compact_revision != 0)
		pbout_varint(&out, WATCHER_RESP_COMPACT, (uint64_t)r->compact_revision);
	while (pbv_next(r->msg, WATCHER_RESP_EVENTS, &off, &ev))
		pbout_bytes(&out, WATCHER_RESP_EVENTS, ev.p, ev.n);
	fwrite(out.buf, 1, out.len, stdout);
	pbout_close(&out);
	pbout_close(&h);
}

void
print_watch(enum ctl_format f, const struct watcher_resp *r)
{
	switch (f) {
	case CTL_OUT_SIMPLE:
		print_watch_events(f, r->msg);
		return;
	case CTL_OUT_FIELDS:
		print_fields_header(pbv_bytes(r->msg, WATCHER_RESP_HEADER));
		print_watch_events(f, r->msg);
		return;
	case CTL_OUT_JSON:
		print_watch_json(r);
		return;
	case CTL_OUT_PROTOBUF:
		print_watch_pb(r);
		return;
	default:
		print_unsupported(f);
	}
}
