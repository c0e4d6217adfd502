/*
 * supervisor and netd: etcd's member IDs (membership.NewMember): the
 * first 8 bytes, big-endian, of the SHA-1 of the peer URLs sorted and
 * joined with nothing, then the cluster token, then, for a member added
 * by MemberAdd, the Unix time in seconds as decimal text. Members whose
 * flags agree get the same IDs everywhere.
 */
#ifndef CAIRN_SHARED_MEMBER_ID_H
#define CAIRN_SHARED_MEMBER_ID_H

#include <stddef.h>
#include <stdint.h>

/* urls[0..n) as etcd keeps them (Go's URL text), sorted as Go's
 * sort.Strings sorts (byte order: both callers keep them so); 'token' the
 * cluster token ("" for MemberAdd's); 'stamp' the decimal time, or NULL
 * for a bootstrap member. */
uint64_t member_id_make(const char *const *urls, size_t n, const char *token,
    const char *stamp);

/* etcd's cluster ID (genID): the same hash of the ascending member IDs,
 * 8 bytes big-endian each. */
uint64_t member_id_cluster(const uint64_t *ids, size_t n);

#endif
