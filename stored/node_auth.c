/*
 * stored: an Authenticate's password check (see node_auth.h).
 */
#include "shared/err.h"
#include "shared/password.h"
#include "stored/node_apply.h"
#include "stored/node_auth.h"

int
stored_auth_check(struct stored_node *n, uint64_t id, const cairn_ipc_AuthCheck *in)
{
	struct req_bytes name = {.p = in->name.bytes, .n = in->name.size}, hash;
	int code = auth_user_hash(&n->apply.auth, NULL, name, &hash);

	if (code == 0 && !password_check(hash.p, hash.n, in->password.bytes, in->password.size))
		code = CAIRN_EAUTHFAILED;
	spb_reset(&n->resp);
	stored_answer(n, id, code, "a password check");
	return 0;
}
