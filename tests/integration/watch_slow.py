#!/usr/bin/env python3
"""Tests: a Watch client that stops reading (tests/integration/watch.sh).

Usage: watch_slow.py PORT PREFIX COUNT. Opens a Watch of PREFIX over raw
HTTP/2 with the default 65,535-byte windows, prints "ready" once the
watcher is created, then reads nothing until a line comes on stdin: the
server can only send what the windows allow meanwhile. Then it reads,
giving the windows back as it consumes, until COUNT events came or 20 s
passed, and prints each event's key, then "ended" if the server ended
the stream (trailers or RST_STREAM) or "open".
"""
import struct
import sys
import time

from h2_hostile import (DATA, END_HEADERS, END_STREAM, HEADERS, RST, WINDOW, Conn, frame,
                        grpc_msg, request_headers, varint)


def field_bytes(num, data):
    return bytes([num << 3 | 2]) + varint(len(data)) + data


def read_varint(buf, i):
    """The varint at buf[i]: its value and the index after it."""
    v, shift = 0, 0
    while True:
        b = buf[i]
        i += 1
        v |= (b & 0x7f) << shift
        shift += 7
        if not b & 0x80:
            return v, i


def fields(buf):
    """(number, wire type, value) of a protobuf message's fields."""
    i = 0
    while i < len(buf):
        tag, i = read_varint(buf, i)
        num, wt = tag >> 3, tag & 7
        if wt == 0:
            v, i = read_varint(buf, i)
            yield num, wt, v
        elif wt == 2:
            n, i = read_varint(buf, i)
            yield num, wt, buf[i:i + n]
            i += n
        else:
            raise ValueError("wire type %d" % wt)


def main():
    port, prefix, count = int(sys.argv[1]), sys.argv[2].encode(), int(sys.argv[3])
    end = prefix[:-1] + bytes([prefix[-1] + 1])
    create = field_bytes(1, field_bytes(1, prefix) + field_bytes(2, end))
    c = Conn(port, timeout=30)
    c.send(frame(HEADERS, END_HEADERS, 1, request_headers("/etcdserverpb.Watch/Watch")) +
           frame(DATA, 0, 1, grpc_msg(create)))
    data = b''
    keys = []
    ended = False
    created = False

    def take(f):
        nonlocal data, ended, created
        kind, flags, stream, payload = f
        if stream != 1:
            return
        if kind == RST or (kind == HEADERS and flags & END_STREAM):
            ended = True
        if kind != DATA:
            return
        if payload:
            c.send(frame(WINDOW, 0, 0, struct.pack(">I", len(payload))) +
                   frame(WINDOW, 0, 1, struct.pack(">I", len(payload))))
        data += payload
        while len(data) >= 5:
            n = struct.unpack(">I", data[1:5])[0]
            if len(data) < 5 + n:
                break
            msg, data = data[5:5 + n], data[5 + n:]
            for num, _, v in fields(msg):
                if num == 3 and v:
                    created = True
                if num == 11:
                    for en, _, ev in fields(v):
                        if en == 2:
                            for kn, _, k in fields(ev):
                                if kn == 1:
                                    keys.append(k.decode())

    c.frames(until=lambda f: take(f) or created, seconds=10)
    print("ready" if created else "not created", flush=True)
    sys.stdin.readline()
    deadline = time.time() + 20
    while time.time() < deadline and len(keys) < count and not ended:
        c.frames(until=lambda f: take(f) or len(keys) >= count or ended, seconds=1)
    for k in keys:
        print(k)
    print("ended" if ended else "open")


main()
