/*
 * cairnctl: the lease commands' shared parts (ctl/cmd_lease.c,
 * ctl/cmd_keepalive.c, ctl/print_lease.c): etcdctl's leaseFromArgs and
 * its printers of clientv3's lease answers in every output format.
 */
#ifndef CAIRN_CTL_LEASE_H
#define CAIRN_CTL_LEASE_H

#include <stdint.h>

#include "ctl/ctl.h"
#include "ctl/pbview.h"

/* Field numbers of the lease messages (rpc.proto). */
enum {
	LEASE_RESP_HEADER = 1,
	LEASE_GRANT_REQ_TTL = 1,
	LEASE_GRANT_ID = 2, LEASE_GRANT_TTL = 3, LEASE_GRANT_ERROR = 4,
	LEASE_REQ_ID = 1,           /* Revoke, KeepAlive and TimeToLive requests */
	LEASE_TTL_REQ_KEYS = 2,
	LEASE_TTL_ID = 2, LEASE_TTL_TTL = 3, LEASE_TTL_GRANTED = 4, LEASE_TTL_KEYS = 5,
	LEASE_LEASES_LEASES = 2, LEASE_STATUS_ID = 1,
	LEASE_KA_ID = 2, LEASE_KA_TTL = 3,
};

/* Room for a lease ID as Go's %016x writes it, and its NUL. */
#define LEASE_HEX_BYTES 24

/* etcdctl's leaseFromArgs: strconv.ParseInt(arg, 16, 64), or exit 128
 * with "bad lease ID arg (...), expecting ID in Hex". */
int64_t lease_from_arg(const char *arg);

/* Go's strconv.ParseInt(s, base, 64) for base 10 or 16: 0 with *v set,
 * or -1 with err filled with its NumError text. */
int lease_parse_int(const char *s, unsigned base, int64_t *v, char *err, size_t errlen);

/* Go's fmt "%016x" of an int64 (a sign, then zeros to 16 characters). */
void lease_hex(char dst[LEASE_HEX_BYTES], int64_t id);

/* The answers in format f, as etcdctl's printers print clientv3's lease
 * responses (r borrowed): Grant, Revoke (of lease id), TimeToLive (keys:
 * --keys given), Leases and KeepAlive. Unsupported formats exit as
 * etcdctl does (4). */
void print_lease_grant(enum ctl_format f, struct pbv r);
void print_lease_revoke(enum ctl_format f, int64_t id, struct pbv r);
void print_lease_ttl(enum ctl_format f, struct pbv r, bool keys);
void print_lease_leases(enum ctl_format f, struct pbv r);
void print_lease_keepalive(enum ctl_format f, struct pbv r);

#endif
