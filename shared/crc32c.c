/*
 * raftd: CRC-32C for WAL records. The table version processes 8 bytes per
 * step (slicing-by-8); on x86-64 with SSE4.2 the crc32 instruction does
 * the same in hardware, picked once at run time.
 */
#include <pthread.h>
#include <string.h>

#include "shared/crc32c.h"

#define CRC32C_POLY_REFLECTED 0x82F63B78u
#define CRC32C_SLICES 8
#define CRC32C_TABLE_ROWS 256

static uint32_t crc32c_table[CRC32C_SLICES][CRC32C_TABLE_ROWS];
static pthread_once_t crc32c_once = PTHREAD_ONCE_INIT;
static int crc32c_have_hw;

static void
crc32c_init(void)
{
	for (uint32_t i = 0; i < CRC32C_TABLE_ROWS; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ ((c & 1) ? CRC32C_POLY_REFLECTED : 0);
		crc32c_table[0][i] = c;
	}
	for (uint32_t i = 0; i < CRC32C_TABLE_ROWS; i++)
		for (int s = 1; s < CRC32C_SLICES; s++) {
			uint32_t prev = crc32c_table[s - 1][i];

			crc32c_table[s][i] = (prev >> 8) ^
			    crc32c_table[0][prev & 0xff];
		}
#if defined(__x86_64__)
	__builtin_cpu_init();
	crc32c_have_hw = __builtin_cpu_supports("sse4.2");
#endif
}

/* Slicing-by-8 (Intel, Kounavis & Berry 2005): eight table lookups per
 * 8-byte word instead of one per byte. Assumes a little-endian host. */
static uint32_t
crc32c_sw(uint32_t c, const uint8_t *p, size_t len)
{
	while (len >= 8) {
		uint32_t lo, hi;

		memcpy(&lo, p, 4);
		memcpy(&hi, p + 4, 4);
		lo ^= c;
		c = crc32c_table[7][lo & 0xff] ^
		    crc32c_table[6][(lo >> 8) & 0xff] ^
		    crc32c_table[5][(lo >> 16) & 0xff] ^
		    crc32c_table[4][lo >> 24] ^
		    crc32c_table[3][hi & 0xff] ^
		    crc32c_table[2][(hi >> 8) & 0xff] ^
		    crc32c_table[1][(hi >> 16) & 0xff] ^
		    crc32c_table[0][hi >> 24];
		p += 8;
		len -= 8;
	}
	while (len-- > 0)
		c = (c >> 8) ^ crc32c_table[0][(c ^ *p++) & 0xff];
	return c;
}

#if defined(__x86_64__)
#include <nmmintrin.h>

__attribute__((target("sse4.2"))) static uint32_t
crc32c_hw(uint32_t c, const uint8_t *p, size_t len)
{
	uint64_t c64 = c;

	while (len >= 8) {
		uint64_t w;

		memcpy(&w, p, 8);
		c64 = _mm_crc32_u64(c64, w);
		p += 8;
		len -= 8;
	}
	c = (uint32_t)c64;
	while (len-- > 0)
		c = _mm_crc32_u8(c, *p++);
	return c;
}
#endif

uint32_t
crc32c_extend(uint32_t crc, const void *p, size_t len)
{
	uint32_t c = ~crc;

	pthread_once(&crc32c_once, crc32c_init);
	if (len == 0)
		return crc;
#if defined(__x86_64__)
	if (crc32c_have_hw)
		return ~crc32c_hw(c, p, len);
#endif
	return ~crc32c_sw(c, p, len);
}

uint32_t
crc32c(const void *p, size_t len)
{
	return crc32c_extend(0, p, len);
}
