/*
 * supervisor: the data directory layout. Created with mode 0700, as etcd
 * does, with member/ inside; an existing directory with looser permissions
 * is kept but warned about, as etcd warns.
 */
#include <string.h>
#include <sys/stat.h>

#include "shared/err.h"
#include "shared/log.h"
#include "supervisor/supervisor.h"

#define DATADIR_MODE 0700

/* mkdir -p with mode 0700 for every directory it creates. */
static int
datadir_mkdirs(const char *path)
{
	char tmp[PATH_MAX];
	size_t len = strlen(path);
	struct stat st;

	if (len == 0 || len >= sizeof(tmp))
		return CAIRN_EINVAL;
	memcpy(tmp, path, len + 1);
	for (char *p = tmp + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, DATADIR_MODE) == -1 && errno != EEXIST) {
			log_warn("mkdir %s", tmp);
			return CAIRN_EIO;
		}
		*p = '/';
	}
	if (mkdir(tmp, DATADIR_MODE) == -1 && errno != EEXIST) {
		log_warn("mkdir %s", tmp);
		return CAIRN_EIO;
	}
	if (stat(tmp, &st) == -1 || !S_ISDIR(st.st_mode)) {
		log_warnx("%s exists and is not a directory", tmp);
		return CAIRN_EINVAL;
	}
	if ((st.st_mode & 0777) != DATADIR_MODE)
		log_warnx("directory %s exists, but the permission is %04o; the "
		    "recommended permission is 0700 to prevent possible unprivileged "
		    "access to the data", tmp, (unsigned)(st.st_mode & 0777));
	return 0;
}

int
datadir_prepare(const struct config *cfg)
{
	char member[PATH_MAX];
	int rc;

	rc = datadir_mkdirs(cfg->data_dir);
	if (rc != 0)
		return rc;
	if ((size_t)snprintf(member, sizeof(member), "%s/member", cfg->data_dir) >= sizeof(member))
		return CAIRN_EINVAL;
	return datadir_mkdirs(member);
}
