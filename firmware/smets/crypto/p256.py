"""NIST P-256 (secp256r1) in pure Python: point checks, ECDH and deterministic ECDSA.

Points inside this module are Jacobian triples (X, Y, Z) meaning (X/Z^2, Y/Z^3); Z == 0 is the
point at infinity. Inverses are pow(x, p-2, p), which is one C call on both interpreters, so
batch normalisation (Montgomery's trick) keeps them rare. Scalar multiplication:

* k*G (public key, signing): a fixed-base comb with 5 teeth (52 doublings, up to 52 additions)
  over 31 precomputed affine points, built on first use.
* k*Q (ECDH): width-5 wNAF over 8 odd multiples of Q.
* u1*G + u2*Q (verify): Shamir's trick with interleaved wNAFs, width 7 for G (32 precomputed
  points, built on first use) and width 5 for Q, sharing one chain of 256 doublings.

Scalars are turned into digits with small-int arithmetic on their 32 octets, so the loops do
not allocate long integers for the digit extraction. This code is not constant-time: it is an
emulator's, not a hardened device's.
"""

from hashlib import sha256

from smets.compat import int_from_be, int_to_be
from smets.crypto import CryptoError
from smets.crypto.hmac256 import hmac_sha256

P = 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF
N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
B = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B
GX = 0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296
GY = 0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5

_COMB_TEETH = 5
_COMB_SPACING = 52  # ceil(256 / 5) columns
_W_G = 7  # wNAF width for G in verification
_W_Q = 5  # wNAF width for an arbitrary point

# Lazily built tables of affine points, each packed as x || y (64 octets, _entry() reads one back):
# 63 points as bytes take 4 KB where tuples of ints took 20 KB of a board's heap. See _comb_table()
# and _g_odd_table().
_comb = None
_g_odd = None


# -- points -------------------------------------------------------------------------------------


def is_on_curve(x, y):
    """True when 0 <= x, y < p and y^2 = x^3 - 3x + b (mod p); the curve has cofactor 1."""
    if not (0 <= x < P and 0 <= y < P):
        return False
    return (y * y - (x * x * x - 3 * x + B)) % P == 0


def decode_point(data):
    """65-octet 04||X||Y to an affine (x, y), raising CryptoError unless it is on P-256."""
    if len(data) != 65 or data[0] != 4:
        raise CryptoError("P-256 public key must be 65 octets 04||X||Y")
    x = int_from_be(data[1:33])
    y = int_from_be(data[33:65])
    if not is_on_curve(x, y):
        raise CryptoError("point is not on P-256")
    return x, y


def encode_point(x, y):
    return b"\x04" + int_to_be(x, 32) + int_to_be(y, 32)


def decode_scalar(data):
    """32-octet private key to an int in [1, n-1], raising CryptoError otherwise."""
    if len(data) != 32:
        raise CryptoError("P-256 private key must be 32 octets")
    d = int_from_be(data)
    if not 0 < d < N:
        raise CryptoError("P-256 private key out of range")
    return d


def _dbl(X, Y, Z):
    # dbl-2001-b for a = -3; doubling infinity (Z == 0) gives Z == 0 again.
    p = P
    d = Z * Z % p
    g = Y * Y % p
    b = X * g % p
    a = 3 * (X - d) * (X + d) % p
    X3 = (a * a - 8 * b) % p
    return X3, (a * (4 * b - X3) - 8 * g * g) % p, 2 * Y * Z % p


def _madd(X, Y, Z, x2, y2):
    """Jacobian (X, Y, Z) plus affine (x2, y2), handling infinity and equal points."""
    if not Z:
        return x2, y2, 1
    p = P
    zz = Z * Z % p
    h = (x2 * zz - X) % p
    r = (y2 * zz * Z - Y) % p
    if not h:
        if not r:
            return _dbl(X, Y, Z)
        return 1, 1, 0
    hh = h * h % p
    hhh = h * hh % p
    v = X * hh % p
    X3 = (r * r - hhh - 2 * v) % p
    return X3, (r * (v - X3) - Y * hhh) % p, Z * h % p


def _put(packed, i, X, Y, Z):
    """Jacobian point i of a packed array (X || Y || Z, 96 octets a point)."""
    o = 96 * i
    packed[o : o + 32] = int_to_be(X, 32)
    packed[o + 32 : o + 64] = int_to_be(Y, 32)
    packed[o + 64 : o + 96] = int_to_be(Z, 32)


def _normalize_all(packed, n):
    """n packed Jacobian points (_put; none at infinity) to a table of affine points with one
    inversion. The points and the prefix products are octets, not lists of ints: on a board each
    256-bit int is two heap objects, and a list of tuples of them took several times the space at
    the moment the heap is fullest (a command's first ECDH, a signature check)."""
    p = P
    prefix = bytearray(32 * n)
    acc = 1
    for i in range(n):
        prefix[32 * i : 32 * i + 32] = int_to_be(acc, 32)
        acc = acc * int_from_be(packed[96 * i + 64 : 96 * i + 96]) % p
    inv = pow(acc, p - 2, p)
    out = bytearray(64 * n)
    for i in range(n - 1, -1, -1):
        o = 96 * i
        zi = inv * int_from_be(prefix[32 * i : 32 * i + 32]) % p
        inv = inv * int_from_be(packed[o + 64 : o + 96]) % p
        zi2 = zi * zi % p
        out[64 * i : 64 * i + 32] = int_to_be(int_from_be(packed[o : o + 32]) * zi2 % p, 32)
        out[64 * i + 32 : 64 * i + 64] = int_to_be(int_from_be(packed[o + 32 : o + 64]) * zi2 * zi % p, 32)
    return out  # no bytes() copy: the tables are private and never written after this


def _entry(table, i):
    """Point i of a table (affine x, y)."""
    o = 64 * i
    return int_from_be(table[o : o + 32]), int_from_be(table[o + 32 : o + 64])


def _to_affine(X, Y, Z):
    p = P
    zi = pow(Z, p - 2, p)
    zi2 = zi * zi % p
    return X * zi2 % p, Y * zi2 * zi % p


def _odd_multiples(x, y, count):
    """Affine x*Q for the odd multiples 1, 3, ..., 2*count-1 of Q = (x, y)."""
    dx, dy = _to_affine(*_dbl(x, y, 1))
    packed = bytearray(96 * count)
    X, Y, Z = x, y, 1
    _put(packed, 0, X, Y, Z)
    for i in range(1, count):
        X, Y, Z = _madd(X, Y, Z, dx, dy)
        _put(packed, i, X, Y, Z)
    return _normalize_all(packed, count)


def _comb_table():
    global _comb
    if _comb is None:
        # rows[i] = 2^(52 i) G; entry b-1 = sum of rows[i] over the set bits i of b.
        rows = [(GX, GY)]
        X, Y, Z = GX, GY, 1
        for _ in range(_COMB_TEETH - 1):
            for _ in range(_COMB_SPACING):
                X, Y, Z = _dbl(X, Y, Z)
            rows.append(_to_affine(X, Y, Z))
        n = (1 << _COMB_TEETH) - 1
        packed = bytearray(96 * n)
        for b in range(1, n + 1):
            X, Y, Z = 1, 1, 0
            for i in range(_COMB_TEETH):
                if b >> i & 1:
                    X, Y, Z = _madd(X, Y, Z, rows[i][0], rows[i][1])
            _put(packed, b - 1, X, Y, Z)
        _comb = _normalize_all(packed, n)
    return _comb


def _g_odd_table():
    global _g_odd
    if _g_odd is None:
        _g_odd = _odd_multiples(GX, GY, 1 << (_W_G - 2))
    return _g_odd


def prepare():
    """Build both precomputed G tables now (signing and verifying need them)."""
    _comb_table()
    _g_odd_table()


# -- scalars ------------------------------------------------------------------------------------


def _bits(k, extra):
    """Bits of 0 <= k < 2^256, least significant first, padded with `extra` zeros."""
    raw = int_to_be(k, 32)
    out = bytearray(256 + extra)
    for i in range(256):
        out[i] = (raw[31 - (i >> 3)] >> (i & 7)) & 1
    return out


def _wnaf(k, w):
    """Width-w NAF digits of k, least significant first, as a bytearray: 0 for no digit, an odd
    d in 1..2^(w-1)-1 as itself and -d as 256 - d (w <= 7, so every digit fits an octet)."""
    bits = _bits(k, 2 * w + 1)  # room for the final carry and its window
    n = len(bits)
    digits = bytearray(n)
    full = 1 << w
    half = full >> 1
    mask = full - 1
    carry = 0
    i = 0
    while i <= n - w:
        if (bits[i] + carry) & 1 == 0:
            carry = (bits[i] + carry) >> 1
            i += 1
            continue
        win = carry
        for j in range(w):
            win += bits[i + j] << j
        d = win & mask
        if d >= half:
            digits[i] = 256 + d - full
            carry = 1
        else:
            digits[i] = d
            carry = 0
        i += w
    return digits


def base_mul(k):
    """Affine k*G for 1 <= k < n (comb method)."""
    table = _comb_table()
    bits = _bits(k, _COMB_TEETH * _COMB_SPACING - 256)
    X, Y, Z = 1, 1, 0
    for j in range(_COMB_SPACING - 1, -1, -1):
        if Z:
            X, Y, Z = _dbl(X, Y, Z)
        b = 0
        for i in range(_COMB_TEETH - 1, -1, -1):
            b = (b << 1) | bits[j + i * _COMB_SPACING]
        if b:
            x2, y2 = _entry(table, b - 1)
            X, Y, Z = _madd(X, Y, Z, x2, y2)
    if not Z:
        return None
    return _to_affine(X, Y, Z)


def _interleaved(pairs):
    """Jacobian sum of k_i * Q_i for (wnaf digits, odd-multiple table) pairs (Shamir's trick)."""
    p = P
    top = 0
    for digits, _ in pairs:
        i = len(digits)
        while i > top and not digits[i - 1]:
            i -= 1
        if i > top:
            top = i
    X, Y, Z = 1, 1, 0
    for i in range(top - 1, -1, -1):
        if Z:
            X, Y, Z = _dbl(X, Y, Z)
        for digits, table in pairs:
            d = digits[i]
            if d:
                if d < 128:
                    x2, y2 = _entry(table, d >> 1)
                    X, Y, Z = _madd(X, Y, Z, x2, y2)
                else:
                    x2, y2 = _entry(table, (256 - d) >> 1)
                    X, Y, Z = _madd(X, Y, Z, x2, p - y2)
    return X, Y, Z


def point_mul(k, x, y):
    """Affine k*(x, y) for a validated point and 1 <= k < n, or None for infinity."""
    X, Y, Z = _interleaved(((_wnaf(k, _W_Q), _odd_multiples(x, y, 1 << (_W_Q - 2))),))
    if not Z:
        return None
    return _to_affine(X, Y, Z)


# -- the operations the provider exposes --------------------------------------------------------


def public_key(private):
    x, y = base_mul(decode_scalar(private))
    return encode_point(x, y)


def ecdh(private, peer_public):
    d = decode_scalar(private)
    x, y = decode_point(peer_public)
    shared = point_mul(d, x, y)
    if shared is None:  # impossible for a valid point on a prime-order curve, kept as a guard
        raise CryptoError("ECDH gave the point at infinity")
    return int_to_be(shared[0], 32)


def _rfc6979_nonces(d, h1):
    """Candidate k values of RFC 6979 §3.2 for SHA-256 and qlen = hlen = 256."""
    x = int_to_be(d, 32)
    h = int_to_be(int_from_be(h1) % N, 32)  # bits2octets(h1)
    v = b"\x01" * 32
    k = hmac_sha256(b"\x00" * 32, v + b"\x00" + x + h)
    v = hmac_sha256(k, v)
    k = hmac_sha256(k, v + b"\x01" + x + h)
    v = hmac_sha256(k, v)
    while True:
        v = hmac_sha256(k, v)
        cand = int_from_be(v)
        if 0 < cand < N:
            yield cand
        k = hmac_sha256(k, v + b"\x00")
        v = hmac_sha256(k, v)


def ecdsa_sign(private, message):
    d = decode_scalar(private)
    h1 = sha256(message).digest()
    e = int_from_be(h1)
    n = N
    for k in _rfc6979_nonces(d, h1):
        r = base_mul(k)[0] % n
        if not r:
            continue
        s = pow(k, n - 2, n) * (e + r * d) % n
        if s:
            return int_to_be(r, 32) + int_to_be(s, 32)
    raise CryptoError("unreachable")  # pragma: no cover


def ecdsa_verify(public, message, signature):
    qx, qy = decode_point(public)
    if len(signature) != 64:
        raise CryptoError("P-256 signature must be 64 octets r||s")
    n = N
    r = int_from_be(signature[:32])
    s = int_from_be(signature[32:])
    if not (0 < r < n and 0 < s < n):
        return False
    e = int_from_be(sha256(message).digest())
    w = pow(s, n - 2, n)
    u1 = e * w % n
    u2 = r * w % n
    pairs = []
    if u1:
        pairs.append((_wnaf(u1, _W_G), _g_odd_table()))
    pairs.append((_wnaf(u2, _W_Q), _odd_multiples(qx, qy, 1 << (_W_Q - 2))))
    X, Y, Z = _interleaved(pairs)
    if not Z:
        return False
    # x(R) mod n == r without an inversion: X == x * Z^2 for the candidates x = r and r + n.
    p = P
    zz = Z * Z % p
    if X == r * zz % p:
        return True
    return r + n < p and X == (r + n) * zz % p
