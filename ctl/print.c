/*
 * cairnctl: the formats every answer shares: json (Go's encoding/json of
 * the response message, ctl/pb_gojson.c) and protobuf (its bytes), and
 * the error for a format a command does not print.
 */
#include <stdio.h>
#include <stdlib.h>

#include "ctl/pb_gojson.h"
#include "ctl/print.h"
#include "netd/gw_schema.h"
#include "shared/assert.h"

void
print_unsupported(enum ctl_format f)
{
	static const char *const names[] = { "simple", "fields", "json", "protobuf", "table" };

	ctl_fail(CTL_EXIT_BAD_FEATURE, "%s not supported as output format", names[f]);
}

void
print_rpc(enum ctl_format f, const char *msg, struct pbv r)
{
	const struct pbs_message *m = pbs_message_find(&pbs_etcd, msg);

	CAIRN_ASSERT(m != NULL);
	switch (f) {
	case CTL_OUT_JSON:
		if (pb_gojson_write(stdout, &pbs_etcd, m, r.p, r.n) != 0)
			ctl_fail(CTL_EXIT_ERROR, "malformed %s from the server", msg);
		fputc('\n', stdout);
		return;
	case CTL_OUT_PROTOBUF:
		if (r.n > 0)
			fwrite(r.p, 1, r.n, stdout);
		return;
	default:
		print_unsupported(f);
	}
}

void
print_fields_header(struct pbv hdr)
{
	printf("\"ClusterID\" : %llu\n", (unsigned long long)pbv_varint(hdr, 1));
	printf("\"MemberID\" : %llu\n", (unsigned long long)pbv_varint(hdr, 2));
	printf("\"Revision\" : %lld\n", (long long)pbv_varint(hdr, 3));
	printf("\"RaftTerm\" : %llu\n", (unsigned long long)pbv_varint(hdr, 4));
}
