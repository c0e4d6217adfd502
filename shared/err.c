/*
 * All processes: lookups into the CAIRN_ERRORS table of err.h.
 */
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
