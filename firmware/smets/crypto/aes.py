"""AES-128 encryption in ECB mode (the only direction GCM and CTR need).

`new(key)` returns MicroPython's `cryptolib.aes(key, 1)` where the board has it, else the
table-driven pure-Python `Aes128` below (FIPS-197 with the usual four 32-bit round tables).
Both objects have `encrypt(data)` for any whole number of 16-octet blocks. The S-box and round
tables are computed on first use, so importing this module costs nothing.
"""

from smets.crypto import CryptoError

try:
    import cryptolib as _cryptolib  # type: ignore[import-not-found]
except ImportError:
    _cryptolib = None  # type: ignore[assignment]

_SBOX = None  # bytes(256)
_T = None  # four lists of 256 round-table words


def _tables():
    global _SBOX, _T
    if _T is None:
        # S-box from its definition: multiplicative inverse in GF(2^8) (via log/antilog tables with
        # generator 3), then the affine map b ^ rotl(b,1..4) ^ 0x63.
        exp = bytearray(256)
        log = bytearray(256)
        x = 1
        for i in range(255):
            exp[i] = x
            log[x] = i
            x ^= ((x << 1) ^ (0x1B if x & 0x80 else 0)) & 0xFF
        sbox = bytearray(256)
        for a in range(256):
            inv = exp[(255 - log[a]) % 255] if a else 0
            s = inv
            for _ in range(4):
                inv = ((inv << 1) | (inv >> 7)) & 0xFF
                s ^= inv
            sbox[a] = s ^ 0x63
        t0 = [0] * 256
        t1 = [0] * 256
        t2 = [0] * 256
        t3 = [0] * 256
        for a in range(256):
            s = sbox[a]
            s2 = ((s << 1) ^ (0x1B if s & 0x80 else 0)) & 0xFF
            s3 = s2 ^ s
            # Column (2s, s, s, 3s) top byte first; T1..T3 are its byte rotations.
            t0[a] = (s2 << 24) | (s << 16) | (s << 8) | s3
            t1[a] = (s3 << 24) | (s2 << 16) | (s << 8) | s
            t2[a] = (s << 24) | (s3 << 16) | (s2 << 8) | s
            t3[a] = (s << 24) | (s << 16) | (s3 << 8) | s2
        _SBOX = bytes(sbox)
        _T = (t0, t1, t2, t3)
    return _SBOX, _T


def _word(b, i):
    return (b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]


class Aes128:
    """Pure-Python AES-128 encryptor with the shape of `cryptolib.aes(key, 1)`."""

    def __init__(self, key):
        if len(key) != 16:
            raise CryptoError("AES-128 key must be 16 octets")
        sbox, _ = _tables()
        w = [_word(key, 0), _word(key, 4), _word(key, 8), _word(key, 12)]
        rcon = 1
        for i in range(4, 44):
            t = w[i - 1]
            if i & 3 == 0:
                t = (
                    (sbox[(t >> 16) & 255] << 24)
                    | (sbox[(t >> 8) & 255] << 16)
                    | (sbox[t & 255] << 8)
                    | sbox[t >> 24]
                ) ^ (rcon << 24)
                rcon = ((rcon << 1) ^ (0x1B if rcon & 0x80 else 0)) & 0xFF
            w.append(w[i - 4] ^ t)
        self._rk = w

    def encrypt(self, data):
        n = len(data)
        if n % 16:
            raise CryptoError("AES input must be whole 16-octet blocks")
        out = bytearray(n)
        for off in range(0, n, 16):
            self._block(data, off, out)
        return bytes(out)

    def _block(self, data, off, out):
        sbox, (t0, t1, t2, t3) = _tables()
        rk = self._rk
        s0 = _word(data, off) ^ rk[0]
        s1 = _word(data, off + 4) ^ rk[1]
        s2 = _word(data, off + 8) ^ rk[2]
        s3 = _word(data, off + 12) ^ rk[3]
        for r in range(4, 40, 4):
            a = t0[s0 >> 24] ^ t1[(s1 >> 16) & 255] ^ t2[(s2 >> 8) & 255] ^ t3[s3 & 255] ^ rk[r]
            b = t0[s1 >> 24] ^ t1[(s2 >> 16) & 255] ^ t2[(s3 >> 8) & 255] ^ t3[s0 & 255] ^ rk[r + 1]
            c = t0[s2 >> 24] ^ t1[(s3 >> 16) & 255] ^ t2[(s0 >> 8) & 255] ^ t3[s1 & 255] ^ rk[r + 2]
            s3 = t0[s3 >> 24] ^ t1[(s0 >> 16) & 255] ^ t2[(s1 >> 8) & 255] ^ t3[s2 & 255] ^ rk[r + 3]
            s0 = a
            s1 = b
            s2 = c
        # Last round: SubBytes and ShiftRows only.
        cols = (s0, s1, s2, s3)
        for c in range(4):
            w = (
                (sbox[cols[c] >> 24] << 24)
                | (sbox[(cols[(c + 1) & 3] >> 16) & 255] << 16)
                | (sbox[(cols[(c + 2) & 3] >> 8) & 255] << 8)
                | sbox[cols[(c + 3) & 3] & 255]
            ) ^ rk[40 + c]
            i = off + 4 * c
            out[i] = w >> 24
            out[i + 1] = (w >> 16) & 255
            out[i + 2] = (w >> 8) & 255
            out[i + 3] = w & 255


def new(key):
    """An AES-128 ECB encryptor for `key`: `cryptolib` when present, else `Aes128`."""
    if len(key) != 16:
        raise CryptoError("AES-128 key must be 16 octets")
    if _cryptolib is not None:
        return _cryptolib.aes(bytes(key), 1)
    return Aes128(key)


def encrypt_block(key, block):
    if len(block) != 16:
        raise CryptoError("AES block must be 16 octets")
    return new(key).encrypt(bytes(block))
