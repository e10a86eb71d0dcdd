#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
# What a client sends to the WireGuard generic-netlink family, from a
# capture on an nlmon device (`tcpdump -i nlmon0 -w FILE`): one line per
# distinct shape of request, for the client suites (suites/client-*.sh)
# to compare with what Debian's `wg` sends for the same configuration.
#
#   client-nldecode.py FAMILY-ID|auto FILE.pcap
#
# (auto: the id from the controller's answer naming "wireguard" in the
# capture, which every client asks for before its first request.)
#
# A request is printed as its command, header flags and version, then its
# attributes as paths (DEVICE/PEERS/#/ALLOWEDIPS/#/FAMILY), each with the
# attribute's type number as sent for array entries (#N), its NLA_F_NESTED
# bit (+N) and the value of flags, ports, marks, keepalives and prefixes;
# keys and addresses are shown as their length only. Repeated shapes are
# counted, not repeated.
import struct
import sys
from collections import Counter

DEV = {1: 'IFINDEX', 2: 'IFNAME', 3: 'PRIVATE_KEY', 4: 'PUBLIC_KEY', 5: 'FLAGS',
       6: 'LISTEN_PORT', 7: 'FWMARK', 8: 'PEERS'}
PEER = {1: 'PUBLIC_KEY', 2: 'PRESHARED_KEY', 3: 'FLAGS', 4: 'ENDPOINT',
        5: 'PERSISTENT_KEEPALIVE_INTERVAL', 6: 'LAST_HANDSHAKE_TIME', 7: 'RX_BYTES',
        8: 'TX_BYTES', 9: 'ALLOWEDIPS', 10: 'PROTOCOL_VERSION'}
AIP = {1: 'FAMILY', 2: 'IPADDR', 3: 'CIDR_MASK', 4: 'FLAGS'}
NLF = [(1, 'REQUEST'), (2, 'MULTI'), (4, 'ACK'), (8, 'ECHO'), (0x100, 'ROOT'),
       (0x200, 'MATCH'), (0x400, 'ATOMIC')]


def attrs(buf):
    off = 0
    while off + 4 <= len(buf):
        ln, typ = struct.unpack_from('<HH', buf, off)
        if ln < 4:
            break
        yield typ & 0x3fff, bool(typ & 0x8000), buf[off + 4:off + ln]
        off += (ln + 3) & ~3


def scalar(data):
    if len(data) == 1:
        return str(data[0])
    if len(data) == 2:
        return str(struct.unpack('<H', data)[0])
    if len(data) == 4:
        return str(struct.unpack('<I', data)[0])
    return None


def walk(buf, names, path, out):
    for typ, nested, data in attrs(buf):
        name = names.get(typ, 'T%d' % typ)
        p = '%s/%s%s' % (path, name, '+N' if nested else '')
        if names is DEV and typ == 8 or names is PEER and typ == 9:
            sub = PEER if names is DEV else AIP
            out.append('%s len=%d' % (p, len(data)))
            for etyp, enested, edata in attrs(data):
                walk(edata, sub, '%s/#%d%s' % (p, etyp, '+N' if enested else ''), out)
            continue
        if name in ('FLAGS', 'LISTEN_PORT', 'FWMARK', 'PERSISTENT_KEEPALIVE_INTERVAL',
                    'FAMILY', 'CIDR_MASK', 'IFINDEX'):
            out.append('%s=%s (len %d)' % (p, scalar(data), len(data)))
        elif name == 'IFNAME':
            out.append('%s=%r' % (p, data.rstrip(b'\0').decode(errors='replace')))
        elif name == 'ENDPOINT':
            fam = struct.unpack_from('<H', data)[0] if len(data) >= 2 else -1
            out.append('%s family=%d len=%d' % (p, fam, len(data)))
        else:
            out.append('%s len=%d' % (p, len(data)))


def messages(raw):
    """Every generic-netlink message in the capture: (type, flags, bytes)."""
    off = 24
    while off + 16 <= len(raw):
        _, _, incl, _ = struct.unpack_from('<IIII', raw, off)
        pkt = raw[off + 16:off + 16 + incl]
        off += 16 + incl
        if len(pkt) < 16 or struct.unpack_from('>H', pkt, 14)[0] != 16:	# NETLINK_GENERIC
            continue
        msg = pkt[16:]
        moff = 0
        while moff + 20 <= len(msg):
            ln, typ, flags, _, _ = struct.unpack_from('<IHHII', msg, moff)
            if ln < 16:
                break
            yield typ, flags, msg[moff:moff + ln]
            moff += (ln + 3) & ~3


def main():
    fam = None if sys.argv[1] == 'auto' else int(sys.argv[1])
    raw = open(sys.argv[2], 'rb').read()
    magic = struct.unpack_from('<I', raw)[0]
    assert magic == 0xa1b2c3d4, 'not a little-endian pcap'
    if fam is None:
        # The controller's CTRL_CMD_NEWFAMILY naming "wireguard", wherever
        # it is in the capture: FAMILY_ID (1), FAMILY_NAME (2).
        for typ, flags, m in messages(raw):
            if typ == 0x10 and m[16] == 1:
                got = dict((t, d) for t, _, d in attrs(m[20:]))
                if got.get(2, b'').rstrip(b'\0') == b'wireguard' and 1 in got:
                    fam = struct.unpack('<H', got[1][:2])[0]
                    break
    shapes = Counter()
    first = []
    for typ, flags, m in messages(raw):
        if typ != fam or not flags & 1:
            continue
        cmd, ver = m[16], m[17]
        fl = '|'.join(n for b, n in NLF if flags & b) or '0'
        out = []
        walk(m[20:], DEV, 'DEVICE', out)
        # Allowed IPs by the hundred: each distinct line once.
        body = tuple(sorted(set(out)))
        key = ('%s flags=%s version=%d' % ({0: 'GET', 1: 'SET'}.get(cmd, cmd), fl, ver), body)
        if key not in shapes:
            first.append(key)
        shapes[key] += 1
    for key in first:
        print('%s  (x%d)' % (key[0], shapes[key]))
        for line in key[1]:
            print('    ' + line)


if __name__ == '__main__':
    main()
