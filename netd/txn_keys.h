/*
 * netd: etcd's check that a txn does not write a key twice (v3rpc's
 * checkIntervals): within one branch, no key is put twice, and no key is
 * put that a delete of the same or an enclosing level covers; a nested
 * txn's two branches may put the same key (only one runs).
 */
#ifndef CAIRN_NETD_TXN_KEYS_H
#define CAIRN_NETD_TXN_KEYS_H

#include "shared/req.h"

/* 0, or CAIRN_EDUPKEY ("etcdserver: duplicate key given in txn
 * request"). Cost: quadratic in the operations of a branch, which the
 * request decoder bounds (REQ_TXN_OPS_MAX in all). */
int txn_keys_check(const struct req_txn *t);

#endif
