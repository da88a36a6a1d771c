#!/usr/bin/env python3
"""An independent decoder of the cookieseal v1 format, written from docs/FORMAT.md
alone (Python + the `cryptography` package, no libsodium), to prove the format
document is complete. Checks every vector in tests/vectors/envelope_v1.txt:
decrypts the cookie, compares the plaintext, and parses the whole record (every
kind: inline sessions and overflow references, with and without a lifetime).

Usage: reference_decoder.py VECTOR_FILE
"""
import base64
import struct
import sys

from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

MASK = 0xFFFFFFFF


def _rotl(v, n):
    return ((v << n) & MASK) | (v >> (32 - n))


def hchacha20(key: bytes, nonce16: bytes) -> bytes:
    """HChaCha20 (draft-irtf-cfrg-xchacha): the sub-key for XChaCha20."""
    s = [0x61707865, 0x3320646E, 0x79622D32, 0x6B206574]
    s += list(struct.unpack("<8I", key)) + list(struct.unpack("<4I", nonce16))

    def qr(a, b, c, d):
        s[a] = (s[a] + s[b]) & MASK; s[d] = _rotl(s[d] ^ s[a], 16)
        s[c] = (s[c] + s[d]) & MASK; s[b] = _rotl(s[b] ^ s[c], 12)
        s[a] = (s[a] + s[b]) & MASK; s[d] = _rotl(s[d] ^ s[a], 8)
        s[c] = (s[c] + s[d]) & MASK; s[b] = _rotl(s[b] ^ s[c], 7)

    for _ in range(10):
        qr(0, 4, 8, 12); qr(1, 5, 9, 13); qr(2, 6, 10, 14); qr(3, 7, 11, 15)
        qr(0, 5, 10, 15); qr(1, 6, 11, 12); qr(2, 7, 8, 13); qr(3, 4, 9, 14)
    return struct.pack("<8I", *(s[0:4] + s[12:16]))


def xchacha20poly1305_decrypt(key, nonce24, ct, ad):
    sub = hchacha20(key, nonce24[:16])
    return ChaCha20Poly1305(sub).decrypt(b"\0\0\0\0" + nonce24[16:], ct, ad)


def b64url_decode(text):
    if len(text) % 4 == 1 or "=" in text:
        raise ValueError("bad base64url length or padding")
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if base64.urlsafe_b64encode(raw).decode().rstrip("=") != text:
        raise ValueError("non-canonical base64url")
    return raw


class Reader:
    def __init__(self, b):
        self.b, self.i = b, 0

    def byte(self):
        if self.i >= len(self.b):
            raise ValueError("truncated")
        self.i += 1
        return self.b[self.i - 1]

    def take(self, n):
        if n > len(self.b) - self.i:
            raise ValueError("size past the end")
        self.i += n
        return self.b[self.i - n:self.i]

    def varint(self):
        v, shift = 0, 0
        while True:
            c = self.byte()
            v |= (c & 0x7F) << shift
            if not c & 0x80:
                if c == 0 and shift:
                    raise ValueError("non-minimal varint")
                return v
            shift += 7

    def zigzag(self):
        u = self.varint()
        return (u >> 1) ^ -(u & 1)

    def string(self):
        return self.take(self.varint()).decode("utf-8", "surrogateescape")

    def value(self, depth=0):
        tag = self.byte()
        if tag == 0: return None
        if tag == 1: return False
        if tag == 2: return True
        if tag == 3: return self.zigzag()
        if tag == 4: return struct.unpack("<d", self.take(8))[0]
        if tag == 5: return self.string()
        if tag == 6: return bytes(self.take(self.varint()))
        if tag in (7, 8) and depth >= 32:
            raise ValueError("too deep")
        if tag == 7: return [self.value(depth + 1) for _ in range(self.varint())]
        if tag == 8: return self.map(depth + 1)
        if tag == 9: return ("object", self.string(), bytes(self.take(self.varint())))
        raise ValueError(f"unknown tag {tag}")

    def map(self, depth=0):
        out, prev = {}, None
        for _ in range(self.varint()):
            k = self.take(self.varint())
            if prev is not None and not prev < k:
                raise ValueError("keys not ascending")
            prev = k
            out[k.decode()] = self.value(depth)
        return out


def open_cookie(key, cookie, name, purpose):
    raw = b64url_decode(cookie)
    if len(raw) < 61 or raw[0] != 1:
        raise ValueError("malformed or unsupported")
    key_id, issued, expires = struct.unpack(">IQQ", raw[1:21])
    nonce = raw[21:45]
    ad = raw[:45] + bytes([len(name)]) + name + bytes([len(purpose)]) + purpose
    plaintext = xchacha20poly1305_decrypt(key, nonce, raw[45:], ad)
    return key_id, issued, expires, plaintext


MAX_LIFETIME = 3162240000  # 100 years of 366 days, in seconds


def parse_lifetime(r):
    """Kinds 2 and 3: a flags byte (1 max_age, 2 idle_timeout, 4 browser session)
    and the durations it announces, in that order."""
    flags = r.byte()
    if flags == 0 or flags & ~7:
        raise ValueError("bad lifetime flags")
    life = {"max_age": None, "idle_timeout": None, "browser_session": bool(flags & 4)}
    for bit, name in ((1, "max_age"), (2, "idle_timeout")):
        if flags & bit:
            life[name] = r.varint()
            if life[name] > MAX_LIFETIME:
                raise ValueError("lifetime over 100 years")
    return life


def parse_record(plaintext):
    r = Reader(plaintext)
    kind = r.byte()
    if kind > 3:
        raise ValueError("unknown kind")
    life = parse_lifetime(r) if kind >= 2 else None
    if kind % 2 == 1:  # an overflow reference
        rec = {"kind": kind, "lifetime": life, "entry_id": r.take(32).hex(),
               "entry_key": r.take(32).hex(), "created_at": r.varint(), "subject": r.string()}
    else:
        rec = {"kind": kind, "lifetime": life, "id": r.take(16).hex(), "created_at": r.varint(),
               "subject": r.string(), "values": r.map(), "constants": r.map(), "flashes": {}}
        prev = None
        for _ in range(r.varint()):
            k = r.string()
            assert prev is None or prev < k
            prev = k
            rec["flashes"][k] = [r.value() for _ in range(r.varint())]
    if r.i != len(plaintext):
        raise ValueError("trailing bytes")
    return rec


def read_vectors(path):
    vectors, cur = [], {}
    for line in open(path, encoding="utf-8").read().split("\n") + [""]:
        if not line:
            if cur:
                vectors.append(cur)
            cur = {}
        elif not line.startswith("#"):
            k, _, v = line.partition(":")
            cur[k] = v[1:] if v.startswith(" ") else v
    return vectors


def main():
    vectors = read_vectors(sys.argv[1])
    checks = 0

    def check(cond, what):
        nonlocal checks
        checks += 1
        if not cond:
            print(f"FAIL: {what}")
            sys.exit(1)

    for v in vectors:
        key = bytes.fromhex(v["key"])
        key_id, issued, expires, pt = open_cookie(key, v["cookie"], v["cookie_name"].encode(),
                                                  v["purpose"].encode())
        name = v["vector"]
        check(key_id == int(v["key_id"], 16), f"{name}: key id")
        check(issued == int(v["now"]), f"{name}: issued_at")
        check(expires == int(v.get("expires_at", int(v["now"]) + 86400)), f"{name}: expires_at")
        check(pt.hex() == v["plaintext"], f"{name}: plaintext")
        rec = parse_record(pt)
        if rec["kind"] % 2 == 0:
            check(rec["id"] == "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf", f"{name}: session id")
        check(rec["created_at"] == int(v["now"]) - 3600, f"{name}: created_at")
        # A session without a lifetime of its own is kind 0 (or 1), as before kinds 2 and 3.
        check((rec["lifetime"] is None) == (rec["kind"] < 2), f"{name}: lifetime iff kind 2/3")
        if name == "typical":
            check(rec["values"]["user_id"] == 1234567, "typical: user_id")
            check(rec["values"]["roles"] == ["admin", "editor", "viewer"], "typical: roles")
            check(rec["values"]["cart"] == [101, 202, 303, 404, 505], "typical: cart")
        if name == "every-kind":
            check(rec["subject"] == "user-42", "every-kind: subject")
            check(rec["values"]["i"] == -300 and rec["values"]["d"] == -2.5, "every-kind: numbers")
            check(rec["values"]["b"] == b"\x00\xff", "every-kind: bytes")
            check(rec["values"]["o"] == ("object", "t.v1", b"\x07"), "every-kind: object")
            check(rec["constants"] == {"tenant": "acme"}, "every-kind: constants")
            check(rec["flashes"] == {"notice": ["saved"]}, "every-kind: flashes")
        if name == "lifetime":
            check(rec["kind"] == 2 and rec["subject"] == "alice", "lifetime: kind and subject")
            check(rec["lifetime"] == {"max_age": 30 * 86400, "idle_timeout": 12 * 3600,
                                      "browser_session": False}, "lifetime: durations")
            # expires_at follows the effective lifetime: min(7 d, 30 d) from created_at,
            # min(24 h, 12 h) from issued_at.
            check(expires == min(rec["created_at"] + 7 * 86400, issued + 12 * 3600),
                  "lifetime: expires_at is the effective one")
        if name == "browser-session":
            check(rec["kind"] == 2 and rec["lifetime"] == {
                "max_age": None, "idle_timeout": None, "browser_session": True},
                "browser-session: only the flag")
        if name == "reference-lifetime":
            check(rec["kind"] == 3 and rec["subject"] == "user-42", "reference: kind and subject")
            check(rec["entry_id"] == bytes(range(0xC0, 0xE0)).hex(), "reference: entry id")
            check(rec["entry_key"] == bytes(range(0xE0, 0x100)).hex(), "reference: entry key")
            check(rec["lifetime"] == {"max_age": 7200, "idle_timeout": None,
                                      "browser_session": True}, "reference: lifetime")
            check(expires == rec["created_at"] + 7200, "reference: expires_at")
        # A wrong name must fail authentication in this implementation too.
        try:
            open_cookie(key, v["cookie"], b"other", v["purpose"].encode())
            check(False, f"{name}: opened under another name")
        except Exception:  # cryptography raises InvalidTag
            check(True, "wrong name refused")
    check(len(vectors) >= 3, "at least three vectors")
    print(f"reference decoder: {len(vectors)} vectors, {checks} checks passed")


if __name__ == "__main__":
    main()
