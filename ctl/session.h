/*
 * cairnctl: clientv3's concurrency.Session for lock and elect: a lease
 * granted for the session and kept alive by clientv3's lessor on the
 * client's loop, until the lease is gone or a keep-alive is late; and
 * the SIGINT/SIGTERM handling etcdctl installs once its session exists.
 */
#ifndef CAIRN_CTL_SESSION_H
#define CAIRN_CTL_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* concurrency's defaultSessionTTL, in seconds. */
#define SESSION_TTL_DEFAULT 60

/*
 * concurrency.NewSession(c, WithTTL(ttl)) on the open client: a lease of
 * ttl seconds (SESSION_TTL_DEFAULT when ttl <= 0) granted without a
 * deadline, then kept alive. Once per process. 0, or -1 with err filled
 * with clientv3's text of the failed grant.
 */
int session_open(int64_t ttl, char *err, size_t errlen);
/* The session's lease ID. */
int64_t session_lease(void);
/* Whether Session.Done() is closed: the keep-alive ended (the lease was
 * revoked or expired, or no answer came within its TTL). */
bool session_done(void);

/* signal.Notify(SIGINT, SIGTERM): from now on these set
 * session_interrupted() (once etcdctl cancels its context) instead of
 * ending the process. */
void session_catch_signals(void);
bool session_interrupted(void);

/* Runs the client's loop until something happened on it (an answer, a
 * timer, a signal). */
void session_wait(void);

#endif
