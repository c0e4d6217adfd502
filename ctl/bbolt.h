/*
 * cairnctl: a read-only reader of bbolt files, etcd's backend and so its
 * snapshots: meta pages, branch, leaf, overflow and freelist pages,
 * nested and inline buckets, and bolt's own consistency check
 * (tx.Check). A file is untrusted input: a malformed one is an error.
 */
#ifndef CAIRN_CTL_BBOLT_H
#define CAIRN_CTL_BBOLT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Page sizes taken: bolt's are the OS page size (4096 on etcd's hosts)
 * or an option; smaller or larger ones are refused as corrupt. */
#define BBOLT_PAGE_BYTES_MIN 512u
#define BBOLT_PAGE_BYTES_MAX (64u << 10)
/* bolt reads the first 4 KiB to find the page size: a shorter file is
 * "invalid database". */
#define BBOLT_HEAD_BYTES 4096u
/* Branch pages above a leaf: a B+tree of pages holding two keys at least
 * is this deep only past 2^64 keys. */
#define BBOLT_DEPTH_MAX 64
/* Buckets within buckets that the check descends into. */
#define BBOLT_NEST_MAX 16
/* The longest error text. */
#define BBOLT_ERR_BYTES 256
/* The problems' text bbolt_check keeps; more are counted only. */
#define BBOLT_CHECK_TEXT_BYTES_MAX (64u << 10)
/* meta.freelist when the freelist is not written (etcd's NoFreelistSync). */
#define BBOLT_NO_FREELIST UINT64_MAX

/* An open file: its bytes and the meta page in force. */
struct bbolt {
	const uint8_t *p;            /* the file's bytes */
	size_t len;
	size_t map_len;              /* bytes mapped by bbolt_open; 0: borrowed */
	uint32_t page_size;
	uint64_t pages;              /* whole pages within len */
	uint64_t root;               /* the root bucket's root page */
	uint64_t freelist;           /* its page, or BBOLT_NO_FREELIST */
	uint64_t pgid;               /* high water mark: pages [0, pgid) in use */
	uint64_t txid;
};

/* A bucket: a tree of pages from 'root', or (root 0) an inline bucket,
 * whose one leaf page lies within its parent's value (borrowed from the
 * file's bytes). */
struct bbolt_bucket {
	uint64_t root;
	const uint8_t *page;
	size_t page_len;
};

/*
 * Opens the file at 'path' read-only and maps it, leaving out its last
 * 'tail_bytes' (etcd's SHA-256 after a snapshot). Then as
 * bbolt_open_mem. 0, or CAIRN_EIO (the file cannot be read) or
 * CAIRN_ECORRUPT, with err filled (bolt's text where it has one:
 * "invalid database", "version mismatch", "checksum error", "file size
 * too small").
 */
int bbolt_open(struct bbolt *db, const char *path, size_t tail_bytes, char *err,
    size_t errlen);
/*
 * Reads the file's bytes p[0..len) (borrowed: they must outlive db) as
 * bolt's Open does: the page size from meta page 0 when it is valid (else
 * 4096), both meta pages, the valid one with the higher txid in force.
 * 0, or CAIRN_ECORRUPT with err filled.
 */
int bbolt_open_mem(struct bbolt *db, const uint8_t *p, size_t len, char *err, size_t errlen);
/* Unmaps what bbolt_open mapped; safe on a zeroed or closed db. */
void bbolt_close(struct bbolt *db);

/* Tx.Size(): the high water mark in bytes. */
uint64_t bbolt_size(const struct bbolt *db);
/* The root bucket, whose records are the top-level buckets. */
void bbolt_root(const struct bbolt *db, struct bbolt_bucket *b);

/*
 * Called with each record of a bucket in bolt's order; key and value are
 * borrowed from the file's bytes. 'bucket' says the record is a nested
 * bucket (its value is then the bucket's header, bbolt_child reads it).
 * Nonzero stops the walk and is returned.
 */
typedef int bbolt_fn(void *arg, const uint8_t *key, size_t key_len, const uint8_t *val,
    size_t val_len, bool bucket);
/*
 * Walks b's pages in order, calling fn with each leaf record. Each page
 * is visited once at most (a page reached twice is corruption), branches
 * to BBOLT_DEPTH_MAX. 0, what fn returned, or CAIRN_ECORRUPT with err
 * filled (records before the fault were given to fn).
 */
int bbolt_foreach(const struct bbolt *db, const struct bbolt_bucket *b, bbolt_fn *fn, void *arg,
    char *err, size_t errlen);
/* The bucket a bucket record's value describes. 0, or CAIRN_ECORRUPT with
 * err filled. */
int bbolt_child(const struct bbolt *db, const uint8_t *val, size_t val_len,
    struct bbolt_bucket *child, char *err, size_t errlen);
/* The nested bucket 'name' of b (the first record of that key): 0,
 * CAIRN_ENOENT (no such record, or not a bucket), or CAIRN_ECORRUPT with
 * err filled. */
int bbolt_bucket(const struct bbolt *db, const struct bbolt_bucket *b, const uint8_t *name,
    size_t name_len, struct bbolt_bucket *child, char *err, size_t errlen);

/*
 * bolt's Tx.Check: pages freed twice, pages out of bounds, referenced
 * twice, reachable and freed, of a wrong type, and pages neither
 * reachable nor free, with bolt's texts, in bolt's order; where bolt
 * would crash (a page past the file's end, a page that cannot be read)
 * a problem of cairn's words. Returns how many; *text (owned by the
 * caller, NULL when none) holds them one a line, the first
 * BBOLT_CHECK_TEXT_BYTES_MAX bytes' worth.
 */
unsigned bbolt_check(const struct bbolt *db, char **text);

#endif
