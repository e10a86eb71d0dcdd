#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Checks of uapi/wireguard.yaml, called by tests/host/ynl/run.

  check_spec.py schema SPEC SCHEMA        jsonschema against the kernel's schema
  check_spec.py header SPEC OURS.h GEN.h  names and values: our header against
                                          the one ynl-gen-c.py made from SPEC
  check_spec.py policy SPEC netlink.c     attribute types and lengths against
                                          the module's nla_policy arrays
  check_spec.py ynl SPEC SCHEMA YNLDIR    tools/net/ynl's library loads SPEC
                                          and encodes/decodes with it, offline
  check_spec.py cli YNLDIR CLI-ARGS...    cli.py, plus encoding of indexed
                                          arrays (for set-device with peers)

Each check prints one "PASS: [ynl] ..." or "FAIL: [ynl] ..." line and exits
non-zero on failure.
"""
import copy
import os
import re
import struct
import subprocess
import sys
import tempfile

import yaml

# Names of uapi/wireguard.h that YNL cannot render under that name, and what
# the generator calls them instead (consts are always family-prefixed).
RENAMED = {"WIREGUARD_KEY_LEN": "WG_KEY_LEN",
           "WIREGUARD_KWG_FIRST": "WG_KWG_FIRST",
           "WIREGUARD_PEER_NAME_MAX": "WG_PEER_NAME_MAX"}
# Names of uapi/wireguard.h that YNL has no way to render at all: the masks of
# all flags (render-max would name them WG*_F_MASK). Checked against the spec.
MASKS = {"__WGDEVICE_F_ALL": "device-flags",
         "__WGPEER_F_ALL": "peer-flags",
         "__WGALLOWEDIP_F_ALL": "allowedip-flags"}


def result(ok, what, detail=""):
    detail = " ".join(str(detail).split("\n\n")[0].split())  # one line
    print(f"{'PASS' if ok else 'FAIL'}: [ynl] {what}" + (f": {detail}" if detail else ""))
    return 0 if ok else 1


def load(path):
    with open(path) as f:
        return yaml.safe_load(f)


# --- (a) the kernel's schema ------------------------------------------------

def check_schema(spec_path, schema_path):
    import jsonschema
    spec, schema = load(spec_path), load(schema_path)
    what = f"{os.path.basename(spec_path)} is valid {os.path.basename(schema_path)}"
    if spec.get("protocol") != os.path.basename(schema_path)[:-5]:
        return result(False, what, f"protocol is {spec.get('protocol')!r}")
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(spec), key=str)
    detail = "; ".join(f"/{'/'.join(map(str, e.absolute_path))}: {e.message}"
                       for e in errors[:5])
    return result(not errors, what, detail)


# --- (b) names and values against uapi/wireguard.h --------------------------

def header_values(header):
    """Every enumerator and #define of a header, evaluated by the C compiler
    (so implicit values, 1U << n and a | b mean what they mean in C)."""
    text = open(header).read()
    names, strings = [], set()
    for m in re.finditer(r"^#define\s+(\w+)[ \t]+(\S.*)$", text, re.M):
        names.append(m.group(1))
        if m.group(2).startswith('"'):
            strings.add(m.group(1))
    for body in re.findall(r"enum\s*\w*\s*\{(.*?)\}", text, re.S):
        body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
        names += re.findall(r"^\s*(\w+)\s*(?:=|,|$)", body, re.M)
    src = "#include <stdio.h>\n#include \"%s\"\nint main(void) {\n" % os.path.abspath(header)
    for n in names:
        if n in strings:
            src += f'\tprintf("%s=\\"%s\\"\\n", "{n}", {n});\n'
        else:
            src += f'\tprintf("%s=%lld\\n", "{n}", (long long)({n}));\n'
    src += "\treturn 0;\n}\n"
    with tempfile.TemporaryDirectory() as tmp:
        with open(f"{tmp}/v.c", "w") as f:
            f.write(src)
        subprocess.run(["gcc", "-Wall", "-Werror", "-o", f"{tmp}/v", f"{tmp}/v.c"], check=True)
        out = subprocess.run([f"{tmp}/v"], check=True, capture_output=True, text=True).stdout
    return dict(line.split("=", 1) for line in out.splitlines())


def flags_mask(spec, name):
    for d in spec.get("definitions", []):
        if d["name"] == name:
            # As nlspec does it: entry values are bit numbers.
            mask, bit = 0, d.get("value-start", 0)
            for e in d["entries"]:
                if isinstance(e, dict) and "value" in e:
                    bit = e["value"]
                mask |= 1 << bit
                bit += 1
            return mask
    return None


def c_upper(name):
    return name.upper().replace("-", "_")


def enum_values(entries, first=0):
    """{name: value} of spec entries numbered as YNL numbers them."""
    out, val = {}, first
    for e in entries:
        val = e.get("value", val)
        out[e["name"]] = val
        val += 1
    return out


def standard_counts(spec):
    """The count and max names whose value in uapi/wireguard.h covers only
    the standard numbers, below kwg-first: kwg's extensions (docs/events.md)
    share the standard attribute spaces in the spec, so that an event's
    peer nest decodes as one, but the header defines them apart so that
    WGPEER_A_MAX and the like keep the ABI value tools were built with.
    The generator renders no count at all for the events' own enum (the
    async enum); the header ends it with __<async-prefix>LAST.
    Returns {name: expected value} for the names not to compare with the
    generated header."""
    consts = {d["name"]: d["value"] for d in spec.get("definitions", [])
              if d["type"] == "const"}
    first = consts.get("kwg-first")
    out = {}
    if first is None:
        return out
    for s in spec["attribute-sets"]:
        values = enum_values(s["attributes"]).values()
        if max(values) < first:
            continue
        last = max(v for v in values if v < first) + 1
        out[c_upper(s["attr-cnt-name"])] = last
        out[c_upper(s["attr-max-name"])] = last - 1
    ops = spec["operations"]
    events = [o["value"] for o in ops["list"] if "event" in o or "notify" in o]
    if "async-prefix" in ops and events:
        out["__" + c_upper(ops["async-prefix"]) + "LAST"] = max(events) + 1
    return out


def check_header(spec_path, ours_h, gen_h):
    spec = load(spec_path)
    ours = header_values(ours_h)
    gen = {RENAMED.get(k, k): v for k, v in header_values(gen_h).items()}
    standard = standard_counts(spec)
    bad = []
    for k in sorted(set(ours) | set(gen)):
        if k in standard:
            if k not in ours or int(ours[k]) != standard[k]:
                bad.append(f"{k}={ours.get(k)} but the spec's standard range makes {standard[k]}")
        elif k in MASKS and k not in gen:
            want = flags_mask(spec, MASKS[k])
            if want is None or int(ours[k]) != want:
                bad.append(f"{k}={ours[k]} but the spec's {MASKS[k]} make {want}")
        elif k not in ours:
            bad.append(f"{k}={gen[k]} in the spec, not in {os.path.basename(ours_h)}")
        elif k not in gen:
            bad.append(f"{k}={ours[k]} in {os.path.basename(ours_h)}, not in the spec")
        elif ours[k] != gen[k]:
            bad.append(f"{k}: header {ours[k]}, spec {gen[k]}")
    return result(not bad, f"all {len(ours)} names and values of "
                  f"{os.path.basename(ours_h)} agree with the spec", "; ".join(bad))


# --- (b') types and lengths against module/netlink.c ------------------------

# Attributes whose policy entry in module/netlink.c takes any bytes because
# the SET handler checks them itself, so that its extack names them: what
# the handler enforces, as the spec states it.
HANDLER_CHECKED = {"WGPEER_A_NAME": ("binary", (("max-len", 65),))}

# The C expressions module/netlink.c uses for lengths: ABI constants.
C_SIZES = {"WG_KEY_LEN": 32, "sizeof(struct in_addr)": 4,
           "sizeof(struct sockaddr)": 16,
           "sizeof(struct __kernel_timespec)": 16, "IFNAMSIZ - 1": 15}


def module_policies(path):
    """{set: {ATTR_ENUM_NAME: normalised policy}} from the nla_policy arrays."""
    text = open(path).read()
    out = {}
    for name, body in re.findall(
            r"struct nla_policy (\w+)_policy\[\w+ \+ 1\] = \{(.*?)\n\};", text, re.S):
        pol = {}
        body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
        for attr, p in re.findall(r"\[(\w+)\]\s*=\s*(.*?),?\s*(?=\n\s*\[|\Z)", body, re.S):
            p = " ".join(p.split())
            if m := re.fullmatch(r"\{ \.type = NLA_(U8|U16|U32|U64) \}", p):
                pol[attr] = (m.group(1).lower(),)
            elif m := re.fullmatch(r"\{ \.type = NLA_NUL_STRING, \.len = (.*) \}", p):
                pol[attr] = ("string", C_SIZES.get(m.group(1), m.group(1)))
            elif m := re.fullmatch(r"NLA_POLICY_(EXACT|MIN)_LEN\((.*)\)", p):
                pol[attr] = (m.group(1).lower() + "-len", C_SIZES.get(m.group(2), m.group(2)))
            elif m := re.fullmatch(r"NLA_POLICY_NESTED_ARRAY\((\w+)_policy\)", p):
                pol[attr] = ("nested-array", m.group(1))
            elif p == "{ .type = NLA_BINARY }":
                pol[attr] = ("binary",)
            else:
                pol[attr] = ("unparsed", p)
        out[name] = pol
    return out


def spec_policies(spec):
    consts = {d["name"]: d["value"] for d in spec.get("definitions", [])
              if d["type"] == "const"}
    first = consts.get("kwg-first")
    out = {}
    for s in spec["attribute-sets"]:
        pfx = s["name-prefix"].upper().replace("-", "_")
        pol = {}
        values = enum_values(s["attributes"])
        for a in s["attributes"]:
            t, checks = a["type"], a.get("checks", {})
            ln = lambda k: consts.get(checks[k], checks[k])  # noqa: E731
            if t == "unused":
                continue
            if first is not None and values[a["name"]] >= first and a["name"].startswith("event-"):
                # Sent in events only: a request carrying one is refused,
                # by the policy having no entry for it.
                pol[pfx + c_upper(a["name"])] = None
                continue
            if t in ("u8", "u16", "u32", "u64"):
                p = (t,) + tuple(sorted(checks.items()))
            elif t == "string":
                p = ("string", ln("max-len"))
            elif t == "binary" and "exact-len" in checks:
                p = ("exact-len", ln("exact-len"))
            elif t == "binary" and "min-len" in checks:
                p = ("min-len", ln("min-len"))
            elif t == "indexed-array" and a.get("sub-type") == "nest":
                p = ("nested-array", a["nested-attributes"])
            else:
                p = (t, tuple(sorted(checks.items())))
            pol[pfx + a["name"].upper().replace("-", "_")] = p
        out[s["name"]] = pol
    return out


def check_policy(spec_path, netlink_c):
    mod, spec = module_policies(netlink_c), spec_policies(load(spec_path))
    bad = []
    for s in sorted(set(mod) | set(spec)):
        m, p = mod.get(s, {}), spec.get(s, {})
        for a in sorted(set(m) | set(p)):
            if a in HANDLER_CHECKED and m.get(a) == ("binary",) and p.get(a) == HANDLER_CHECKED[a]:
                continue
            if m.get(a) != p.get(a):
                bad.append(f"{a}: module {m.get(a)}, spec {p.get(a)}")
    n = sum(len(v) for v in mod.values())
    return result(not bad and n > 0, f"types and lengths of the {n} attributes "
                  f"agree with {os.path.basename(netlink_c)}'s nla_policy",
                  "; ".join(bad) or ("no policy found" if not n else ""))


# --- (c) tools/net/ynl's library ---------------------------------------------

def ynl_import(ynl_dir):
    sys.path.insert(0, ynl_dir)
    from lib import ynl  # noqa: E402  (tools/net/ynl/lib, as cli.py imports it)
    return ynl


def add_indexed_array_encoding(ynl):
    """6.12's YnlFamily decodes indexed-array but cannot encode it, so
    set-device with peers needs this: each entry a nest whose type is its
    index (1, 2, ...: the module ignores it), inside the array attribute."""
    orig = ynl.YnlFamily._add_attr

    def _add_attr(self, space, name, value, search_attrs):
        attr = self.attr_sets[space].attrs.get(name)
        if attr is None or attr["type"] != "indexed-array" or attr.get("sub-type") != "nest":
            return orig(self, space, name, value, search_attrs)
        sub, payload = attr["nested-attributes"], b""
        for i, entry in enumerate(value, 1):
            inner = b"".join(_add_attr(self, sub, n, v, None) for n, v in entry.items())
            payload += struct.pack("HH", len(inner) + 4, i | ynl.Netlink.NLA_F_NESTED) + inner
        return struct.pack("HH", len(payload) + 4, attr.value | ynl.Netlink.NLA_F_NESTED) + payload

    ynl.YnlFamily._add_attr = _add_attr


def offline_family(ynl, spec_path, schema_path):
    """A YnlFamily with its spec loaded and validated but no socket: the
    host has no wireguard family to talk to."""
    fam = ynl.YnlFamily.__new__(ynl.YnlFamily)
    ynl.SpecFamily.__init__(fam, spec_path, schema_path)
    fam.process_unknown = False
    fam.include_raw = False
    return fam


def dangling_refs(fam):
    """nlspec does not check that names used in the spec exist: do it."""
    bad = []
    for op in fam.ops.values():
        for mode in ("do", "dump"):
            for d in ("request", "reply"):
                for a in op.yaml.get(mode, {}).get(d, {}).get("attributes", []):
                    if a not in op.attr_set.attrs:
                        bad.append(f"{op.name} {mode} {d}: no attribute {a}")
    for s in fam.attr_sets.values():
        for a in s.attrs.values():
            for key, table in (("nested-attributes", fam.attr_sets),
                               ("enum", fam.consts), ("struct", fam.consts)):
                if key in a.yaml and a.yaml[key] not in table:
                    bad.append(f"{s.name}.{a.name}: no {key} {a.yaml[key]}")
            for v in a.yaml.get("checks", {}).values():
                if isinstance(v, str) and v not in fam.consts:
                    bad.append(f"{s.name}.{a.name}: no const {v}")
    return bad


def check_ynl(spec_path, schema_path, ynl_dir):
    ynl = ynl_import(ynl_dir)
    fails = 0
    try:
        fam = offline_family(ynl, spec_path, schema_path)
    except Exception as e:  # noqa: BLE001  (any error of the loader is the finding)
        return result(False, "lib/ynl.py loads the spec", f"{type(e).__name__}: {e}")
    ops = {n: sorted(op.modes) for n, op in fam.ops.items()}
    bad = dangling_refs(fam)
    want = {"get-device": (0, ["dump"]), "set-device": (1, ["do"])}
    for n, (val, modes) in want.items():
        if n not in fam.ops or fam.ops[n].value != val or ops[n] != modes:
            bad.append(f"{n}: want cmd {val} {modes}")
    fails += result(not bad, f"lib/ynl.py loads the spec: ops {ops}", "; ".join(bad))

    # set-device as cli.py --do would send it, with the stock encoder, then
    # decoded back with the stock decoder.
    key = bytes(range(32))
    req = {"ifname": "wg0", "private-key": key, "listen-port": 51820,
           "fwmark": 0x2a, "flags": ["replace-peers"]}
    try:
        wire = b"".join(fam._add_attr("device", n, v, None) for n, v in req.items())
        back = fam._decode(ynl.NlAttrs(wire), "device")
        exp = dict(req, flags={"replace-peers"})
        port = struct.pack("HHH", 6, 6, 51820) + b"\0\0"  # WGDEVICE_A_LISTEN_PORT=6, u16
        ok = back == exp and port in wire
        fails += result(ok, "stock ynl encodes and decodes set-device (no peers)",
                        "" if ok else f"got {back}")
    except Exception as e:  # noqa: BLE001
        fails += result(False, "stock ynl encodes and decodes set-device (no peers)",
                        f"{type(e).__name__}: {e}")

    # A get-device reply with peers, as the module sends it, decoded by the
    # stock decoder (what cli.py --dump get-device prints).
    add_indexed_array_encoding(ynl)
    sin = struct.pack("<H", 2) + struct.pack(">H", 51820) + bytes([192, 0, 2, 1]) + bytes(8)
    peer = {"public-key": key[::-1], "preshared-key": bytes(32),
            "endpoint": sin, "persistent-keepalive-interval": 25,
            "last-handshake-time": {"tv-sec": 1700000000, "tv-nsec": 5},
            "rx-bytes": 1 << 40, "tx-bytes": 7, "protocol-version": 1,
            "allowedips": [{"family": 2, "ipaddr": bytes([10, 0, 0, 0]), "cidr-mask": 24},
                           {"family": 10, "ipaddr": bytes(16), "cidr-mask": 0,
                            "flags": ["remove-me"]}]}
    rsp = {"ifindex": 5, "ifname": "wg0", "public-key": key, "listen-port": 51820,
           "fwmark": 0, "peers": [peer]}
    try:
        # deepcopy: the struct encoder consumes the dicts it is given.
        wire = b"".join(fam._add_attr("device", n, v, None)
                        for n, v in copy.deepcopy(rsp).items())
        back = fam._decode(ynl.NlAttrs(wire), "device")
        p = back["peers"][0][1]
        ok = (p["allowedips"][1][2]["flags"] == {"remove-me"}
              and p["last-handshake-time"] == peer["last-handshake-time"]
              and p["endpoint"] == sin and p["rx-bytes"] == 1 << 40
              and back["listen-port"] == 51820 and len(p["allowedips"]) == 2)
        fails += result(ok, "stock ynl decodes a get-device reply with peers and allowed IPs",
                        "" if ok else f"got {back}")
    except Exception as e:  # noqa: BLE001
        fails += result(False, "stock ynl decodes a get-device reply with peers",
                        f"{type(e).__name__}: {e}")
    fails += check_events(ynl, fam, key, sin)
    return 1 if fails else 0


# The events of docs/events.md and their numbers (uapi/wireguard.h).
EVENTS = {"peer-added": 64, "peer-removed": 65, "peer-changed": 66,
          "device-changed": 67, "handshake-completed": 68,
          "keys-expired": 69, "endpoint-changed": 70}


def u32_attr(atype, value):
    return struct.pack("HHI", 8, atype, value)


def check_events(ynl, fam, key, sin):
    """The events on kwg-events, and three of them as the module builds
    them, decoded by the stock decoder (what cli.py --subscribe prints)."""
    fails = 0
    got = {n: op.value for n, op in fam.ntfs.items()}
    groups = {op.yaml.get("mcgrp") for op in fam.ntfs.values()}
    grp = fam.mcast_groups.get("kwg-events")
    ok = (got == EVENTS and groups == {"kwg-events"} and grp is not None
          and grp.yaml.get("flags") == ["uns-admin-perm"])
    fails += result(ok, f"lib/ynl.py knows the {len(EVENTS)} events on kwg-events "
                    "(uns-admin-perm)", "" if ok else f"got {got}, groups {groups}")

    sin6 = (struct.pack("<H", 10) + struct.pack(">H", 51820) + bytes(4)
            + bytes(15) + b"\x01" + bytes(4))
    name = "caf\u00e9".encode() + b"\0"
    roamed = {"ifindex": 5, "ifname": "wg0", "event-suppressed": 3,
              "peers": [{"public-key": key, "name": name, "endpoint": sin6,
                         "event-old-endpoint": sin}]}
    changed = {"ifindex": 5, "ifname": "wg0", "event-portid": 1234,
               "peers": [{"public-key": key, "event-changes": ["endpoint", "name"]}]}
    device = {"ifindex": 5, "ifname": "wg0", "event-portid": 0,
              "event-changes": ["private-key", "peers-replaced"]}
    try:
        wire = [b"".join(fam._add_attr("device", n, v, None)
                         for n, v in copy.deepcopy(m).items())
                for m in (roamed, changed, device)]
        back = [fam._decode(ynl.NlAttrs(w), "device") for w in wire]
        p0, p1 = back[0]["peers"][0][1], back[1]["peers"][0][1]
        ok = (p0["name"] == name and p0["endpoint"] == sin6
              and p0["event-old-endpoint"] == sin
              and back[0]["event-suppressed"] == 3
              and p1["event-changes"] == {"endpoint", "name"}
              and back[1]["event-portid"] == 1234
              and back[2]["event-changes"] == {"private-key", "peers-replaced"}
              # The numbers on the wire: uapi/wireguard.h's.
              and u32_attr(66, 3) in wire[0] and u32_attr(64, 1234) in wire[1]
              and u32_attr(66, 2 | 16) in wire[1] and u32_attr(65, 1 | 8) in wire[2])
        fails += result(ok, "stock ynl decodes endpoint-changed, peer-changed and "
                        "device-changed events", "" if ok else f"got {back}")
    except Exception as e:  # noqa: BLE001
        fails += result(False, "stock ynl decodes events", f"{type(e).__name__}: {e}")
    return fails


def run_cli(ynl_dir, args):
    ynl = ynl_import(ynl_dir)
    add_indexed_array_encoding(ynl)
    sys.path.insert(0, ynl_dir)
    import cli  # noqa: E402
    sys.argv = ["cli.py"] + args
    cli.main()
    return 0


def main(argv):
    cmd, args = argv[1], argv[2:]
    if cmd == "schema":
        return check_schema(*args)
    if cmd == "header":
        return check_header(*args)
    if cmd == "policy":
        return check_policy(*args)
    if cmd == "ynl":
        return check_ynl(*args)
    if cmd == "cli":
        return run_cli(args[0], args[1:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
