#!/usr/bin/env python3
# Seeds for the bbolt fuzz target (tests/fuzz/fuzz_bbolt.c): small bbolt
# files made page by page as bbolt lays them out (page size 512, so that
# the fuzzer's mutations land on structure): meta pages, a freelist, a
# branch, leaves, an overflow page, inline and nested buckets, an etcd-like
# key bucket; one without a freelist (etcd's NoFreelistSync). Written to
# tests/fuzz/corpus/bbolt/seed-*. The corpus also keeps a snapshot the real
# etcd 3.4 saved (etcd-3.4-snapshot), which this script does not make.
# Run: python3 tests/fuzz/bbolt_seeds.py [OUTDIR]
import os
import struct
import sys

PS = 512
NPAGES = 16
BRANCH, LEAF, META, FREELIST = 0x01, 0x02, 0x04, 0x10
BUCKET = 0x01


def fnv64a(b):
    h = 0xcbf29ce484222325
    for x in b:
        h = ((h ^ x) * 0x100000001b3) & 0xffffffffffffffff
    return h


def hdr(pid, flags, count, overflow=0):
    return struct.pack("<QHHI", pid, flags, count, overflow)


def meta(which, root, freelist, pgid, txid):
    m = struct.pack("<IIII", 0xED0CDAED, 2, PS, 0) + struct.pack("<QQ", root, 0)
    m += struct.pack("<QQQ", freelist, pgid, txid)
    m += struct.pack("<Q", fnv64a(m))
    return hdr(which, META, 0) + m


def leaf(pid, recs, overflow=0):
    # recs: (key bytes, value bytes, flags)
    elems, data = b"", b""
    base = 16 * len(recs)
    for i, (k, v, f) in enumerate(recs):
        pos = base - 16 * i + len(data)
        elems += struct.pack("<IIII", f, pos, len(k), len(v))
        data += k + v
    return hdr(pid, LEAF, len(recs), overflow) + elems + data


def branch(pid, kids):
    # kids: (key bytes, page id)
    elems, data = b"", b""
    base = 16 * len(kids)
    for i, (k, c) in enumerate(kids):
        pos = base - 16 * i + len(data)
        elems += struct.pack("<IIQ", pos, len(k), c)
        data += k
    return hdr(pid, BRANCH, len(kids)) + elems + data


def bucket(root, recs=()):
    v = struct.pack("<QQ", root, 0)
    return v if root else v + leaf(0, list(recs))


def rev(main, sub, tomb=False):
    return struct.pack(">Q", main) + b"_" + struct.pack(">Q", sub) + (b"t" if tomb else b"")


def kv(key, value, create, mod, version, lease=0):
    # mvccpb.KeyValue: 1 key, 2 create, 3 mod, 4 version, 5 value, 6 lease
    def varint(n):
        out = b""
        while True:
            b = n & 0x7f
            n >>= 7
            if n:
                out += bytes([b | 0x80])
            else:
                return out + bytes([b])

    out = b"\x0a" + varint(len(key)) + key
    for field, n in ((2, create), (3, mod), (4, version)):
        if n:
            out += bytes([field << 3]) + varint(n)
    if value:
        out += b"\x2a" + varint(len(value)) + value
    if lease:
        out += b"\x30" + varint(lease)
    return out


def image(freelist=True):
    pages = [b""] * NPAGES
    big = bytes((i * 7) & 0xff for i in range(700))
    fl = 2 if freelist else 0xffffffffffffffff
    pages[0] = meta(0, 3, fl, 11, 4)
    pages[1] = meta(1, 3, fl, 11, 5)
    pages[2] = hdr(2, FREELIST, 1) + struct.pack("<Q", 10) if freelist else b""
    keyrecs = [(rev(2, 0), kv(b"a", b"1", 2, 2, 1), 0),
               (rev(3, 0), kv(b"a", b"2", 2, 3, 2, lease=7), 0),
               (rev(4, 0, True), kv(b"a", b"", 0, 0, 0), 0)]
    pages[3] = leaf(3, [(b"a", bucket(0, [(b"x", b"1", 0), (b"y", b"2", 0)]), BUCKET),
                        (b"b", bucket(4), BUCKET), (b"c", bucket(7), BUCKET),
                        (b"key", bucket(9), BUCKET)])
    pages[4] = branch(4, [(b"k1", 5), (b"k5", 6)])
    pages[5] = leaf(5, [(b"k1", b"v1", 0), (b"k2", b"v2", 0)])
    pages[6] = leaf(6, [(b"k5", b"v5", 0), (b"n", bucket(0, [(b"z", b"26", 0)]), BUCKET)])
    pages[7] = leaf(7, [(b"big", big, 0)], overflow=1)
    pages[9] = leaf(9, keyrecs)
    pages[10] = hdr(10, LEAF, 0)
    out = bytearray(PS * NPAGES)
    for i, p in enumerate(pages):
        if p:
            out[i * PS:i * PS + len(p)] = p
    return bytes(out)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "corpus", "bbolt")
    os.makedirs(outdir, exist_ok=True)
    for name, data in (("seed-freelist", image(True)), ("seed-nofreelist", image(False))):
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
