/*
 * All processes: the header of every IPC frame, on rings and on sockets.
 * The payload that follows is a nanopb message of shared/proto/ipc.proto.
 */
#ifndef CAIRN_FRAME_H
#define CAIRN_FRAME_H

#include <stdint.h>

#include "shared/assert.h"

struct frame_hdr {
	uint32_t length; /* payload bytes after this header */
	uint16_t type;   /* an IpcType of ipc.proto */
	uint16_t flags;  /* FRAME_F_* */
	uint64_t id;     /* ties a reply to its request; 0 when none */
};

#define FRAME_HDR_BYTES 16
CAIRN_STATIC_ASSERT(sizeof(struct frame_hdr) == FRAME_HDR_BYTES, "frame header is 16 bytes");

/* Frames in a ring start on this alignment (the header is read in place). */
#define FRAME_ALIGN 8
/* No frame payload of any route may exceed this; routes set tighter bounds. */
#define FRAME_PAYLOAD_BYTES_MAX (16u << 20)

/* Flags: none are defined yet; a frame carrying unknown flags is refused. */
#define FRAME_F_KNOWN 0x0000u

/* Bytes a frame of 'len' payload takes in a ring, header and padding included. */
static inline uint64_t
frame_ring_bytes(uint32_t len)
{
	return ((uint64_t)FRAME_HDR_BYTES + len + FRAME_ALIGN - 1) & ~(uint64_t)(FRAME_ALIGN - 1);
}

#endif
