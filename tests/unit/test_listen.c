/*
 * Tests: the supervisor's listening sockets (supervisor/listen.c): Go's
 * choice of address, etcd's error text, and a set left as it was on
 * error. Sockets bind port 0 on the loopback: the kernel picks the port.
 */
#include <CUnit/CUnit.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "shared/err.h"
#include "shared/log.h"
#include "supervisor/listen.h"
#include "tests/lib/runner.h"

static struct listen_set ls;
static char err[LISTEN_ERR_BYTES_MAX];

static void
set_up(void)
{
	log_init("test", LOG_WARN);
	listen_init(&ls);
	err[0] = '\0';
}

static void
tear_down(void)
{
	listen_close(&ls);
}

static int
add(const char *urls)
{
	return listen_add_urls(&ls, cairn_ipc_Listener_Kind_CLIENT, urls, err, sizeof(err));
}

/* The bound address of socket i. */
static struct sockaddr_storage
bound(size_t i)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	memset(&ss, 0, sizeof(ss));
	CU_ASSERT_EQUAL(getsockname(ls.socks[i].fd, (struct sockaddr *)&ss, &len), 0);
	return ss;
}

static unsigned
port_of(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET ? ntohs(((const struct sockaddr_in *)ss)->sin_port) :
	    ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
}

static bool
ipv6_loopback_works(void)
{
	struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	int s = socket(AF_INET6, SOCK_STREAM, 0);
	bool ok = s != -1 && bind(s, (struct sockaddr *)&a, sizeof(a)) == 0;

	if (s != -1)
		close(s);
	return ok;
}

static void
test_ipv4_and_localhost(void)
{
	struct sockaddr_storage a, b;

	CU_ASSERT_EQUAL(add("http://127.0.0.1:0, https://user@LocalHost:0?q#f"), 0);
	CU_ASSERT_EQUAL(ls.len, 2);
	a = bound(0);
	b = bound(1);
	CU_ASSERT_EQUAL(a.ss_family, AF_INET);
	CU_ASSERT_EQUAL(b.ss_family, AF_INET);
	CU_ASSERT_EQUAL(((struct sockaddr_in *)&b)->sin_addr.s_addr, htonl(INADDR_LOOPBACK));
	CU_ASSERT_EQUAL(ls.socks[0].info.kind, cairn_ipc_Listener_Kind_CLIENT);
	CU_ASSERT_FALSE(ls.socks[0].info.tls);
	CU_ASSERT_TRUE(ls.socks[1].info.tls);
	CU_ASSERT_STRING_EQUAL(ls.socks[0].info.url, "http://127.0.0.1:0");
	CU_ASSERT_STRING_EQUAL(ls.socks[1].info.url, "https://user@LocalHost:0?q#f");
}

static void
test_busy_port_says_what_etcd_says(void)
{
	char urls[64], want[128];
	struct sockaddr_storage a;

	CU_ASSERT_EQUAL_FATAL(add("http://127.0.0.1:0"), 0);
	a = bound(0);
	snprintf(urls, sizeof(urls), "http://127.0.0.1:%u", port_of(&a));
	snprintf(want, sizeof(want), "listen tcp 127.0.0.1:%u: bind: address already in use",
	    port_of(&a));
	CU_ASSERT_EQUAL(add(urls), CAIRN_EIO);
	CU_ASSERT_STRING_EQUAL(err, want);
	CU_ASSERT_EQUAL(ls.len, 1);
}

static void
test_ipv6_literal_and_its_error(void)
{
	char urls[64], want[128];
	struct sockaddr_storage a;

	if (!ipv6_loopback_works())
		return;
	CU_ASSERT_EQUAL_FATAL(add("http://[::1]:0"), 0);
	a = bound(0);
	CU_ASSERT_EQUAL(a.ss_family, AF_INET6);
	snprintf(urls, sizeof(urls), "http://[::1]:%u", port_of(&a));
	snprintf(want, sizeof(want), "listen tcp [::1]:%u: bind: address already in use",
	    port_of(&a));
	CU_ASSERT_EQUAL(add(urls), CAIRN_EIO);
	CU_ASSERT_STRING_EQUAL(err, want);
}

/* Go listens on 0.0.0.0 and on an empty host as [::], IPv4 included. */
static void
test_wildcards_are_dual_stack(void)
{
	struct sockaddr_storage a;
	char urls[64], want[128];
	int v6only = -1;
	socklen_t len = sizeof(v6only);

	if (!ipv6_loopback_works())
		return;
	CU_ASSERT_EQUAL_FATAL(add("http://0.0.0.0:0"), 0);
	a = bound(0);
	CU_ASSERT_EQUAL(a.ss_family, AF_INET6);
	CU_ASSERT_EQUAL(getsockopt(ls.socks[0].fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &len), 0);
	CU_ASSERT_EQUAL(v6only, 0);
	/* The error names the address as given: ":PORT" for no host. */
	snprintf(urls, sizeof(urls), "http://:%u", port_of(&a));
	snprintf(want, sizeof(want), "listen tcp :%u: bind: address already in use", port_of(&a));
	CU_ASSERT_EQUAL(add(urls), CAIRN_EIO);
	CU_ASSERT_STRING_EQUAL(err, want);
}

static void
test_bad_urls(void)
{
	CU_ASSERT_EQUAL(add("http://127.0.0.1:70000"), CAIRN_EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "listen tcp: address 70000: invalid port");
	CU_ASSERT_EQUAL(add("http://127.0.0.1:"), CAIRN_EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "listen tcp: address 127.0.0.1:: missing port in address");
	CU_ASSERT_EQUAL(add("unixs://localhost:1"), CAIRN_EINVAL);
	CU_ASSERT_STRING_EQUAL(err,
	    "cannot listen on unixs://localhost:1: cairn listens on http and https URLs only");
	CU_ASSERT_EQUAL(ls.len, 0);
}

/* A failure leaves the set as it was: what the call bound is closed. */
static void
test_error_undoes_the_call(void)
{
	int next;

	CU_ASSERT_EQUAL_FATAL(add("http://127.0.0.1:0"), 0);
	/* The lowest free descriptor: the next socket's. */
	next = dup(STDIN_FILENO);
	close(next);
	CU_ASSERT_EQUAL(add("http://127.0.0.1:0,http://127.0.0.1:0,http://127.0.0.1:99999"),
	    CAIRN_EINVAL);
	CU_ASSERT_EQUAL(ls.len, 1);
	CU_ASSERT_EQUAL(fcntl(next, F_GETFD), -1);
	CU_ASSERT_EQUAL(add(""), 0);
	CU_ASSERT_EQUAL(ls.len, 1);
}

static void
test_at_most_sixteen_in_all(void)
{
	char urls[LISTEN_SOCKETS_MAX * 24] = "";

	for (int i = 0; i < LISTEN_SOCKETS_MAX - 1; i++)
		strcat(urls, i == 0 ? "http://127.0.0.1:0" : ",http://127.0.0.1:0");
	CU_ASSERT_EQUAL_FATAL(add(urls), 0);
	CU_ASSERT_EQUAL(add("http://127.0.0.1:0,http://127.0.0.1:0"), CAIRN_EINVAL);
	CU_ASSERT_STRING_EQUAL(err,
	    "--listen-client-urls: 2 URLs; cairn listens on at most 16 addresses in all");
	CU_ASSERT_EQUAL(ls.len, LISTEN_SOCKETS_MAX - 1);
	CU_ASSERT_EQUAL(add("http://127.0.0.1:0"), 0);
	CU_ASSERT_EQUAL(ls.len, LISTEN_SOCKETS_MAX);
}

static CU_TestInfo listen_tests[] = {
	{"IPv4 and localhost (127.0.0.1), tls for https", test_ipv4_and_localhost},
	{"a busy port: etcd's error", test_busy_port_says_what_etcd_says},
	{"an IPv6 literal, and its error", test_ipv6_literal_and_its_error},
	{"0.0.0.0 and no host are dual-stack [::]", test_wildcards_are_dual_stack},
	{"bad port, no port, a unix URL", test_bad_urls},
	{"an error undoes what the call bound", test_error_undoes_the_call},
	{"at most 16 sockets in all", test_at_most_sixteen_in_all},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"listen", NULL, NULL, set_up, tear_down, listen_tests},
	CU_SUITE_INFO_NULL,
};

int
main(void)
{
	return runner_run(suites);
}
