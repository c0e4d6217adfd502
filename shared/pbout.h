/*
 * All processes: a growing protobuf writer for messages a process makes
 * by hand (requests netd makes on a client's behalf): fields appended in
 * order, nested messages made apart and appended as bytes.
 */
#ifndef CAIRN_PBOUT_H
#define CAIRN_PBOUT_H

#include <stddef.h>
#include <stdint.h>

/* buf[0..len) written; buf is owned (NULL until the first field). */
struct pbout {
	uint8_t *buf;
	size_t len, cap;
};

/* Frees o's buffer; o is empty again. */
void pbout_close(struct pbout *o);

/* Appends a varint field (proto3: the caller leaves out a zero). A
 * negative int64 goes in as its uint64. */
void pbout_varint(struct pbout *o, uint32_t field, uint64_t v);
/* Appends a length-delimited field: p[n] copied (p may be NULL for n 0). */
void pbout_bytes(struct pbout *o, uint32_t field, const void *p, size_t n);
/* The same with the payload of another writer (a nested message). */
void pbout_msg(struct pbout *o, uint32_t field, const struct pbout *m);

#endif
