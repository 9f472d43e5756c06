"""Key agreement objects for the KDF: `shared(peer_public) -> Z` (see smets.security.kdf).

* `OwnKeyAgreement`: a device with its own KA private key. Z is static for a pair of static keys,
  so it is cached per peer public key (a device talks to a handful of remote parties, and a host
  running 100,000 devices saves one ECDH per message and device).
* `ReplayKeyAgreement`: the RTDS replay. RTDS publishes no device private keys, only the remote
  parties'. ECDH is symmetric, so the device's Z with a remote party equals
  ECDH(remote party's private key, device's public key); the replay gives the device that instead,
  and the MACs it makes equal RTDS's byte for byte.
"""

from smets.crypto import CryptoError

_CACHE_SIZE = 8


class OwnKeyAgreement:
    __slots__ = ("provider", "private", "public", "_cache")

    def __init__(self, provider, private, public=None):
        self.provider = provider
        self.private = bytes(private)
        self.public = public if public is not None else provider.public_key(self.private)
        self._cache = {}

    def shared(self, peer_public):
        peer_public = bytes(peer_public)
        z = self._cache.get(peer_public)
        if z is None:
            z = self.provider.ecdh(self.private, peer_public)
            if len(self._cache) >= _CACHE_SIZE:
                self._cache.clear()  # dicts are unordered on MicroPython: start again
            self._cache[peer_public] = z
        return z


class ReplayKeyAgreement:
    """Z from the remote party's side. `remote_private` maps a remote party's KA public key (65
    octets) to its private scalar: a dict, or any object with a `get(public)` method."""

    __slots__ = ("provider", "public", "remote_private", "_cache")

    def __init__(self, provider, own_public, remote_private):
        self.provider = provider
        self.public = bytes(own_public)
        self.remote_private = remote_private
        self._cache = {}

    def shared(self, peer_public):
        peer_public = bytes(peer_public)
        z = self._cache.get(peer_public)
        if z is None:
            private = self.remote_private.get(peer_public)
            if private is None:
                raise CryptoError("replay: no private key for this remote party")
            z = self.provider.ecdh(private, self.public)
            if len(self._cache) >= _CACHE_SIZE:
                self._cache.clear()
            self._cache[peer_public] = z
        return z
