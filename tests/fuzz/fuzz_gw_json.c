/*
 * Fuzz target: the JSON gateway's conversions (netd/gw_json_in.c,
 * netd/gw_json_out.c), which read a client's JSON body and turn stored's
 * protobuf into JSON. The first byte picks one of etcd's messages; the
 * rest is read both ways:
 * - as a JSON body: when it decodes, the protobuf made must turn back into
 *   JSON, and that JSON must decode into the very same protobuf;
 * - as protobuf: when it converts, the JSON must decode, and go through
 *   the round trip above (not back to the same JSON: invalid UTF-8 comes
 *   back as U+FFFD, written as is the second time, as Go writes it); when
 *   it does not, nothing is written.
 */
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "netd/gw_json.h"
#include "netd/gw_schema.h"
#include "shared/assert.h"
#include "tests/fuzz/fuzz.h"

/* JSON of a protobuf that must convert; *len set; the caller frees. */
static char *
must_json(const struct pbs_message *m, const uint8_t *pb, size_t pb_len, size_t *len)
{
	struct evbuffer *b = evbuffer_new();
	char *s;

	CAIRN_ASSERT(b != NULL);
	CAIRN_ASSERT(gwj_to_json(&pbs_etcd, m, pb, pb_len, b) == 0);
	*len = evbuffer_get_length(b);
	s = malloc(*len + 1);
	CAIRN_ASSERT(s != NULL);
	evbuffer_remove(b, s, *len);
	s[*len] = '\0';
	evbuffer_free(b);
	return s;
}

/* The protobuf of JSON that must decode whole; the caller frees. */
static uint8_t *
must_pb(const struct pbs_message *m, const char *json, size_t len, size_t *pb_len)
{
	char err[GWJ_ERR_BYTES];
	uint8_t *pb;
	size_t used;

	CAIRN_ASSERT(gwj_from_json(&pbs_etcd, m, json, len, &pb, pb_len, &used, err,
	    sizeof(err)) == 0);
	CAIRN_ASSERT(used <= len);
	return pb;
}

static void
from_json(const struct pbs_message *m, const uint8_t *data, size_t size)
{
	char err[GWJ_ERR_BYTES], *json;
	uint8_t *pb, *again;
	size_t pb_len, used, json_len, again_len;

	if (gwj_from_json(&pbs_etcd, m, (const char *)data, size, &pb, &pb_len, &used, err,
	    sizeof(err)) != 0) {
		CAIRN_ASSERT(pb == NULL && pb_len == 0 && memchr(err, '\0', sizeof(err)) != NULL);
		return;
	}
	CAIRN_ASSERT(pb != NULL && used <= size);
	json = must_json(m, pb, pb_len, &json_len);
	again = must_pb(m, json, json_len, &again_len);
	CAIRN_ASSERT(again_len == pb_len && memcmp(again, pb, pb_len) == 0);
	free(again);
	free(json);
	free(pb);
}

static void
to_json(const struct pbs_message *m, const uint8_t *data, size_t size)
{
	struct evbuffer *b = evbuffer_new();
	char *json;
	size_t json_len, pb_len;

	CAIRN_ASSERT(b != NULL);
	if (gwj_to_json(&pbs_etcd, m, data, size, b) != 0) {
		CAIRN_ASSERT(evbuffer_get_length(b) == 0);
		evbuffer_free(b);
		return;
	}
	evbuffer_free(b);
	json = must_json(m, data, size, &json_len);
	free(must_pb(m, json, json_len, &pb_len));
	from_json(m, (const uint8_t *)json, json_len);
	free(json);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct pbs_message *m;

	if (size == 0)
		return 0;
	m = &pbs_etcd.messages[data[0] % pbs_etcd.nmessages];
	from_json(m, data + 1, size - 1);
	to_json(m, data + 1, size - 1);
	return 0;
}
