/*
 * Children: chroot and setres[ug]id, in the OpenBSD daemons' order
 * (chroot, chdir, setgroups, setresgid, setresuid), then a check that
 * root cannot be regained.
 */
#include <grp.h>
#include <unistd.h>

#include "shared/log.h"
#include "shared/privdrop.h"

void
privdrop_apply(const char *chroot_dir, uid_t uid, gid_t gid)
{
	if (chroot_dir != NULL && chroot_dir[0] != '\0') {
		if (chroot(chroot_dir) == -1)
			fatal("chroot %s", chroot_dir);
		if (chdir("/") == -1)
			fatal("chdir / in the chroot");
	}
	if (setgroups(1, &gid) == -1)
		fatal("setgroups");
	if (setresgid(gid, gid, gid) == -1)
		fatal("setresgid %u", (unsigned)gid);
	if (setresuid(uid, uid, uid) == -1)
		fatal("setresuid %u", (unsigned)uid);
	if (uid != 0 && (setuid(0) != -1 || seteuid(0) != -1))
		fatalx("could regain root after dropping privileges");
}
