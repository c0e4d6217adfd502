#!/usr/bin/env python3
# Tests: a hostile peer on a member's peer port (peer.sh, lease_relay.sh).
# Usage: peer_hostile.py PORT KIND CLUSTER FROM TO. Sends, by KIND:
# garbage (HTTP text), oversized (a frame length over every bound), hello
# (a PeerHello of CLUSTER, FROM, TO), relay-empty (a hello, then a lease
# relay neither a call nor an answer), relay-op (a hello, then a relayed
# call of an operation never relayed), snap-bare (a hello, then a Raft
# snapshot message without its data), snap-order (a hello, then a
# snapshot's part that does not start at 0), snap-corrupt (a hello, then
# a whole snapshot of junk). Prints "closed" when the member hangs up
# within 10 s, else "open".
import socket
import struct
import sys

from h2_hostile import varint


def frame(field, body):
    """A PeerFrame with one length-delimited field, length-prefixed."""
    f = bytes([field << 3 | 2]) + varint(len(body)) + body
    return struct.pack('<I', len(f)) + f


def hello(cluster, frm, to):
    return frame(1, b'\x08\x01' + b'\x10' + varint(cluster) + b'\x18' + varint(frm) +
                 b'\x20' + varint(to))


port, kind = int(sys.argv[1]), sys.argv[2]
cluster, frm, to = (int(x) for x in sys.argv[3:6])
RELAYS = {
    'relay-empty': b'\x08\x01',                 # LeaseRelay{ref 1}
    'relay-op': b'\x08\x01\x12\x02\x08\x03',    # LeaseRelay{ref 1, ask{op LEASES}}
}

def snap_bare(frm, to):
    """RaftMsg{SNAPSHOT, from, to, term 1, snap{index 100, term 1, [from]}}."""
    member = b'\x1a' + varint(len(b'\x08' + varint(frm))) + b'\x08' + varint(frm)
    snap = b'\x08\x64\x10\x01' + member
    return (b'\x08\x09\x10' + varint(frm) + b'\x18' + varint(to) + b'\x20\x01' +
            b'\x6a' + varint(len(snap)) + snap)


def snap_part(data, offset, total):
    """SnapshotPart{data, offset, total}."""
    return (b'\x0a' + varint(len(data)) + data + b'\x10' + varint(offset) +
            b'\x18' + varint(total))


s = socket.create_connection(('127.0.0.1', port))
if kind == 'garbage':
    s.sendall(b'GET / HTTP/1.1\r\n\r\n' * 4)
elif kind == 'oversized':
    s.sendall(struct.pack('<I', 0xffffffff))
elif kind == 'hello':
    s.sendall(hello(cluster, frm, to))
elif kind == 'snap-bare':
    s.sendall(hello(cluster, frm, to) + frame(2, snap_bare(frm, to)))
elif kind == 'snap-order':
    s.sendall(hello(cluster, frm, to) + frame(5, snap_part(b'x' * 10, 5, 100)))
elif kind == 'snap-corrupt':
    s.sendall(hello(cluster, frm, to) + frame(5, snap_part(b'\x01junk' * 200, 0, 1000)))
else:
    s.sendall(hello(cluster, frm, to) + frame(3, RELAYS[kind]))
s.settimeout(10)
try:
    closed = s.recv(1) == b''
except (ConnectionResetError, socket.timeout):
    closed = True
print('closed' if closed else 'open')
