"""GBCS key derivation: one-pass ECDH on P-256 and the SHA-256 concatenation KDF (spec §3.3).

The hash input is 00000001 || Z || OtherInfo, where Z is the shared X coordinate and
OtherInfo = algorithm ID 60 85 74 06 08 03 00 || originator system title (8) || 0x09 ||
mode octet || originator counter (8) || recipient system title (8). The AES-128 key is the first
16 octets of the digest. Both ends get the same key: the remote party with its private key and
the device's public key, the device with its private key and the remote party's public key.

The titles and counter are the *business* originator's and target's from the grouping header,
even when another party holds the private key (the ACB MACs a supplier's command with the ACB
key but the supplier's title and counter; UTRNs use the supplier's prepayment key).
"""

from smets.compat import const, int_to_be
from smets.crypto import CryptoError

MODE_COMMAND_MAC = const(1)
MODE_RESPONSE_MAC = const(2)
MODE_ALERT_MAC = const(3)
MODE_ENCRYPTION = const(4)

ALGORITHM_ID = b"\x60\x85\x74\x06\x08\x03\x00"


def counter_bytes(counter):
    """An originator counter as 8 octets: an int in [0, 2^64) or 8 octets already."""
    if isinstance(counter, int):
        if not 0 <= counter < (1 << 64):
            raise CryptoError("originator counter out of range")
        return int_to_be(counter, 8)
    if len(counter) != 8:
        raise CryptoError("originator counter must be 8 octets")
    return bytes(counter)


def other_info(mode, originator_title, counter, recipient_title):
    """The 34-octet OtherInfo of the KDF."""
    if not MODE_COMMAND_MAC <= mode <= MODE_ENCRYPTION:
        raise CryptoError("unknown KDF mode %d" % mode)
    if len(originator_title) != 8 or len(recipient_title) != 8:
        raise CryptoError("system titles must be 8 octets")
    return (
        ALGORITHM_ID
        + bytes(originator_title)
        + bytes((0x09, mode))
        + counter_bytes(counter)
        + bytes(recipient_title)
    )


def derive_key(provider, private, peer_public, mode, originator_title, counter, recipient_title):
    """The 16-octet AES key shared by `private`'s owner and `peer_public`'s owner.

    `private` is the 32-octet scalar, or any object with `shared(peer_public) -> Z`: a party whose
    key agreement happens elsewhere (a secure element, a cache of static secrets, or the RTDS
    replay, where a device's Z is computed from the remote party's published private key).
    """
    info = other_info(mode, originator_title, counter, recipient_title)
    if isinstance(private, (bytes, bytearray)):
        z = provider.ecdh(private, peer_public)
    else:
        z = private.shared(peer_public)
    return provider.sha256(b"\x00\x00\x00\x01" + z + info)[:16]
