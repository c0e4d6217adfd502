/*
 * cairnctl: the small commands: compaction (etcdctl's
 * compaction_command.go) and version.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "ctl/commands.h"
#include "ctl/print.h"

static bool compact_physical;

struct ctl_flag compaction_flags[] = {
	{ "physical", 0, CTL_FLAG_BOOL, "false",
	  "'true' to wait for compaction to physically remove all old revisions",
	  &compact_physical, false },
	{ 0 },
};

int
compaction_run(int argc, char **argv)
{
	struct pbout req = { 0 };
	struct gc_result r;
	long long rev;
	char *end;

	if (argc != 1)
		ctl_fail(CTL_EXIT_BAD_ARGS, "compaction command needs 1 argument");
	errno = 0;
	rev = strtoll(argv[0], &end, 10);
	if (argv[0][0] == '\0' || *end != '\0' || argv[0][0] == ' ' || argv[0][0] == '\t')
		ctl_fail(CTL_EXIT_ERROR, "strconv.ParseInt: parsing \"%s\": invalid syntax", argv[0]);
	if (errno == ERANGE)
		ctl_fail(CTL_EXIT_ERROR, "strconv.ParseInt: parsing \"%s\": value out of range",
		    argv[0]);
	client_open();
	if (rev != 0)
		pbout_varint(&req, 1, (uint64_t)rev);
	if (compact_physical)
		pbout_varint(&req, 2, 1);
	client_call("/etcdserverpb.KV/Compact", &req, CTL_RETRY_NEVER, &r);
	pbout_close(&req);
	printf("compacted revision %lld\n", rev);
	client_close();
	return CTL_EXIT_SUCCESS;
}

int
version_run(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	/* etcdctl's own words: scripts read them. */
	printf("etcdctl version: %s\nAPI version: %s\n", CTL_VERSION, CTL_API_VERSION);
	return CTL_EXIT_SUCCESS;
}
