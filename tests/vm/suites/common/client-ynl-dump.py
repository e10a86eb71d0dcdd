#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""What `cli.py --dump get-device --output-json` printed (stdin), in the
format of `wg show INTERFACE dump` (stdout), for client-ynl.sh to compare.

cli.py prints one JSON list: one object per netlink message of the dump,
binary attributes in hex, each indexed-array entry an object keyed by its
index. A dump too big for one message continues a peer in the next one
(the same public key again, with more allowed IPs), so consecutive entries
for one key are one peer. Only the first message names the device (stock
and ours); a later one naming another device, or a peer without a public
key, is an error: the check that reads this fails on it. Only the
attributes `wg show dump` prints are read.
"""
import base64
import ipaddress
import json
import struct
import sys

AF_INET, AF_INET6 = 2, 10


def key(hexstr):
    return base64.b64encode(bytes.fromhex(hexstr)).decode()


def endpoint(hexstr):
    raw = bytes.fromhex(hexstr)
    family, port = struct.unpack("<H", raw[:2])[0], struct.unpack(">H", raw[2:4])[0]
    if family == AF_INET:
        return f"{ipaddress.IPv4Address(raw[4:8])}:{port}"
    if family == AF_INET6:
        addr = ipaddress.IPv6Address(raw[8:24])
        scope = struct.unpack("<I", raw[24:28])[0]
        return f"[{addr}{'%' + str(scope) if scope else ''}]:{port}"
    raise ValueError(f"endpoint of family {family}")


def allowed_ip(entry):
    (a,) = entry.values()
    addr = ipaddress.ip_address(bytes.fromhex(a["ipaddr"]))
    if a["family"] != (AF_INET if addr.version == 4 else AF_INET6):
        raise ValueError(f"allowed IP {addr} with family {a['family']}")
    return f"{addr}/{a['cidr-mask']}"


def main():
    msgs = json.load(sys.stdin)
    if not msgs:
        raise ValueError("no message in the dump")
    dev, peers = msgs[0], []
    if "ifindex" not in dev or "ifname" not in dev:
        raise ValueError(f"the first message does not name the device: {dev}")
    for m in msgs:
        if m.get("ifindex", dev["ifindex"]) != dev["ifindex"] or \
                m.get("ifname", dev["ifname"]) != dev["ifname"]:
            raise ValueError(f"a message naming another device: {m}")
        for entry in m.get("peers", []):
            (p,) = entry.values()
            if "public-key" not in p:
                raise ValueError(f"a peer without a public key: {p}")
            ips = [allowed_ip(a) for a in p.get("allowedips", [])]
            if peers and peers[-1]["public-key"] == p["public-key"]:
                peers[-1]["ips"] += ips
                continue
            peers.append(dict(p, ips=ips))
    priv = dev.get("private-key")
    pub = dev.get("public-key")
    fwmark = dev.get("fwmark", 0)
    print("\t".join([key(priv) if priv else "(none)", key(pub) if pub else "(none)",
                     str(dev.get("listen-port", 0)), f"0x{fwmark:x}" if fwmark else "off"]))
    for p in peers:
        psk = p.get("preshared-key")
        psk = key(psk) if psk and bytes.fromhex(psk) != bytes(32) else "(none)"
        ka = p.get("persistent-keepalive-interval", 0)
        print("\t".join([key(p["public-key"]), psk,
                         endpoint(p["endpoint"]) if "endpoint" in p else "(none)",
                         ",".join(p["ips"]) or "(none)",
                         str(p.get("last-handshake-time", {}).get("tv-sec", 0)),
                         str(p.get("rx-bytes", 0)), str(p.get("tx-bytes", 0)),
                         str(ka) if ka else "off"]))


if __name__ == "__main__":
    main()
