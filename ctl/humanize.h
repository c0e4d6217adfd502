/*
 * cairnctl: go-humanize's Bytes, the SI size text etcdctl prints
 * ("20 kB", "1.2 MB") for db sizes and snapshots.
 */
#ifndef CAIRN_CTL_HUMANIZE_H
#define CAIRN_CTL_HUMANIZE_H

#include <stddef.h>
#include <stdint.h>

/* Writes humanize.Bytes(n) into dst[cap]. */
void humanize_bytes(char *dst, size_t cap, uint64_t n);

#endif
