"""Check a received frame's MAC and signature with whatever keys a KeyRing holds.

Used by the decode command and by conformance tests, which may stand on either side of a
message: the key pair for a MAC is (device KA, remote party KA) and either private half will do,
because one-pass ECDH is symmetric. Devices do not use this: they know exactly which trust
anchor must have protected each message.
"""

from smets.security import protect
from smets.security.keyring import USAGE_DS, USAGE_KA
from smets.wire import frame as wire


class Verification:
    """mac / signature: True (verified), False (present but not verified), None (absent)."""

    __slots__ = ("mac", "signature", "mac_detail", "signature_detail", "mac_parties")

    def __init__(self):
        self.mac = None
        self.signature = None
        self.mac_detail = ""
        self.signature_detail = ""
        self.mac_parties = None

    def ok(self):
        return self.mac is not False and self.signature is not False


def _mac_pairs(frame, keyring, acb):
    """(private holder, public holder) pairs that could key this frame's MAC, most likely first."""
    if frame.cra == wire.CRA_COMMAND:
        device = frame.recipient
        remotes = [acb] if acb is not None else keyring.private_euis(USAGE_KA)
    else:
        device = frame.originator
        remotes = [frame.recipient]
    pairs = []
    for remote in remotes:
        pairs.append((remote, device))
        pairs.append((device, remote))
    return pairs


def verify_frame(provider, frame, keyring, acb=None):
    """Verify what the frame carries. `acb` is the ACB's EUI (commands are MACed by the ACB)."""
    result = Verification()
    if frame.mac is not None:
        result.mac = False
        result.mac_detail = "no key pair in the keystore for this MAC"
        for holder, other in _mac_pairs(frame, keyring, acb):
            private = keyring.private(holder, USAGE_KA)
            public = keyring.public(other, USAGE_KA)
            if private is None or public is None:
                continue
            if protect.verify_mac(provider, frame, private, public):
                result.mac = True
                result.mac_detail = "verified"
                result.mac_parties = (holder, other)
                break
            result.mac_detail = "MAC does not match"
    if frame.signature:
        public = keyring.public(frame.originator, USAGE_DS)
        if public is None:
            result.signature = False
            result.signature_detail = "no DS public key for the originator"
        elif protect.verify_signature(provider, frame, public):
            result.signature = True
            result.signature_detail = "verified"
        else:
            result.signature = False
            result.signature_detail = "signature does not match"
    return result
