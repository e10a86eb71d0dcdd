#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
# The pyroute2 side of suites/client-pyroute2.sh: every configuration step
# goes through pyroute2's own classes (IPRoute for the link, addresses and
# state, WireGuard for the generic-netlink family), run in the namespace the
# caller chose with `ip netns exec`.
#
#   client-pyroute2.py link IFNAME ADDR/LEN...       create, address, up
#   client-pyroute2.py set IFNAME JSON               WireGuard().set(IFNAME, **JSON)
#   client-pyroute2.py dump IFNAME                   WireGuard().info() as `wg show IFNAME dump`
#   client-pyroute2.py del IFNAME                    delete the link
#   client-pyroute2.py serve                         the above, one per line of
#                                                    stdin (shell words), each
#                                                    answered by its output and
#                                                    a line "@@kwg-end STATUS"
#
# (Starting python and importing pyroute2 takes tens of seconds under TCG:
# the suite starts one server per namespace.)
#
# JSON is set()'s keyword arguments: private_key, listen_port, fwmark, and
# peer (a dict: public_key, preshared_key, endpoint_addr, endpoint_port,
# persistent_keepalive, allowed_ips, remove) or peers (a list of such
# dicts, one set() call each).
import json
import shlex
import sys
import traceback
from base64 import b64decode, b64encode

from pyroute2 import IPRoute, WireGuard


def link(ifname, addrs):
    with IPRoute() as ipr:
        ipr.link('add', ifname=ifname, kind='wireguard')
        idx = ipr.link_lookup(ifname=ifname)[0]
        for a in addrs:
            addr, plen = a.split('/')
            ipr.addr('add', index=idx, address=addr, prefixlen=int(plen))
        ipr.link('set', index=idx, state='up')


def set_(ifname, args):
    kw = json.loads(args)
    peers = kw.pop('peers', None)
    wg = WireGuard()
    try:
        if peers is None:
            wg.set(ifname, **kw)
        else:
            if kw:
                wg.set(ifname, **kw)
            for p in peers:
                wg.set(ifname, peer=p)
    finally:
        wg.close()


def key(v):
    # pyroute2 decodes keys to base64 bytes; an all-zero key means none.
    if v is None:
        return '(none)'
    if not isinstance(v, (bytes, str)):
        v = v['value']
    raw = b64decode(v)
    if raw == bytes(32):
        return '(none)'
    return b64encode(raw).decode()


def dump(ifname):
    wg = WireGuard()
    try:
        msgs = wg.info(ifname)
    finally:
        wg.close()
    dev = {}
    peers = {}
    order = []
    for m in msgs:
        for name, val in (('private', 'WGDEVICE_A_PRIVATE_KEY'),
                          ('public', 'WGDEVICE_A_PUBLIC_KEY'),
                          ('port', 'WGDEVICE_A_LISTEN_PORT'),
                          ('fwmark', 'WGDEVICE_A_FWMARK')):
            a = m.get_attr(val)
            if a is not None:
                dev[name] = a
        for p in m.get_attr('WGDEVICE_A_PEERS') or []:
            pub = key(p.get_attr('WGPEER_A_PUBLIC_KEY'))
            if pub not in peers:
                # A peer whose allowed IPs span two messages comes twice.
                order.append(pub)
                peers[pub] = {'allowed': []}
            e = peers[pub]
            psk = p.get_attr('WGPEER_A_PRESHARED_KEY')
            if psk is not None:
                e['psk'] = key(psk)
            ep = p.get_attr('WGPEER_A_ENDPOINT')
            if ep is not None and ep.get('addr') not in (None, '0.0.0.0', '::'):
                a = ep['addr']
                e['endpoint'] = ('[%s]:%d' if ':' in a else '%s:%d') % (a, ep['port'])
            for name, attr in (('keepalive', 'WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL'),
                               ('rx', 'WGPEER_A_RX_BYTES'), ('tx', 'WGPEER_A_TX_BYTES')):
                v = p.get_attr(attr)
                if v is not None:
                    e[name] = v
            hs = p.get_attr('WGPEER_A_LAST_HANDSHAKE_TIME')
            if hs is not None:
                e['handshake'] = hs['tv_sec']
            for ip in p.get_attr('WGPEER_A_ALLOWEDIPS') or []:
                if 'addr' in ip:
                    e['allowed'].append(ip['addr'])
    fw = dev.get('fwmark', 0)
    print('\t'.join([key(dev.get('private')), key(dev.get('public')),
                     str(dev.get('port', 0)), '0x%x' % fw if fw else 'off']))
    for pub in order:
        e = peers[pub]
        print('\t'.join([pub, e.get('psk', '(none)'), e.get('endpoint', '(none)'),
                         ','.join(e['allowed']) or '(none)', str(e.get('handshake', 0)),
                         str(e.get('rx', 0)), str(e.get('tx', 0)),
                         str(e['keepalive']) if e.get('keepalive') else 'off']))


def run(argv):
    cmd, ifname = argv[0], argv[1]
    if cmd == 'link':
        link(ifname, argv[2:])
    elif cmd == 'set':
        set_(ifname, argv[2])
    elif cmd == 'dump':
        dump(ifname)
    elif cmd == 'prid':		# the family's id (IFNAME unused)
        wg = WireGuard()
        print(wg.prid)
        wg.close()
    elif cmd == 'del':
        with IPRoute() as ipr:
            ipr.link('del', index=ipr.link_lookup(ifname=ifname)[0])
    else:
        raise ValueError('unknown command ' + cmd)


def main():
    if sys.argv[1:] != ['serve']:
        run(sys.argv[1:])
        return
    for line in sys.stdin:
        status = 0
        try:
            run(shlex.split(line))
        except Exception:
            traceback.print_exc(file=sys.stdout)
            status = 1
        print('@@kwg-end %d' % status, flush=True)


if __name__ == '__main__':
    main()
