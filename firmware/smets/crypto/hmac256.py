"""HMAC-SHA256 (RFC 2104) on hashlib.sha256, which is all MicroPython offers.

MicroPython has no `hmac` module and its hash objects cannot be copied, so each call hashes
the padded key afresh; the inputs here (RFC 6979 nonces) are short.
"""

from hashlib import sha256

from smets.compat import int_from_be, int_to_be

_IPAD = int_from_be(b"\x36" * 64)
_OPAD = int_from_be(b"\x5c" * 64)


def hmac_sha256(key, data):
    """HMAC-SHA256 of `data` under `key` (any length), 32 octets."""
    if len(key) > 64:
        key = sha256(key).digest()
    k = int_from_be(key + bytes(64 - len(key)))
    inner = sha256(int_to_be(k ^ _IPAD, 64))
    inner.update(data)
    outer = sha256(int_to_be(k ^ _OPAD, 64))
    outer.update(inner.digest())
    return outer.digest()
