/*
 * cairnctl: the flags and run functions of the commands the command tree
 * (ctl/commands.c) lists, one block per file that defines them.
 */
#ifndef CAIRN_CTL_COMMANDS_H
#define CAIRN_CTL_COMMANDS_H

#include "ctl/ctl.h"

/* ctl/cmd_txn.c */
extern struct ctl_flag txn_flags[];
int txn_run(int argc, char **argv);
/* etcdctl's argify (ctlv3/command/util.go), which txn and watch -i use:
 * the words of line into words[] (at most TXN_WORDS_MAX, each allocated,
 * the caller frees them), "..." unquoted as Go strings, '...' cut with
 * etcdctl's quirk; exits as etcdctl does on a bad quoted word (3) or a
 * quirk that makes Go panic (2). Returns the number of words. */
#define TXN_WORDS_MAX 64
size_t txn_argify(const char *line, char **words);

/* ctl/cmd_watch.c */
extern struct ctl_flag watch_flags[];
int watch_run(int argc, char **argv);

/* ctl/cmd_lock.c: lock and elect */
extern struct ctl_flag lock_flags[], elect_flags[];
int lock_run(int argc, char **argv);
int elect_run(int argc, char **argv);

/* ctl/cmd_snapshot.c */
extern struct ctl_flag snapshot_restore_flags[];
int snapshot_save_run(int argc, char **argv);
int snapshot_status_run(int argc, char **argv);
int snapshot_restore_run(int argc, char **argv);

/* ctl/cmd_auth.c: auth and user */
extern struct ctl_flag user_add_flags[], user_get_flags[], user_passwd_flags[];
int auth_enable_run(int argc, char **argv);
int auth_disable_run(int argc, char **argv);
int user_add_run(int argc, char **argv);
int user_delete_run(int argc, char **argv);
int user_get_run(int argc, char **argv);
int user_list_run(int argc, char **argv);
int user_passwd_run(int argc, char **argv);
int user_grant_role_run(int argc, char **argv);
int user_revoke_role_run(int argc, char **argv);

/* ctl/cmd_role.c */
extern struct ctl_flag role_grant_flags[], role_revoke_flags[];
int role_add_run(int argc, char **argv);
int role_delete_run(int argc, char **argv);
int role_get_run(int argc, char **argv);
int role_list_run(int argc, char **argv);
int role_grant_run(int argc, char **argv);
int role_revoke_run(int argc, char **argv);

/* ctl/cmd_member.c */
extern struct ctl_flag member_add_flags[], member_update_flags[];
int member_add_run(int argc, char **argv);
int member_remove_run(int argc, char **argv);
int member_update_run(int argc, char **argv);
int member_list_run(int argc, char **argv);
int member_promote_run(int argc, char **argv);

/* ctl/cmd_endpoint.c: the endpoint group's --cluster, hashkv's --rev */
extern struct ctl_flag endpoint_flags[], endpoint_hashkv_flags[];
int endpoint_health_run(int argc, char **argv);
int endpoint_status_run(int argc, char **argv);
int endpoint_hashkv_run(int argc, char **argv);

/* ctl/cmd_maint.c */
extern struct ctl_flag defrag_flags[];
int alarm_list_run(int argc, char **argv);
int alarm_disarm_run(int argc, char **argv);
int defrag_run(int argc, char **argv);
int move_leader_run(int argc, char **argv);

/* ctl/cmd_lease.c, ctl/cmd_keepalive.c */
extern struct ctl_flag lease_timetolive_flags[], lease_keepalive_flags[];
int lease_grant_run(int argc, char **argv);
int lease_revoke_run(int argc, char **argv);
int lease_timetolive_run(int argc, char **argv);
int lease_list_run(int argc, char **argv);
int lease_keepalive_run(int argc, char **argv);

/* ctl/cmd_misc.c */
extern struct ctl_flag compaction_flags[];
int compaction_run(int argc, char **argv);
int version_run(int argc, char **argv);

/* ctl/cmd_mirror.c */
extern struct ctl_flag make_mirror_flags[];
int make_mirror_run(int argc, char **argv);

/* ctl/cmd_check.c */
extern struct ctl_flag check_perf_flags[], check_datascale_flags[];
int check_perf_run(int argc, char **argv);
int check_datascale_run(int argc, char **argv);

/* ctl/cmd_help.c: help, and completion's subcommands */
extern struct ctl_flag completion_flags[];
int help_run(int argc, char **argv);
int completion_run(int argc, char **argv);

#endif
