"""GBCS message protection: MACs, signatures and payload encryption on a parsed Frame.

The rules, as GBCS states them and as every RTDS 4.5.0 frame confirms
(../shared/spec/SMETS-GBCS.md §3.2-3.3):

* MAC: AES-128-GCM as GMAC, 12-octet tag; IV = originator system title || 00000000;
  AAD = 11 00000000 || 00 || the whole general-signing APDU (0xDF through the signature).
  The key comes from the KDF in mode 1/2/3 (command/response/alert MAC) over the frame's own
  originator title, originator counter and recipient title. The key pair is the device's KA key
  and the remote party's: for a command the ACB (which adds the MAC), for a response or an alert
  the frame's recipient.
* Signature: ECDSA P-256/SHA-256, raw r||s, over the APDU from the 0x09 after 0xDF to the end of
  the payload; made with the originator's DS key.
* Payload encryption (mode 4): AES-128-GCM, IV = originator title || 00000000, AAD = 0x31,
  content = 31 00000000 || ciphertext || 12-octet tag. The KDF takes the supplementary
  originator counter instead of the frame's counter, and the supplementary remote party ID instead
  of its recipient, each when the frame carries it.

These functions only compute and compare; deciding what a device accepts is the device's job.
"""

from smets.compat import constant_time_eq
from smets.security.kdf import MODE_ENCRYPTION, derive_key
from smets.wire import frame as wire

MAC_TAG_LENGTH = 12
_ZEROS4 = b"\x00\x00\x00\x00"
_ENC_SECURITY_HEADER = b"\x31\x00\x00\x00\x00"
_ENC_AAD = b"\x31"


def mac_mode(frame):
    """KDF mode for a frame's MAC: 1 command, 2 response, 3 alert (the CRA flag itself)."""
    return frame.cra


def mac_key(provider, frame, own_private, peer_public):
    """The AES key for this frame's MAC, from either party's side (ECDH is symmetric)."""
    return derive_key(
        provider, own_private, peer_public, mac_mode(frame), frame.originator, frame.counter, frame.recipient
    )


def compute_mac(provider, key, frame):
    """The 12-octet MAC over the frame's APDU (the received bytes for a parsed frame)."""
    apdu = wire.build_apdu(frame)
    return provider.gcm_encrypt(key, frame.originator + _ZEROS4, b"", wire.mac_aad(apdu), MAC_TAG_LENGTH)


def verify_mac(provider, frame, own_private, peer_public):
    """True when the frame has a MAC and it matches; False otherwise."""
    if frame.mac is None:
        return False
    key = mac_key(provider, frame, own_private, peer_public)
    return constant_time_eq(compute_mac(provider, key, frame), frame.mac)


def apply_mac(provider, frame, own_private, peer_public):
    """Compute the frame's MAC, store it on the frame, and return the whole frame's bytes."""
    frame.has_mac_header = True
    key = mac_key(provider, frame, own_private, peer_public)
    frame.mac = compute_mac(provider, key, frame)
    return wire.build(frame)


def sign(provider, frame, ds_private):
    """Sign the frame as its originator; stores and returns the 64-octet signature."""
    wire.invalidate(frame)
    frame.signature = provider.ecdsa_sign(ds_private, wire.signed_part(frame))
    return frame.signature


def verify_signature(provider, frame, ds_public):
    """True when the frame carries a 64-octet signature that verifies with the originator's key."""
    sig = frame.signature
    if not sig or len(sig) != wire.SIGNATURE_LENGTH:
        return False
    return provider.ecdsa_verify(ds_public, wire.signed_part(frame), sig)


def encryption_titles(frame):
    """(originator title, counter, recipient title) that the mode-4 KDF uses for this frame.

    The supplementary originator counter replaces the counter, and the supplementary remote party
    the recipient, each on its own when the frame carries it (RTDS GCS15d and GCS61 carry the
    remote party without the counter; ECS21b carries both)."""
    counter = frame.counter if frame.supp_originator_counter is None else frame.supp_originator_counter
    recipient = frame.recipient if frame.supp_remote_party_id is None else frame.supp_remote_party_id
    return frame.originator, counter, recipient


def encryption_key(provider, frame, own_private, peer_public):
    originator, counter, recipient = encryption_titles(frame)
    return derive_key(provider, own_private, peer_public, MODE_ENCRYPTION, originator, counter, recipient)


def encrypt_content(provider, key, originator_title, plaintext):
    """Protected content: 31 00000000 || ciphertext || 12-octet tag."""
    sealed = provider.gcm_encrypt(key, originator_title + _ZEROS4, plaintext, _ENC_AAD, MAC_TAG_LENGTH)
    return _ENC_SECURITY_HEADER + sealed


def decrypt_content(provider, key, originator_title, content):
    """The plaintext of protected content, or None when it is malformed or the tag fails."""
    if len(content) < len(_ENC_SECURITY_HEADER) + MAC_TAG_LENGTH:
        return None
    if content[:5] != _ENC_SECURITY_HEADER:
        return None
    return provider.gcm_decrypt(key, originator_title + _ZEROS4, content[5:], _ENC_AAD, MAC_TAG_LENGTH)
