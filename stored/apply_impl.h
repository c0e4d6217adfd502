/*
 * stored: what the applier's files share (apply.h is the outside view).
 */
#ifndef CAIRN_STORED_APPLY_IMPL_H
#define CAIRN_STORED_APPLY_IMPL_H

#include "stored/apply.h"

/* A request's place: top level (a full header), or inside a txn at
 * depth >= 1 (a header with the revision alone). */
struct apply_at {
	struct mvcc_wtxn *w;         /* NULL: a read outside any write */
	unsigned depth;
};

/* The revision a response reports: the write's, once it changed
 * something, else the store's. */
int64_t apply_rev(const struct apply *a, const struct mvcc_wtxn *w);

int apply_range(struct apply *a, struct apply_at at, const struct req_range *r,
    struct spb *out);
int apply_put(struct apply *a, struct apply_at at, const struct req_put *r, struct spb *out);
int apply_delete(struct apply *a, struct apply_at at, const struct req_delete *r,
    struct spb *out);
int apply_txn(struct apply *a, struct apply_at at, const struct req_txn *t, struct spb *out);

/* etcd's checks before a put writes anything: CAIRN_EKEYNOTFOUND for
 * ignore_value or ignore_lease on a missing key, CAIRN_ELEASENOTFOUND. */
int apply_check_put(struct apply *a, struct mvcc_wtxn *w, const struct req_put *r);
/* ... and before a range reads: CAIRN_EFUTUREREV, CAIRN_ECOMPACTED. */
int apply_check_range(struct apply *a, struct mvcc_wtxn *w, const struct req_range *r);

/* etcd's authApplierV3 checks of r by its user (0 while auth is
 * disabled): admin rights, or read and write permissions on its keys. */
int apply_auth_check(struct apply *a, DB_TXN *txn, const struct req *r);
/* An auth request (REQ_AUTH_ENABLE to REQ_ROLE_REVOKE), its response into
 * out: the entry (index, term) gives a simple token its index and a
 * password hashed here its salt. */
int apply_auth(struct apply *a, struct mvcc_wtxn *w, const struct req *r, uint64_t index,
    uint64_t term, struct spb *out);

/* A member's published attributes (REQ_MEMBER_ATTR; apply_member.c). */
int apply_member_attr(struct apply *a, struct mvcc_wtxn *w, const struct req *r);

struct apply_kvs *apply_kvs_new(void);
void apply_kvs_free(struct apply_kvs *k);

#endif
