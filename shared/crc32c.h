/*
 * raftd and stored: CRC-32C (Castagnoli, reflected polynomial 0x82F63B78),
 * the checksum of every WAL record and of etcd's Hash and HashKV. Uses
 * the SSE4.2 crc32 instruction when the CPU has it, and a slicing-by-8
 * table otherwise.
 */
#ifndef CAIRN_CRC32C_H
#define CAIRN_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* The CRC-32C of 'len' bytes at 'p' (borrowed); crc32c("123456789", 9)
 * is 0xE3069283. 'p' may be NULL when 'len' is 0. */
uint32_t crc32c(const void *p, size_t len);

/* Continues a checksum: crc32c_extend(crc32c(a), b) == crc32c(a || b),
 * and crc32c_extend(0, b) == crc32c(b). */
uint32_t crc32c_extend(uint32_t crc, const void *p, size_t len);

#endif
