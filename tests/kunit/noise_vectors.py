#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Known-answer vectors for the KUnit tests of module/noise.c and cookie.c.

Computes one WireGuard handshake transcript from fixed keys, straight from
docs/protocol.md, with userspace primitives that share no code with the
kernel: hashlib's BLAKE2s, the `cryptography` package's X25519 and
ChaCha20-Poly1305, and libsodium (through ctypes) for XChaCha20-Poly1305.

    tests/kunit/noise_vectors.py > module/tests/noise_vectors.h
"""
import ctypes
import ctypes.util
import hashlib
import struct

from cryptography.hazmat.primitives.asymmetric.x25519 import (
    X25519PrivateKey, X25519PublicKey)
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives import serialization

CONSTRUCTION = b"Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s"
IDENTIFIER = b"WireGuard v1 zx2c4 Jason@zx2c4.com"
LABEL_MAC1 = b"mac1----"
LABEL_COOKIE = b"cookie--"


def HASH(x):
    return hashlib.blake2s(x, digest_size=32).digest()


def MAC(key, x):
    return hashlib.blake2s(x, digest_size=16, key=key).digest()


def HMAC(key, x):
    # RFC 2104 over BLAKE2s, 64-byte block.
    key = key.ljust(64, b"\0")
    inner = HASH(bytes(k ^ 0x36 for k in key) + x)
    return HASH(bytes(k ^ 0x5C for k in key) + inner)


def KDF(n, key, x):
    t0 = HMAC(key, x)
    out, prev = [], b""
    for i in range(1, n + 1):
        prev = HMAC(t0, prev + bytes([i]))
        out.append(prev)
    return out


def pub(priv):
    return X25519PrivateKey.from_private_bytes(priv).public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def DH(priv, public):
    return X25519PrivateKey.from_private_bytes(priv).exchange(
        X25519PublicKey.from_public_bytes(public))


def AEAD(key, counter, plain, ad):
    nonce = b"\0" * 4 + struct.pack("<Q", counter)
    return ChaCha20Poly1305(key).encrypt(nonce, plain, ad)


def XAEAD(key, nonce, plain, ad):
    lib = ctypes.CDLL(ctypes.util.find_library("sodium") or "libsodium.so.23")
    assert lib.sodium_init() >= 0
    out = ctypes.create_string_buffer(len(plain) + 16)
    outlen = ctypes.c_ulonglong()
    rc = lib.crypto_aead_xchacha20poly1305_ietf_encrypt(
        out, ctypes.byref(outlen), plain, ctypes.c_ulonglong(len(plain)),
        ad, ctypes.c_ulonglong(len(ad)), None, nonce, key)
    assert rc == 0 and outlen.value == len(plain) + 16
    return out.raw


def clamp(k):
    k = bytearray(k)
    k[0] &= 248
    k[31] = (k[31] & 127) | 64
    return bytes(k)


def fixed(seed):
    return bytes((seed * 7 + i * 13) & 0xFF for i in range(32))


# Inputs. Private keys are given unclamped on purpose: X25519 clamps.
s_i, s_r = fixed(1), fixed(2)
e_i, e_r = fixed(3), fixed(4)
psk = fixed(5)
timestamp = bytes.fromhex("400000006553f100") + struct.pack(">I", 0x12000000)
sender_i, sender_r = 0x11223344, 0x55667788
cookie_secret = fixed(6)
cookie_nonce = bytes(range(100, 124))
src_ip, src_port = bytes([192, 0, 2, 7]), struct.pack(">H", 51820)

S_i, S_r, E_i, E_r = pub(s_i), pub(s_r), pub(e_i), pub(e_r)

# Message 1.
C = HASH(CONSTRUCTION)
H = HASH(C + IDENTIFIER)
H = HASH(H + S_r)
C = KDF(1, C, E_i)[0]
H = HASH(H + E_i)
C, k = KDF(2, C, DH(e_i, S_r))
enc_static = AEAD(k, 0, S_i, H)
H = HASH(H + enc_static)
C, k = KDF(2, C, DH(s_i, S_r))
enc_ts = AEAD(k, 0, timestamp, H)
H = HASH(H + enc_ts)
C_after_init, H_after_init = C, H
init = struct.pack("<I", 1) + struct.pack("<I", sender_i) + E_i + enc_static + enc_ts
init_mac1 = MAC(HASH(LABEL_MAC1 + S_r), init)
init += init_mac1 + b"\0" * 16
assert len(init) == 148

# Message 2.
C = KDF(1, C, E_r)[0]
H = HASH(H + E_r)
C = KDF(1, C, DH(e_r, E_i))[0]
C = KDF(1, C, DH(e_r, S_i))[0]
C, tau, k = KDF(3, C, psk)
H = HASH(H + tau)
enc_nothing = AEAD(k, 0, b"", H)
H = HASH(H + enc_nothing)
resp = struct.pack("<I", 2) + struct.pack("<I", sender_r) + struct.pack("<I", sender_i)
resp += E_r + enc_nothing
resp += MAC(HASH(LABEL_MAC1 + S_i), resp) + b"\0" * 16
assert len(resp) == 92

# Transport keys (initiator's view).
t_send_i, t_recv_i = KDF(2, C, b"")

# A data message from the initiator: counter 0, a 16-byte padded payload.
payload = bytes(range(16))
data = struct.pack("<I", 4) + struct.pack("<I", sender_r) + struct.pack("<Q", 0)
data += AEAD(t_send_i, 0, payload, b"")

# Cookie reply from the responder to message 1 (source 192.0.2.7:51820).
cookie = MAC(cookie_secret, src_ip + src_port)
cookie_reply = struct.pack("<I", 3) + struct.pack("<I", sender_i) + cookie_nonce
cookie_reply += XAEAD(HASH(LABEL_COOKIE + S_r), cookie_nonce, cookie, init_mac1)
assert len(cookie_reply) == 64
init_mac2 = MAC(cookie, init[:132])


def c_array(name, data):
    lines = [f"static const u8 {name}[{len(data)}] = {{"]
    for i in range(0, len(data), 12):
        chunk = ", ".join(f"0x{b:02x}" for b in data[i:i + 12])
        lines.append(f"\t{chunk},")
    lines.append("};")
    lines.append("")
    return "\n".join(lines)


print("/* SPDX-License-Identifier: GPL-2.0 */")
print("/*")
print(" * Generated by tests/kunit/noise_vectors.py from docs/protocol.md with")
print(" * userspace primitives (hashlib, cryptography, libsodium). Do not edit.")
print(" */")
print("#ifndef _KWG_NOISE_VECTORS_H")
print("#define _KWG_NOISE_VECTORS_H")
print("")
for name, value in [
    ("kat_static_i_priv", s_i), ("kat_static_r_priv", s_r),
    ("kat_static_i_pub", S_i), ("kat_static_r_pub", S_r),
    ("kat_ephemeral_i_priv", e_i), ("kat_psk", psk),
    ("kat_timestamp", timestamp),
    ("kat_initiation", init),
    ("kat_ck_after_initiation", C_after_init),
    ("kat_hash_after_initiation", H_after_init),
    ("kat_response", resp),
    ("kat_t_send_i", t_send_i), ("kat_t_recv_i", t_recv_i),
    ("kat_data_payload", payload), ("kat_data", data),
    ("kat_cookie_secret", cookie_secret), ("kat_cookie_src_ip", src_ip),
    ("kat_cookie", cookie), ("kat_cookie_reply", cookie_reply),
    ("kat_initiation_mac2", init_mac2),
]:
    print(c_array(name, value))
print(f"#define KAT_SENDER_I 0x{sender_i:08x}U")
print(f"#define KAT_SENDER_R 0x{sender_r:08x}U")
print(f"#define KAT_COOKIE_SRC_PORT {struct.unpack('>H', src_port)[0]}")
print("")
print("#endif /* _KWG_NOISE_VECTORS_H */")
