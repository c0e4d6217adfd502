/*
 * raftd: helpers shared by every wal_fs implementation.
 */
#include <stdlib.h>

#include "raftd/wal_fs.h"

void
wal_fs_names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}
