/*
 * Children: giving up root. Optionally chroot (netd, to an empty
 * directory), then drop groups, gid and uid, and check root is gone.
 */
#ifndef CAIRN_PRIVDROP_H
#define CAIRN_PRIVDROP_H

#include <sys/types.h>

/* chroot_dir may be NULL or "" for none. Process-fatal on any failure:
 * a child that cannot drop what it was told to drop must not run. */
void privdrop_apply(const char *chroot_dir, uid_t uid, gid_t gid);

#endif
