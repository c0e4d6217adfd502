#!/usr/bin/env python3
"""Tests: hostile HTTP/2 clients for tests/integration/h2_hostile.sh.

Usage: h2_hostile.py PORT CASE. Speaks raw HTTP/2 frames over a socket and
exits 0 when netd answered as it must (a connection error, a refused
stream, an answer), 1 otherwise; says what it saw on stdout.
"""
import socket
import struct
import sys
import time

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
DATA, HEADERS, RST, SETTINGS, PING, GOAWAY, WINDOW = 0, 1, 3, 4, 6, 7, 8
END_STREAM, END_HEADERS = 1, 4


def varint(v):
    """A protobuf varint."""
    out = b''
    while True:
        b = v & 0x7f
        v >>= 7
        out += bytes([b | (0x80 if v else 0)])
        if not v:
            return out


def frame(kind, flags, stream, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + \
        struct.pack(">I", stream) + payload


def lit(name, value):
    """HPACK: a literal header field without indexing, new name."""
    n, v = name.encode(), value.encode()
    assert len(n) < 127 and len(v) < 127
    return b"\x00" + bytes([len(n)]) + n + bytes([len(v)]) + v


def request_headers(path, extra=b""):
    # :method POST (static 3), :scheme http (static 6)
    return b"\x83\x86" + lit(":path", path) + lit(":authority", "x") + \
        lit("content-type", "application/grpc") + lit("te", "trailers") + extra


def grpc_msg(body):
    return b"\x00" + struct.pack(">I", len(body)) + body


class Conn:
    def __init__(self, port, preface=PREFACE, timeout=10):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""
        self.s.sendall(preface + frame(SETTINGS, 0, 0))

    def send(self, data):
        self.s.sendall(data)

    def frames(self, until=None, seconds=5):
        """Frames read until the connection closes, `until` returns true
        for one, or `seconds` pass."""
        end = time.time() + seconds
        out = []
        while time.time() < end:
            while len(self.buf) >= 9:
                n = struct.unpack(">I", b"\0" + self.buf[:3])[0]
                if len(self.buf) < 9 + n:
                    break
                f = (self.buf[3], self.buf[4], struct.unpack(">I", self.buf[5:9])[0] & 0x7fffffff,
                     self.buf[9:9 + n])
                self.buf = self.buf[9 + n:]
                out.append(f)
                if f[0] == SETTINGS and not f[1] & 1:
                    try:
                        self.s.sendall(frame(SETTINGS, 1, 0))
                    except OSError:
                        return out, True
                if until is not None and until(f):
                    return out, False
            try:
                self.s.settimeout(max(0.05, end - time.time()))
                b = self.s.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                return out, True
            if not b:
                return out, True
            self.buf += b
        return out, False


def goaway_code(frames):
    for f in frames:
        if f[0] == GOAWAY:
            return struct.unpack(">I", f[3][4:8])[0]
    return None


RANGE_A = grpc_msg(b"\x0a\x01a")


def main():
    port, case = int(sys.argv[1]), sys.argv[2]
    if case == "preface":
        c = Conn(port, preface=b"PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n")
        fr, closed = c.frames(seconds=5)
        print("closed" if closed else "open", [f[0] for f in fr])
        return 0 if closed else 1
    if case == "frame_size":
        c = Conn(port)
        c.send(frame(HEADERS, END_HEADERS, 1, request_headers("/etcdserverpb.KV/Range")))
        c.send(frame(DATA, 0, 1, b"x" * 70000))  # over SETTINGS_MAX_FRAME_SIZE (16384)
        fr, closed = c.frames(until=lambda f: f[0] == GOAWAY, seconds=5)
        code = goaway_code(fr)
        print("goaway", code, "closed", closed)
        # A connection error (GOAWAY), or the close that follows it when
        # the client's unread bytes reset the connection before it came.
        return 0 if (code is not None and code != 0) or closed else 1
    if case == "hpack":
        c = Conn(port)
        c.send(frame(HEADERS, END_HEADERS | END_STREAM, 1, b"\xff\xff\xff\xff\x0f"))  # index out of range
        fr, closed = c.frames(until=lambda f: f[0] == GOAWAY, seconds=5)
        code = goaway_code(fr)
        print("goaway", code)
        return 0 if code == 9 else 1  # COMPRESSION_ERROR
    if case == "flood":
        # More streams than SETTINGS_MAX_CONCURRENT_STREAMS, none ended:
        # those beyond are refused (RST_STREAM REFUSED_STREAM) or the
        # connection is closed; never all served.
        c = Conn(port)
        blob = b""
        for i in range(3000):
            blob += frame(HEADERS, END_HEADERS, 1 + 2 * i, request_headers("/etcdserverpb.KV/Range"))
        c.send(blob)
        fr, closed = c.frames(seconds=5)
        refused = sum(1 for f in fr if f[0] == RST and struct.unpack(">I", f[3])[0] == 7)
        print("refused", refused, "closed", closed, "goaway", goaway_code(fr))
        return 0 if refused >= 1000 or goaway_code(fr) is not None else 1
    if case == "rapid_reset":
        # HEADERS then RST_STREAM, 20,000 times (CVE-2023-44487): netd
        # survives and stays bounded; nghttp2 may end the connection.
        c = Conn(port)
        blob = b""
        for i in range(20000):
            sid = 1 + 2 * i
            blob += frame(HEADERS, END_HEADERS, sid, request_headers("/etcdserverpb.KV/Range"))
            blob += frame(RST, 0, sid, struct.pack(">I", 8))
            if len(blob) > 1 << 16:
                try:
                    c.send(blob)
                except OSError:
                    break
                blob = b""
        try:
            c.send(blob)
        except OSError:
            pass
        fr, closed = c.frames(seconds=3)
        print("frames", len(fr), "closed", closed, "goaway", goaway_code(fr))
        return 0
    if case == "ping_flood":
        # PINGs without reading the answers: nghttp2 bounds the queued
        # control frames and ends the connection rather than grow.
        c = Conn(port)
        c.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sent = 0
        try:
            for i in range(200000):
                c.send(frame(PING, 0, 0, struct.pack(">Q", i)) * 50)
                sent += 50
        except OSError:
            pass
        print("pings sent", sent)
        return 0
    if case == "never_reads":
        # 200 reads of a 1 MB value from a client that never reads nor
        # opens its window: the answers wait (bounded), netd goes on.
        c = Conn(port)
        c.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        blob = b""
        for i in range(200):
            sid = 1 + 2 * i
            blob += frame(HEADERS, END_HEADERS, sid, request_headers("/etcdserverpb.KV/Range"))
            blob += frame(DATA, END_STREAM, sid, grpc_msg(b"\x0a\x03big\x38\x01"))
        c.send(blob)
        time.sleep(5)
        print("asked for 200 MB, read none")
        return 0
    if case == "truncated_prefix":
        # A gRPC length prefix beyond the data, and the stream ended:
        # grpc-go's "unexpected EOF" (UNKNOWN, 2) in the trailers.
        c = Conn(port)
        c.send(frame(HEADERS, END_HEADERS, 1, request_headers("/etcdserverpb.KV/Range")))
        c.send(frame(DATA, END_STREAM, 1, b"\x00\x00\x00\x10\x00\x0a"))
        fr, closed = c.frames(until=lambda f: f[0] == HEADERS and f[1] & END_STREAM, seconds=5)
        ok = any(f[0] == HEADERS and f[1] & END_STREAM for f in fr)
        print("trailers" if ok else "none", [f[0] for f in fr])
        return 0 if ok else 1
    if case in ("url_authority", "bad_value", "upper_name"):
        # grpc-go sends an endpoint given as a URL as the :authority
        # ("http://host:port"): Go's server (etcd's) serves it. A value
        # with a line feed, or a name in upper case: RST_STREAM
        # PROTOCOL_ERROR (1), as Go's.
        extra = {"url_authority": lit(":authority", "http://localhost:2379"),
                 "bad_value": lit("x-bad", "a\nb"),
                 "upper_name": lit("X-Upper", "v")}[case]
        hdrs = b"\x83\x86" + lit(":path", "/etcdserverpb.KV/Range") + extra + \
            lit("content-type", "application/grpc") + lit("te", "trailers")
        c = Conn(port)
        c.send(frame(HEADERS, END_HEADERS, 1, hdrs))
        c.send(frame(DATA, END_STREAM, 1, RANGE_A))
        fr, closed = c.frames(until=lambda f: f[0] == RST or (f[0] == HEADERS and f[1] & END_STREAM),
                              seconds=5)
        rst = [struct.unpack(">I", f[3])[0] for f in fr if f[0] == RST]
        answered = any(f[0] == HEADERS and f[1] & END_STREAM for f in fr)
        print("rst", rst, "answered", answered)
        if case == "url_authority":
            return 0 if answered and not rst else 1
        return 0 if rst == [1] else 1
    print("unknown case", case)
    return 2


if __name__ == "__main__":
    sys.exit(main())
