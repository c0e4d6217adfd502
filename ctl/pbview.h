/*
 * cairnctl: reading fields of a response by number, for the printers
 * that print a few of them (etcdctl's simple and fields formats). A view
 * borrows the bytes of the answer it reads.
 */
#ifndef CAIRN_CTL_PBVIEW_H
#define CAIRN_CTL_PBVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pbv {
	const uint8_t *p;
	size_t n;
	bool present;
};

/* A view of a whole message. */
struct pbv pbv_of(const uint8_t *p, size_t n);
/* The varint field 'field' (its last occurrence, as protobuf merges), or
 * 0 when absent or when the bytes are malformed. */
uint64_t pbv_varint(struct pbv m, uint32_t field);
/* The length-delimited field 'field' (its last occurrence); present is
 * false when there is none. */
struct pbv pbv_bytes(struct pbv m, uint32_t field);
/* Iterates the length-delimited fields numbered 'field': start with *off
 * 0; true with *out set, false at the end. */
bool pbv_next(struct pbv m, uint32_t field, size_t *off, struct pbv *out);
/* How many fields numbered 'field' m has. */
size_t pbv_count(struct pbv m, uint32_t field);
/* Whether m is well-formed protobuf at its top level. */
bool pbv_valid(struct pbv m);

#endif
