/*
 * cairnctl: lease grant, revoke, timetolive and list (etcdctl's
 * lease_command.go): their argument checks and messages, the request
 * clientv3 makes, its retries and errors, and the answer printed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/commands.h"
#include "ctl/goquote.h"
#include "ctl/lease.h"

/* Room for a NumError text around the argument that was parsed. */
#define LEASE_ERR_BYTES (GC_MESSAGE_BYTES_MAX + 128)

static bool lease_ttl_keys;

struct ctl_flag lease_timetolive_flags[] = {
	{ "keys", 0, CTL_FLAG_BOOL, "false", "Get keys attached to this lease", &lease_ttl_keys,
	  false },
	{ 0 },
};

/* strconv's NumError text: "strconv.ParseInt: parsing <%q of s>: why". */
static void
lease_num_error(char *err, size_t errlen, const char *s, const char *why)
{
	char *quoted = NULL;
	size_t qlen = 0;
	FILE *q = open_memstream(&quoted, &qlen);

	if (q == NULL) {
		snprintf(err, errlen, "strconv.ParseInt: parsing \"%s\": %s", s, why);
		return;
	}
	goquote_write(q, (const uint8_t *)s, strlen(s));
	fclose(q);
	snprintf(err, errlen, "strconv.ParseInt: parsing %s: %s", quoted, why);
	free(quoted);
}

/*
 * Go's ParseUint loop, as ParseInt runs it on what follows the sign: a
 * byte that is not a digit of base is a syntax error where it stands; an
 * overflow of 64 bits is a range error at once, whatever follows.
 * 0, -1 (syntax) or -2 (range).
 */
static int
lease_parse_uint(const char *s, unsigned base, uint64_t *v)
{
	const uint64_t cutoff = UINT64_MAX / base + 1;
	uint64_t n = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s, lower = (unsigned char)(c | 0x20);
		unsigned d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (lower >= 'a' && lower <= 'z')
			d = lower - 'a' + 10u;
		else
			return -1;
		if (d >= base)
			return -1;
		if (n >= cutoff)
			return -2;
		n *= base;
		if (n + d < n)
			return -2;
		n += d;
	}
	*v = n;
	return 0;
}

int
lease_parse_int(const char *s, unsigned base, int64_t *v, char *err, size_t errlen)
{
	const uint64_t cutoff = (uint64_t)1 << 63;
	const char *digits = s;
	bool neg = false;
	uint64_t u = 0;
	int rc;

	if (*digits == '+' || *digits == '-')
		neg = *digits++ == '-';
	if (*s == '\0' || (rc = lease_parse_uint(digits, base, &u)) == -1) {
		lease_num_error(err, errlen, s, "invalid syntax");
		return -1;
	}
	if (rc == -2 || (!neg && u >= cutoff) || (neg && u > cutoff)) {
		lease_num_error(err, errlen, s, "value out of range");
		return -1;
	}
	*v = neg ? (int64_t)(0 - u) : (int64_t)u;
	return 0;
}

int64_t
lease_from_arg(const char *arg)
{
	char err[LEASE_ERR_BYTES];
	int64_t id;

	if (lease_parse_int(arg, 16, &id, err, sizeof(err)) != 0)
		ctl_fail(CTL_EXIT_BAD_ARGS, "bad lease ID arg (%s), expecting ID in Hex", err);
	return id;
}

int
lease_grant_run(int argc, char **argv)
{
	char err[LEASE_ERR_BYTES];
	struct pbout req = { 0 };
	struct gc_result r;
	int64_t ttl;

	if (argc != 1)
		ctl_fail(CTL_EXIT_BAD_ARGS, "lease grant command needs TTL argument");
	if (lease_parse_int(argv[0], 10, &ttl, err, sizeof(err)) != 0)
		ctl_fail(CTL_EXIT_BAD_ARGS, "bad TTL (%s)", err);
	client_open();
	if (ttl != 0)
		pbout_varint(&req, LEASE_GRANT_REQ_TTL, (uint64_t)ttl);
	/* clientv3's retryLeaseClient: every lease call is repeatable. */
	if (client_try("/etcdserverpb.Lease/LeaseGrant", &req, CTL_RETRY_UNAVAILABLE, &r, err,
	    sizeof(err)) != 0)
		ctl_fail(CTL_EXIT_ERROR, "failed to grant lease (%s)", err);
	pbout_close(&req);
	print_lease_grant(global_format(), pbv_of(r.msg, r.len));
	client_close();
	return CTL_EXIT_SUCCESS;
}

int
lease_revoke_run(int argc, char **argv)
{
	char err[LEASE_ERR_BYTES];
	struct pbout req = { 0 };
	struct gc_result r;
	int64_t id;

	if (argc != 1)
		ctl_fail(CTL_EXIT_BAD_ARGS, "lease revoke command needs 1 argument");
	id = lease_from_arg(argv[0]);
	client_open();
	if (id != 0)
		pbout_varint(&req, LEASE_REQ_ID, (uint64_t)id);
	if (client_try("/etcdserverpb.Lease/LeaseRevoke", &req, CTL_RETRY_UNAVAILABLE, &r, err,
	    sizeof(err)) != 0)
		ctl_fail(CTL_EXIT_ERROR, "failed to revoke lease (%s)", err);
	pbout_close(&req);
	print_lease_revoke(global_format(), id, pbv_of(r.msg, r.len));
	client_close();
	return CTL_EXIT_SUCCESS;
}

int
lease_timetolive_run(int argc, char **argv)
{
	char err[LEASE_ERR_BYTES];
	struct pbout req = { 0 };
	struct gc_result r;
	int64_t id;

	if (argc != 1)
		ctl_fail(CTL_EXIT_BAD_ARGS, "lease timetolive command needs lease ID as argument");
	/* etcdctl connects before it reads the ID. */
	client_open();
	id = lease_from_arg(argv[0]);
	if (id != 0)
		pbout_varint(&req, LEASE_REQ_ID, (uint64_t)id);
	if (lease_ttl_keys)
		pbout_varint(&req, LEASE_TTL_REQ_KEYS, 1);
	if (client_try("/etcdserverpb.Lease/LeaseTimeToLive", &req, CTL_RETRY_UNAVAILABLE, &r,
	    err, sizeof(err)) != 0)
		ctl_fail(CTL_EXIT_BAD_CONNECTION, "%s", err);
	pbout_close(&req);
	print_lease_ttl(global_format(), pbv_of(r.msg, r.len), lease_ttl_keys);
	client_close();
	return CTL_EXIT_SUCCESS;
}

int
lease_list_run(int argc, char **argv)
{
	char err[LEASE_ERR_BYTES];
	struct pbout req = { 0 };
	struct gc_result r;

	/* etcdctl takes any arguments and ignores them. */
	(void)argc;
	(void)argv;
	client_open();
	if (client_try("/etcdserverpb.Lease/LeaseLeases", &req, CTL_RETRY_UNAVAILABLE, &r, err,
	    sizeof(err)) != 0)
		ctl_fail(CTL_EXIT_BAD_CONNECTION, "%s", err);
	pbout_close(&req);
	print_lease_leases(global_format(), pbv_of(r.msg, r.len));
	client_close();
	return CTL_EXIT_SUCCESS;
}
