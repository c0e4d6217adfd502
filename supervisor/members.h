/*
 * supervisor: the bootstrap membership etcd 3.4 derives from its flags:
 * the members of --initial-cluster with their peer URLs, member IDs and
 * cluster ID, and which member this one (--name) is; with etcd's checks
 * and its messages.
 */
#ifndef CAIRN_SUPERVISOR_MEMBERS_H
#define CAIRN_SUPERVISOR_MEMBERS_H

#include <stddef.h>
#include <stdint.h>

#include "raftd/raft_types.h"
#include "supervisor/config.h"

/* Bounds: a name as --name allows, and peer URLs as etcd stores them
 * (Go's url.URL.String()), NUL included. */
#define MEMBER_NAME_BYTES_MAX CONFIG_NAME_BYTES_MAX
#define MEMBER_URLS_MAX 8
#define MEMBER_URL_BYTES_MAX 256

struct member {
	char name[MEMBER_NAME_BYTES_MAX];
	/* Peer URLs as etcd stores them, sorted as strings; a URL given
	 * twice is listed twice, as in etcd (then the checks refuse it). */
	char urls[MEMBER_URLS_MAX][MEMBER_URL_BYTES_MAX];
	size_t urls_len;
	uint64_t id; /* etcd membership.NewMember: SHA-1 of URLs and token */
};

struct members {
	struct member m[RAFT_MEMBERS_MAX]; /* by ascending id, as etcd lists them */
	size_t n;
	uint64_t cluster_id; /* etcd RaftCluster.genID: SHA-1 of the sorted ids */
	size_t self;         /* the index in m of --name */
};

/*
 * Computes the membership a new member bootstraps with, from
 * --initial-cluster, --initial-cluster-token, --name and
 * --initial-advertise-peer-urls, as etcd 3.4's NewServer does for a data
 * dir without a WAL (etcd ignores these flags once a WAL exists, and with
 * --initial-cluster-state=existing it takes the IDs from the running
 * cluster instead; the advertised URLs are then not compared).
 * Precondition: 'cfg' was filled by a successful config_parse, so every
 * URL already passed etcd's types.NewURLs checks.
 * Unlike etcd, which resolves host names through DNS when the advertised
 * URLs differ from --initial-cluster's as text, cairn compares the text
 * only: exact for "localhost" and IP addresses, which etcd never resolves.
 * 'cfg' is borrowed. Returns 0 with *out filled, or CAIRN_EINVAL with one
 * line in err[errlen] (etcd's text where etcd has one); *out is then
 * unspecified.
 */
int members_from_config(const struct config *cfg, struct members *out,
    char *err, size_t errlen);

/*
 * etcd's ValidateClusterAndAssignIDs, for a member that joins a running
 * cluster (--initial-cluster-state existing): 'remote' is the cluster's
 * membership as one of its members told it (IDs, names, peer URLs sorted
 * as etcd stores them), 'cluster_id' its ID. Every remote member must
 * have its peer URLs in 'local' (from --initial-cluster, as
 * members_from_config made it), one for one; the local members then take
 * the remote IDs (sorted by them, 'self' following) and the cluster's ID.
 * Peer URLs compare as text (etcd resolves host names first; cairn's are
 * addresses or localhost). Returns 0, or CAIRN_EINVAL with etcd's error
 * in err[errlen] ("error validating peerURLs ...: member count is
 * unequal" or "...: PeerURLs: no match found for existing member ...").
 */
int members_join_assign(struct members *local, const struct member *remote, size_t nremote,
    uint64_t cluster_id, char *err, size_t errlen);

/* Sorts m's peer URLs as etcd stores them (as strings). */
void members_sort_urls(struct member *m);

/* The URLs of a list flag (--flag, named in errors) as etcd holds them:
 * types.NewURLs of 'val' ('dflt' when empty) split at each ',', each as
 * Go writes it back, sorted, repeats kept; into out->urls (its name is
 * left alone). 0, or CAIRN_EINVAL with one line in err[errlen]. */
int members_parse_urls(const char *flag, const char *val, const char *dflt, struct member *out,
    char *err, size_t errlen);

#endif
