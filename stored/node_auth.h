/*
 * stored: the password check of an Authenticate, for netd
 * (IPC_STORED_AUTH_CHECK), as etcd's API layer makes it before it
 * proposes the authentication: the hashes stay in stored.
 */
#ifndef CAIRN_STORED_NODE_AUTH_H
#define CAIRN_STORED_NODE_AUTH_H

#include "stored/node.h"

/* Answers call 'id' with code 0, CAIRN_EAUTHNOTENABLED or
 * CAIRN_EAUTHFAILED. Known cost: one bcrypt (about 50 ms at etcd's
 * default cost) on stored's loop. */
int stored_auth_check(struct stored_node *n, uint64_t id, const cairn_ipc_AuthCheck *in);

#endif
