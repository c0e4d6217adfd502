/*
 * supervisor: the member's listening TCP sockets. The supervisor binds
 * them before any child starts, so that a bad or busy address stops the
 * member with etcd's error, and keeps them for its whole life: a restarted
 * netd is passed the same sockets, with the clients queued on them.
 */
#ifndef CAIRN_SUPERVISOR_LISTEN_H
#define CAIRN_SUPERVISOR_LISTEN_H

#include <stddef.h>

#include "shared/child.h"
#include "shared/proto/ipc.pb.h"

/* netd takes at most this many sockets (NetdConfig.listeners). */
#define LISTEN_SOCKETS_MAX CHILD_LISTENERS_MAX
/* Room for one error line of listen_add_urls. */
#define LISTEN_ERR_BYTES_MAX 512

/* One bound, listening socket and what netd is told about it. */
struct listen_socket {
	int fd;                     /* owned by the set */
	cairn_ipc_Listener info;    /* kind, the URL as given (cut to fit), tls */
};

/* Every socket the supervisor bound; embedded, zeroed by listen_init. */
struct listen_set {
	struct listen_socket socks[LISTEN_SOCKETS_MAX];
	size_t len;
};

void listen_init(struct listen_set *ls);

/*
 * Binds and listens on each URL of 'urls' (a flag's comma-separated list,
 * already checked by flags_check; "" is no URL) for sockets of 'kind',
 * and adds them to 'ls'. A URL is http or https (https sets info.tls), its
 * host an IP literal ("[...]" for IPv6), "localhost" (127.0.0.1, as Go
 * resolves it), a name (Go's pick: the first IPv4 address, else the first)
 * or empty (every address), and it needs a port. 'urls' is borrowed.
 * Returns 0; or CAIRN_EINVAL (more than LISTEN_SOCKETS_MAX sockets in all,
 * a scheme other than http or https, a missing or bad port, a name that
 * does not resolve) or CAIRN_EIO (socket, bind or listen failed), with the
 * line etcd 3.4 prints in err[errlen] ("listen tcp 127.0.0.1:2379: bind:
 * address already in use"); then 'ls' is as it was before the call.
 */
int listen_add_urls(struct listen_set *ls, cairn_ipc_Listener_Kind kind,
    const char *urls, char *err, size_t errlen);

/* Closes every socket of 'ls' and empties it. */
void listen_close(struct listen_set *ls);

#endif
