"""The crypto provider on the `cryptography` package (interface in smets.crypto).

Gives the same bytes as smets.crypto.pure.PureCrypto: raw r||s signatures with RFC 6979
deterministic nonces, the shared X coordinate for ECDH, ciphertext || truncated tag for GCM,
and the same CryptoError for bad keys, points and lengths. Loaded key objects are cached by
their bytes in bounded dicts, because a fleet calls this with thousands of device keys.
"""

from __future__ import annotations

import hmac

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from smets.crypto import CryptoError

CACHE_SIZE = 4096
_CURVE = ec.SECP256R1()
_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
_SIGN = ec.ECDSA(hashes.SHA256(), deterministic_signing=True)
_VERIFY = ec.ECDSA(hashes.SHA256())


class _BoundedCache:
    """A dict that forgets its oldest entry once it holds `size` entries."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: dict[bytes, object] = {}

    def get(self, key: bytes) -> object | None:
        return self._items.get(key)

    def put(self, key: bytes, value: object) -> None:
        if len(self._items) >= self._size:
            del self._items[next(iter(self._items))]
        self._items[key] = value

    def __len__(self) -> int:
        return len(self._items)


class HostCrypto:
    """Provider on `cryptography` (OpenSSL); keys and results are plain bytes."""

    def __init__(self, cache_size: int = CACHE_SIZE) -> None:
        self._private = _BoundedCache(cache_size)
        self._public = _BoundedCache(cache_size)

    # -- key objects ---------------------------------------------------------------------------

    def _private_key(self, private: bytes) -> ec.EllipticCurvePrivateKey:
        private = bytes(private)
        key = self._private.get(private)
        if key is None:
            if len(private) != 32:
                raise CryptoError("P-256 private key must be 32 octets")
            d = int.from_bytes(private, "big")
            if not 0 < d < _N:
                raise CryptoError("P-256 private key out of range")
            key = ec.derive_private_key(d, _CURVE)
            self._private.put(private, key)
        return key  # type: ignore[return-value]

    def _public_key(self, public: bytes) -> ec.EllipticCurvePublicKey:
        public = bytes(public)
        key = self._public.get(public)
        if key is None:
            if len(public) != 65 or public[0] != 4:
                raise CryptoError("P-256 public key must be 65 octets 04||X||Y")
            try:
                key = ec.EllipticCurvePublicKey.from_encoded_point(_CURVE, public)
            except ValueError as exc:
                raise CryptoError("point is not on P-256") from exc
            self._public.put(public, key)
        return key  # type: ignore[return-value]

    # -- the provider interface ----------------------------------------------------------------

    def sha256(self, data: bytes) -> bytes:
        h = hashes.Hash(hashes.SHA256())
        h.update(bytes(data))
        return h.finalize()

    def public_key(self, private: bytes) -> bytes:
        return (
            self._private_key(private)
            .public_key()
            .public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        )

    def ecdh(self, private: bytes, peer_public: bytes) -> bytes:
        key = self._private_key(private)
        return key.exchange(ec.ECDH(), self._public_key(peer_public))

    def ecdsa_sign(self, private: bytes, message: bytes) -> bytes:
        der = self._private_key(private).sign(bytes(message), _SIGN)
        r, s = decode_dss_signature(der)
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")

    def ecdsa_verify(self, public: bytes, message: bytes, signature: bytes) -> bool:
        key = self._public_key(public)
        if len(signature) != 64:
            raise CryptoError("P-256 signature must be 64 octets r||s")
        r = int.from_bytes(signature[:32], "big")
        s = int.from_bytes(signature[32:], "big")
        if not (0 < r < _N and 0 < s < _N):
            return False
        try:
            key.verify(encode_dss_signature(r, s), bytes(message), _VERIFY)
        except InvalidSignature:
            return False
        return True

    def gcm_encrypt(self, key: bytes, iv: bytes, plaintext: bytes, aad: bytes, tag_len: int) -> bytes:
        _check_gcm(key, iv, tag_len)
        # AESGCM is about 3x cheaper per call than a Cipher object; a truncated GCM tag is a prefix
        # of the full one, so ciphertext || tag[:tag_len] is the same bytes.
        out = AESGCM(bytes(key)).encrypt(bytes(iv), bytes(plaintext), bytes(aad))
        return out[: len(out) - 16 + tag_len]

    def gcm_decrypt(self, key: bytes, iv: bytes, data: bytes, aad: bytes, tag_len: int) -> bytes | None:
        _check_gcm(key, iv, tag_len)
        if len(data) < tag_len:
            return None
        data = bytes(data)
        split = len(data) - tag_len
        if split == 0:  # a GMAC (no ciphertext): recompute the tag and compare its prefix
            tag = AESGCM(bytes(key)).encrypt(bytes(iv), b"", bytes(aad))[:tag_len]
            return b"" if hmac.compare_digest(tag, data) else None
        mode = modes.GCM(bytes(iv), data[split:], min_tag_length=tag_len)
        dec = Cipher(algorithms.AES(bytes(key)), mode).decryptor()
        dec.authenticate_additional_data(bytes(aad))
        try:
            return dec.update(data[:split]) + dec.finalize()
        except InvalidTag:
            return None

    def aes_encrypt_block(self, key: bytes, block: bytes) -> bytes:
        if len(key) != 16:
            raise CryptoError("AES-128 key must be 16 octets")
        if len(block) != 16:
            raise CryptoError("AES block must be 16 octets")
        enc = Cipher(algorithms.AES(bytes(key)), modes.ECB()).encryptor()
        return enc.update(bytes(block)) + enc.finalize()


def _check_gcm(key: bytes, iv: bytes, tag_len: int) -> None:
    if len(key) != 16:
        raise CryptoError("AES-128-GCM key must be 16 octets")
    if len(iv) != 12:
        raise CryptoError("GCM IV must be 12 octets")
    if not 4 <= tag_len <= 16:
        raise CryptoError("GCM tag length must be 4..16 octets")
