"""The pure-Python crypto provider (see smets.crypto for the interface).

P-256 and ECDSA live in `p256`, AES in `aes` (MicroPython's `cryptolib` when the board has it),
GCM in `gcm`, HMAC-SHA256 for RFC 6979 in `hmac256`. Runs unchanged on MicroPython and CPython.
"""

from hashlib import sha256 as _sha256

from smets.crypto import CryptoError, aes, gcm, p256


class PureCrypto:
    """Stateless provider; every method takes and returns plain bytes."""

    def prepare(self):
        """Build the P-256 tables now rather than at the first signature (optional in the provider
        interface): a board calls it at start, while its heap is still in one piece."""
        p256.prepare()

    def sha256(self, data):
        return _sha256(data).digest()

    def public_key(self, private):
        return p256.public_key(private)

    def ecdh(self, private, peer_public):
        return p256.ecdh(private, peer_public)

    def ecdsa_sign(self, private, message):
        return p256.ecdsa_sign(private, message)

    def ecdsa_verify(self, public, message, signature):
        return p256.ecdsa_verify(public, message, signature)

    def gcm_encrypt(self, key, iv, plaintext, aad, tag_len):
        return gcm.encrypt(key, iv, plaintext, aad, tag_len)

    def gcm_decrypt(self, key, iv, data, aad, tag_len):
        return gcm.decrypt(key, iv, data, aad, tag_len)

    def aes_encrypt_block(self, key, block):
        return aes.encrypt_block(key, block)


__all__ = ["PureCrypto", "CryptoError"]
