"""Cryptographic primitives behind one small interface, injected into the core.

A provider is any object with these methods (keys and points are plain bytes, so the core
never sees a library's key objects):

    sha256(data) -> 32 bytes
    public_key(private) -> 65 bytes             uncompressed P-256 point 04||X||Y
    ecdh(private, peer_public) -> 32 bytes       shared X coordinate (one-pass C(0e, 2s ECC CDH))
    ecdsa_sign(private, message) -> 64 bytes     r||s over SHA-256(message); deterministic k
                                                 (RFC 6979), so every provider gives the same bytes
    ecdsa_verify(public, message, signature) -> bool
    gcm_encrypt(key, iv, plaintext, aad, tag_len) -> ciphertext || tag[:tag_len]
    gcm_decrypt(key, iv, data, aad, tag_len) -> plaintext, or None when the tag does not match
    aes_encrypt_block(key, block) -> 16 bytes    AES-128 of one block (used by UTRN and GCM)

Optional: ``prepare()`` does the provider's one-off set-up now (the pure provider's P-256 tables); a
board calls it at start, before its heap is cut into pieces.

`private` is the 32-octet big-endian scalar. Two providers exist: `smets.crypto.pure` (pure
Python, runs on MicroPython, uses `cryptolib` for AES where the board has it) and
`smets_fleet.crypto_host` (CPython, on `cryptography`). Tests hold them to the same bytes.
"""


class CryptoError(ValueError):
    """A key or point that is not valid for P-256, or an input of the wrong length."""


def default_provider():
    """The pure-Python provider: the one every interpreter has."""
    from smets.crypto.pure import PureCrypto

    return PureCrypto()
