/*
 * Children: the event loop of the shared child skeleton.
 */
#ifndef CAIRN_CHILD_LOOP_H
#define CAIRN_CHILD_LOOP_H

#include "shared/child.h"

/* Opens the channel to 'peer' over sock/mem (taken), replacing any old
 * one, and sends our hello. Its events start when the loop runs. */
void child_peer_adopt(struct child *c, enum cairn_proc peer, int sock, int mem);
/* Tells the process's peer_up hook that the channel to 'peer' is up (once
 * the process has started: its hook may then send). */
void child_peer_announce(struct child *c, enum cairn_proc peer);

/* Runs until stopped; returns the exit status. */
int child_loop_run(struct child *c);

#endif
