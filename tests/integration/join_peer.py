#!/usr/bin/env python3
# Tests: both ends of the join question on the peer port (member_join.sh).
# Usage:
#   join_peer.py ask PORT [VERSION]: sends a join_ask (PEER_VERSION 1 unless
#     given) and prints the answer: "cluster C members N", or "closed" when
#     the member hangs up without one (within 10 s).
#   join_peer.py serve PORT KIND SECONDS: a rogue member that prints
#     "listening", then answers every join_ask for SECONDS, by KIND: garbage (a frame that is no PeerFrame),
#     nomembers (a JoinInfo of a cluster with no members), zeroid (a member
#     with ID 0), oversized (a frame length over every bound).
import socket
import struct
import sys
import time

from h2_hostile import varint


def frame(field, body):
    """A PeerFrame with one length-delimited field, length-prefixed."""
    f = bytes([field << 3 | 2]) + varint(len(body)) + body
    return struct.pack('<I', len(f)) + f


def get_varint(b, i):
    v, shift = 0, 0
    while True:
        c = b[i]
        i += 1
        v |= (c & 0x7f) << shift
        shift += 7
        if c < 0x80:
            return v, i


def fields(b):
    """(number, value) of each field of a message: ints or bytes."""
    i = 0
    while i < len(b):
        tag, i = get_varint(b, i)
        if tag & 7 == 0:
            v, i = get_varint(b, i)
        elif tag & 7 == 2:
            n, i = get_varint(b, i)
            v, i = b[i:i + n], i + n
        else:
            raise ValueError('wire type %d' % (tag & 7))
        yield tag >> 3, v


def recv_frame(s):
    head = b''
    while len(head) < 4:
        c = s.recv(4 - len(head))
        if not c:
            return None
        head += c
    n = struct.unpack('<I', head)[0]
    body = b''
    while len(body) < n:
        c = s.recv(n - len(body))
        if not c:
            return None
        body += c
    return body


def ask(port, version):
    s = socket.create_connection(('127.0.0.1', port))
    s.settimeout(10)
    s.sendall(frame(6, b'\x08' + varint(version)))
    try:
        f = recv_frame(s)
    except (socket.timeout, ConnectionResetError):
        f = None
    if f is None:
        print('closed')
        return
    for num, v in fields(f):
        if num == 7:
            info = dict(fields(v))
            members = [m for n, m in fields(v) if n == 2]
            print('cluster %d members %d' % (info.get(1, 0), len(members)))
            return
    print('no answer')


def serve(port, kind, seconds):
    answers = {
        'garbage': struct.pack('<I', 3) + b'\xff\xff\xff',
        'nomembers': frame(7, b'\x08\x07'),
        'zeroid': frame(7, b'\x08\x07\x12\x05' + b'\x12\x01x\x08\x00'),
        'oversized': struct.pack('<I', 0xffffffff),
    }
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(('127.0.0.1', port))
    ls.listen(8)
    ls.settimeout(0.2)
    print('listening', flush=True)
    end = time.time() + seconds
    while time.time() < end:
        try:
            c, _ = ls.accept()
        except socket.timeout:
            continue
        c.settimeout(2)
        try:
            if recv_frame(c) is not None:
                c.sendall(answers[kind])
        except OSError:
            pass
        c.close()


if sys.argv[1] == 'ask':
    ask(int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 1)
else:
    serve(int(sys.argv[2]), sys.argv[3], float(sys.argv[4]))
