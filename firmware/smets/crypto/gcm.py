"""AES-128-GCM (NIST SP 800-38D) with a 12-octet IV, in pure Python on top of `aes.new`.

GHASH works on 128-bit ints read big-endian, where int bit 127 is the coefficient of x^0: so
multiplying by x is a right shift, reduced with R = 0xE1 << 120. Multiplication by H uses
Shoup's 4-bit method: a 16-entry table of H times each nibble (built per call) and a fixed
16-entry reduction table for the four bits shifted out by each x^4 step.
"""

from smets.compat import constant_time_eq, int_from_be, int_to_be
from smets.crypto import CryptoError
from smets.crypto.aes import new as _aes_new

_R = 0xE1 << 120
# _REDUCE[b]: what x^4 * (the low nibble b, i.e. coefficients x^124..x^127) folds back to.
_REDUCE = tuple(
    (_R >> 3 if b & 1 else 0) ^ (_R >> 2 if b & 2 else 0) ^ (_R >> 1 if b & 4 else 0) ^ (_R if b & 8 else 0)
    for b in range(16)
)


def _h_table(h):
    """t[v] = (nibble v placed at x^0..x^3, i.e. the int v << 124) * H."""
    t = [0] * 16
    v = h
    for bit in (8, 4, 2, 1):
        t[bit] = v
        v = (v >> 1) ^ (_R if v & 1 else 0)
    for i in range(16):
        if i & (i - 1):
            low = i & -i
            t[i] = t[low] ^ t[i ^ low]
    return t


def _ghash_update(y, table, data):
    """Absorb `data` (zero-padded to whole blocks) into the GHASH state y."""
    red = _REDUCE
    n = len(data)
    for off in range(0, n, 16):
        block = data[off : off + 16]
        if len(block) < 16:
            block = block + bytes(16 - len(block))
        x = y ^ int_from_be(block)
        z = 0
        for _ in range(32):
            z = (z >> 4) ^ red[z & 15] ^ table[x & 15]
            x >>= 4
        y = z
    return y


def _check(key, iv, tag_len):
    if len(key) != 16:
        raise CryptoError("AES-128-GCM key must be 16 octets")
    if len(iv) != 12:
        raise CryptoError("GCM IV must be 12 octets")
    if not 4 <= tag_len <= 16:
        raise CryptoError("GCM tag length must be 4..16 octets")


def _ctr(aes, iv, data):
    """GCTR from counter block iv||00000002 (J0 + 1): the keystream XOR data."""
    n = len(data)
    if not n:
        return b""
    blocks = (n + 15) >> 4
    counters = bytearray(blocks * 16)
    for i in range(blocks):
        off = i * 16
        counters[off : off + 12] = iv
        counters[off + 12 : off + 16] = int_to_be((i + 2) & 0xFFFFFFFF, 4)
    stream = aes.encrypt(bytes(counters))
    return int_to_be(int_from_be(data) ^ int_from_be(stream[:n]), n)


def _tag(aes, iv, aad, ciphertext, tag_len):
    h = int_from_be(aes.encrypt(bytes(16)))
    table = _h_table(h)
    y = _ghash_update(0, table, aad)
    y = _ghash_update(y, table, ciphertext)
    y = _ghash_update(y, table, int_to_be(len(aad) * 8, 8) + int_to_be(len(ciphertext) * 8, 8))
    ek0 = int_from_be(aes.encrypt(bytes(iv) + b"\x00\x00\x00\x01"))
    return int_to_be(y ^ ek0, 16)[:tag_len]


def encrypt(key, iv, plaintext, aad, tag_len):
    """ciphertext || tag[:tag_len]."""
    _check(key, iv, tag_len)
    aes = _aes_new(key)
    ct = _ctr(aes, iv, plaintext)
    return ct + _tag(aes, iv, aad, ct, tag_len)


def decrypt(key, iv, data, aad, tag_len):
    """The plaintext, or None when the tag does not match (or data is shorter than a tag)."""
    _check(key, iv, tag_len)
    if len(data) < tag_len:
        return None
    ct = data[: len(data) - tag_len]
    aes = _aes_new(key)
    if not constant_time_eq(_tag(aes, iv, aad, ct, tag_len), data[len(data) - tag_len :]):
        return None
    return _ctr(aes, iv, ct)
