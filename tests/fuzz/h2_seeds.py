#!/usr/bin/env python3
# Writes the h2 fuzz target's seeds (tests/fuzz/corpus/h2/seed-*): gRPC
# calls over HTTP/2 (the first byte 0: the target sends the client
# preface) and HTTP/1.1 requests (the first byte 1). Usage: h2_seeds.py DIR
import os, struct, sys

def frame(ftype, flags, sid, payload):
    return struct.pack(">I", len(payload))[1:] + bytes([ftype, flags]) + struct.pack(">I", sid) + payload

def lit(name, value):  # HPACK literal without indexing, new name
    n, v = name.encode(), value.encode()
    return b"\x00" + bytes([len(n)]) + n + bytes([len(v)]) + v

def pb_bytes(field, b):
    return bytes([field << 3 | 2, len(b)]) + b

def pb_int(field, v):
    out = bytes([field << 3])
    while True:
        b = v & 0x7f; v >>= 7
        out += bytes([b | (0x80 if v else 0)])
        if not v:
            return out

def grpc_call(path, msg, sid=1, end=True):
    hdr = b"".join(lit(k, v) for k, v in [(":method", "POST"), (":scheme", "http"),
        (":path", path), (":authority", "x"), ("content-type", "application/grpc"), ("te", "trailers")])
    body = b"\x00" + struct.pack(">I", len(msg)) + msg
    return frame(1, 4, sid, hdr) + frame(0, 1 if end else 0, sid, body)

def h2(*calls):
    return b"\x00" + frame(4, 0, 0, b"") + b"".join(calls)

seeds = {
    "range": h2(grpc_call("/etcdserverpb.KV/Range", pb_bytes(1, b"a") + pb_bytes(2, b"b"))),
    "put": h2(grpc_call("/etcdserverpb.KV/Put", pb_bytes(1, b"k") + pb_bytes(2, b"v"))),
    "txn": h2(grpc_call("/etcdserverpb.KV/Txn", pb_bytes(1, pb_int(2, 1) + pb_bytes(3, b"k") + pb_int(5, 0))
        + pb_bytes(2, pb_bytes(2, pb_bytes(1, b"k"))))),
    "watch": h2(grpc_call("/etcdserverpb.Watch/Watch", pb_bytes(1, pb_bytes(1, b"w")), end=False)),
    "keepalive": h2(grpc_call("/etcdserverpb.Lease/LeaseKeepAlive", pb_int(1, 7), end=False)),
    "lock": h2(grpc_call("/v3lockpb.Lock/Lock", pb_bytes(1, b"lk") + pb_int(2, 5))),
    "campaign": h2(grpc_call("/v3electionpb.Election/Campaign", pb_bytes(1, b"e") + pb_bytes(3, b"v"))),
    "observe": h2(grpc_call("/v3electionpb.Election/Observe", pb_bytes(1, b"e"))),
    "proclaim": h2(grpc_call("/v3electionpb.Election/Proclaim",
        pb_bytes(1, pb_bytes(1, b"e") + pb_bytes(2, b"e/1") + pb_int(3, 2)) + pb_bytes(2, b"v"))),
    "status": h2(grpc_call("/etcdserverpb.Maintenance/Status", b""),
        grpc_call("/etcdserverpb.Cluster/MemberList", b"", sid=3),
        grpc_call("/nope.Svc/M", b"", sid=5)),
    "http1_health": b"\x01GET /health HTTP/1.1\r\nHost: x\r\n\r\n",
    "http1_gateway": b"\x01POST /v3/kv/range HTTP/1.1\r\nHost: x\r\nContent-Length: 14\r\n\r\n{\"key\":\"YQ==\"}",
    "http1_lock": b"\x01POST /v3/lock/lock HTTP/1.1\r\nHost: x\r\nContent-Length: 15\r\n\r\n{\"name\":\"bGs=\"}",
    "http1_watch": b"\x01POST /v3/watch HTTP/1.1\r\nHost: x\r\nContent-Length: 36\r\n\r\n{\"create_request\":{\"key\":\"YQ==\"}}  ",
}
for name, data in seeds.items():
    with open(os.path.join(sys.argv[1], "seed-" + name), "wb") as f:
        f.write(data)
