/*
 * cairnctl: the endpoints a command asks one by one (etcdctl's
 * endpointsFromCluster), shared by endpoint health/status/hashkv
 * (ctl/cmd_endpoint.c) and defrag (ctl/cmd_maint.c).
 */
#ifndef CAIRN_CTL_ENDPOINT_H
#define CAIRN_CTL_ENDPOINT_H

#include <stdbool.h>
#include <stddef.h>

/* --cluster (endpoint's and defrag's): every client URL of the members. */
extern bool endpoint_cluster;

struct endpoint_list {
	char **v;       /* owned */
	size_t n;
};

/*
 * Fills l (empty) with --endpoints, or with --cluster the client URLs of
 * the member list (asked without auth, as etcdctl does; exits with its
 * error on failure). With 'connect' the client is opened too
 * (client_open), as etcdctl's mustClientFromCmd before it. After
 * client_prepare.
 */
void endpoint_targets(struct endpoint_list *l, bool connect);
void endpoint_list_free(struct endpoint_list *l);

#endif
