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

/* ctl/cmd_snapshot.c */
extern struct ctl_flag snapshot_restore_flags[];
int snapshot_save_run(int argc, char **argv);
int snapshot_status_run(int argc, char **argv);
int snapshot_restore_run(int argc, char **argv);

/* ctl/cmd_misc.c */
extern struct ctl_flag compaction_flags[];
int compaction_run(int argc, char **argv);
int version_run(int argc, char **argv);

#endif
