/*
 * cairnctl: get, put and del as requests (ctl/cmd_kv.c), for their own
 * commands and for the operations of txn, which parses its lines with the
 * same flags.
 */
#ifndef CAIRN_CTL_KV_H
#define CAIRN_CTL_KV_H

#include "ctl/ctl.h"

extern struct ctl_flag kv_get_flags[], kv_put_flags[], kv_del_flags[];

/* The request of get, put or del for the arguments left once their flags
 * are parsed; exits with etcdctl's error (exit 128) on bad arguments.
 * req is appended to (the caller owns it). */
void kv_get_request(int argc, char **argv, struct pbout *req);
void kv_put_request(int argc, char **argv, struct pbout *req);
void kv_del_request(int argc, char **argv, struct pbout *req);

int kv_get_run(int argc, char **argv);
int kv_put_run(int argc, char **argv);
int kv_del_run(int argc, char **argv);

#endif
