"""PureCrypto and HostCrypto give the same bytes, accept each other's output and refuse the same
tampering. Hypothesis draws keys, messages, IVs and AAD; `cryptography` (OpenSSL) is the
independent reference for the pure-Python code. Example counts are kept moderate because
pure-Python P-256 is slow: set SMETS_CRYPTO_EXAMPLES to run more.
"""

import os

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smets.crypto import CryptoError
from smets.crypto.pure import PureCrypto
from smets.security import keys
from smets_fleet.crypto_host import HostCrypto

EXAMPLES = int(os.environ.get("SMETS_CRYPTO_EXAMPLES", "200"))
N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
P = 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF
_B = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B

PURE = PureCrypto()
HOST = HostCrypto()
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.integers(1, N - 1).map(lambda d: d.to_bytes(32, "big"))
# Scalars near the edges exercise the digit recoding's carries and the comb's top rows.
edge_scalars = st.sampled_from([1, 2, 3, 15, 16, 17, 2**128, 2**252 - 1, 2**255, N - 2, N - 1]).map(
    lambda d: d.to_bytes(32, "big")
)
any_scalar = st.one_of(scalars, edge_scalars)
messages = st.binary(max_size=300)
keys16 = st.binary(min_size=16, max_size=16)
ivs = st.binary(min_size=12, max_size=12)
tag_lens = st.sampled_from([12, 16])


def _both(method, *args):
    """The two providers' results, or the exception type each raised."""
    out = []
    for provider in (PURE, HOST):
        try:
            out.append(getattr(provider, method)(*args))
        except CryptoError as exc:
            out.append(type(exc))
    return out


@SETTINGS
@given(any_scalar)
def test_public_key_same(d):
    pure, host = _both("public_key", d)
    assert pure == host
    assert len(pure) == 65 and pure[0] == 4


@SETTINGS
@given(any_scalar, scalars)
def test_ecdh_same_and_symmetric(a, b):
    pub_a = HOST.public_key(a)
    pub_b = HOST.public_key(b)
    pure, host = _both("ecdh", a, pub_b)
    assert pure == host
    assert PURE.ecdh(b, pub_a) == pure


@SETTINGS
@given(any_scalar, messages)
def test_ecdsa_same_bytes_and_cross_verify(d, msg):
    pure, host = _both("ecdsa_sign", d, msg)
    assert pure == host and len(pure) == 64
    pub = HOST.public_key(d)
    assert PURE.ecdsa_verify(pub, msg, host)
    assert HOST.ecdsa_verify(pub, msg, pure)


@SETTINGS
@given(scalars, messages, st.integers(0, 64 * 8 - 1), st.data())
def test_ecdsa_tampering_fails_on_both(d, msg, bit, data):
    pub = HOST.public_key(d)
    sig = HOST.ecdsa_sign(d, msg)
    bad_sig = bytearray(sig)
    bad_sig[bit // 8] ^= 1 << (bit % 8)
    assert _both("ecdsa_verify", pub, msg, bytes(bad_sig)) == [False, False]
    other = data.draw(messages.filter(lambda m: m != msg))
    assert _both("ecdsa_verify", pub, other, sig) == [False, False]
    other_pub = HOST.public_key(data.draw(scalars.filter(lambda e: e != d)))
    assert _both("ecdsa_verify", other_pub, msg, sig) == [False, False]


def test_ecdsa_signature_ranges_and_special_values():
    d = (12345).to_bytes(32, "big")
    pub = HOST.public_key(d)
    sig = HOST.ecdsa_sign(d, b"m")
    r, s = sig[:32], sig[32:]
    for bad in (
        bytes(32) + s,
        r + bytes(32),
        N.to_bytes(32, "big") + s,
        r + N.to_bytes(32, "big"),
        b"\xff" * 64,
    ):
        assert _both("ecdsa_verify", pub, b"m", bad) == [False, False]
    # -s also verifies in ECDSA; both agree on that too (no low-s rule).
    neg = r + (N - int.from_bytes(s, "big")).to_bytes(32, "big")
    assert _both("ecdsa_verify", pub, b"m", neg) == [True, True]
    # A public key of G itself (d = 1) and a message whose hash is not reduced.
    g = HOST.public_key((1).to_bytes(32, "big"))
    assert _both("ecdsa_verify", g, b"m", HOST.ecdsa_sign((1).to_bytes(32, "big"), b"m")) == [True, True]


@SETTINGS
@given(st.binary(min_size=65, max_size=65))
def test_invalid_points_raise_on_both(raw):
    point = b"\x04" + raw[1:]
    x = int.from_bytes(point[1:33], "big")
    y = int.from_bytes(point[33:], "big")
    on_curve = x < P and y < P and (y * y - x * x * x + 3 * x - _B) % P == 0
    d = (7).to_bytes(32, "big")
    if on_curve:  # practically never
        return
    assert _both("ecdh", d, point) == [CryptoError, CryptoError]
    assert _both("ecdsa_verify", point, b"m", bytes(64)) == [CryptoError, CryptoError]


def test_bad_lengths_raise_on_both():
    d = (7).to_bytes(32, "big")
    pub = HOST.public_key(d)
    assert _both("public_key", bytes(32)) == [CryptoError, CryptoError]
    assert _both("public_key", N.to_bytes(32, "big")) == [CryptoError, CryptoError]
    assert _both("public_key", d[1:]) == [CryptoError, CryptoError]
    assert _both("ecdh", d, pub[:33]) == [CryptoError, CryptoError]
    assert _both("ecdsa_verify", pub, b"m", bytes(63)) == [CryptoError, CryptoError]
    assert _both("gcm_encrypt", bytes(16), bytes(11), b"", b"", 12) == [CryptoError, CryptoError]
    assert _both("gcm_encrypt", bytes(15), bytes(12), b"", b"", 12) == [CryptoError, CryptoError]
    assert _both("aes_encrypt_block", bytes(16), bytes(15)) == [CryptoError, CryptoError]


@settings(max_examples=EXAMPLES * 5, deadline=None)
@given(keys16, ivs, messages, messages, tag_lens)
def test_gcm_same_and_round_trips(key, iv, plaintext, aad, tag_len):
    pure, host = _both("gcm_encrypt", key, iv, plaintext, aad, tag_len)
    assert pure == host and len(pure) == len(plaintext) + tag_len
    assert PURE.gcm_decrypt(key, iv, host, aad, tag_len) == plaintext
    assert HOST.gcm_decrypt(key, iv, pure, aad, tag_len) == plaintext


@settings(max_examples=EXAMPLES * 5, deadline=None)
@given(keys16, ivs, messages, messages, tag_lens, st.data())
def test_gcm_tampering_fails_on_both(key, iv, plaintext, aad, tag_len, data):
    sealed = HOST.gcm_encrypt(key, iv, plaintext, aad, tag_len)
    bit = data.draw(st.integers(0, len(sealed) * 8 - 1))
    bad = bytearray(sealed)
    bad[bit // 8] ^= 1 << (bit % 8)
    assert _both("gcm_decrypt", key, iv, bytes(bad), aad, tag_len) == [None, None]
    other_aad = data.draw(messages.filter(lambda a: a != aad))
    assert _both("gcm_decrypt", key, iv, sealed, other_aad, tag_len) == [None, None]
    assert _both("gcm_decrypt", key, iv, sealed[: tag_len - 1], aad, tag_len) == [None, None]


@settings(max_examples=EXAMPLES * 5, deadline=None)
@given(keys16, st.binary(min_size=16, max_size=16))
def test_aes_block_same(key, block):
    pure, host = _both("aes_encrypt_block", key, block)
    assert pure == host


def test_sha256_same():
    for data in (b"", b"abc", bytes(range(256)) * 3):
        assert PURE.sha256(data) == HOST.sha256(data)


def test_host_key_cache_is_bounded():
    host = HostCrypto(cache_size=8)
    for i in range(1, 30):
        d = i.to_bytes(32, "big")
        host.ecdh(d, host.public_key(d))
    assert len(host._private) == 8 and len(host._public) == 8


# -- keys.py on what `cryptography` writes --------------------------------------------------------


@settings(max_examples=10, deadline=None)
@given(scalars)
def test_key_extraction_matches_cryptography(d):
    key = ec.derive_private_key(int.from_bytes(d, "big"), ec.SECP256R1())
    for fmt in (serialization.PrivateFormat.TraditionalOpenSSL, serialization.PrivateFormat.PKCS8):
        for enc in (serialization.Encoding.PEM, serialization.Encoding.DER):
            blob = key.private_bytes(enc, fmt, serialization.NoEncryption())
            assert keys.private_scalar(blob) == d
    spki = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert keys.public_point(spki) == HOST.public_key(d)
