/*
 * supervisor: etcd's bootstrap checks on a parsed membership, shared by
 * members.c (parsing, IDs) and members_verify.c (the checks' messages).
 */
#ifndef CAIRN_SUPERVISOR_MEMBERS_PRIV_H
#define CAIRN_SUPERVISOR_MEMBERS_PRIV_H

#include <stddef.h>

#include "supervisor/members.h"

/*
 * etcd's advertiseMatchesCluster: 'adv' (--initial-advertise-peer-urls)
 * must list the same URLs as 'self' (its entries in --initial-cluster).
 * Both have sorted URLs; 'adv' carries self's name. Returns 0, or
 * CAIRN_EINVAL with etcd's message in err[errlen]. Where etcd lists
 * several missing URLs in Go map order, this lists them sorted.
 */
int members_verify_advertise(const struct member *self,
    const struct member *adv, char *err, size_t errlen);

/*
 * etcd's checkDuplicateURL: no peer URL may appear twice in the initial
 * cluster, within one member or across members. Each member's URLs are
 * sorted. Returns 0, or
 * CAIRN_EINVAL with etcd's message in err[errlen].
 */
int members_verify_unique_urls(const struct members *ms, char *err,
    size_t errlen);

#endif
