/*
 * All processes: lookups into the CAIRN_ERRORS table of err.h.
 */
#include <stdio.h>
#include "shared/err.h"

struct err_row {
	const char *name;
	const char *msg;
	enum grpc_status grpc;
};

static const struct err_row err_rows[] = {
#define CAIRN_ERR_ROW(code, m, g) [code - CAIRN_ERR_FIRST_ - 1] = {#code, m, g},
	CAIRN_ERRORS(CAIRN_ERR_ROW)
#undef CAIRN_ERR_ROW
};

static const struct err_row *
err_row(int err)
{
	if (err <= CAIRN_ERR_FIRST_ || err >= CAIRN_ERR_LAST_)
		return 0;
	return &err_rows[err - CAIRN_ERR_FIRST_ - 1];
}

const char *
err_str(int err)
{
	const struct err_row *r = err_row(err);

	if (err == CAIRN_OK)
		return "ok";
	return r ? r->msg : "unknown error";
}

enum grpc_status
err_grpc_status(int err)
{
	const struct err_row *r = err_row(err);

	if (err == CAIRN_OK)
		return GRPC_OK;
	return r ? r->grpc : GRPC_UNKNOWN;
}

const char *
err_name(int err)
{
	const struct err_row *r = err_row(err);

	if (err == CAIRN_OK)
		return "CAIRN_OK";
	return r ? r->name : "CAIRN_E?";
}

void
err_grpc_text(int err, char *buf, size_t cap)
{
	/* grpc-go's codes.Code.String(). */
	static const char *const names[] = {"OK", "Canceled", "Unknown", "InvalidArgument",
	    "DeadlineExceeded", "NotFound", "AlreadyExists", "PermissionDenied",
	    "ResourceExhausted", "FailedPrecondition", "Aborted", "OutOfRange", "Unimplemented",
	    "Internal", "Unavailable", "DataLoss", "Unauthenticated"};
	enum grpc_status g = err_grpc_status(err);

	snprintf(buf, cap, "rpc error: code = %s desc = %s",
	    (size_t)g < sizeof(names) / sizeof(names[0]) ? names[g] : "Unknown", err_str(err));
}
