"""Every MAC and signature in RTDS 4.5.0 verifies with the keystore, using the pure provider.

The keystore holds the remote parties' private keys and the devices' public keys. ECDH is
symmetric, so a MAC made with a device key is checked from the remote party's side. The only
frames that cannot be checked are the HAN-only PCS01/PCS02 (PPMID <-> GSME), whose keys RTDS
does not publish. The full set runs on MicroPython too (about 9 s on the unix port).
"""

from smets.crypto.pure import PureCrypto
from smets.security import protect
from smets.security.keyring import USAGE_KA
from smets.security.verify import verify_frame
from smets.wire import frame as wire
from support import list_frames, read_frame, rtds_keyring

ACB = b"\x90\xb3\xd5\x1f\x30\x00\x00\x02"
UNVERIFIABLE = ("PCS01_", "PCS02_")


def _frames():
    for folder, name in list_frames():
        frame = wire.parse(read_frame(folder, name))
        if frame.mac is not None or frame.signature:
            yield name, frame


def test_every_mac_and_signature_verifies():
    provider = PureCrypto()
    ring = rtds_keyring()
    macs = sigs = 0
    for name, frame in _frames():
        result = verify_frame(provider, frame, ring, ACB)
        if name.startswith(UNVERIFIABLE):
            assert result.mac is False, name
            continue
        if frame.mac is not None:
            assert result.mac is True, name + ": " + result.mac_detail
            macs += 1
        if frame.signature:
            assert result.signature is True, name + ": " + result.signature_detail
            sigs += 1
    print("MACs verified:", macs, "signatures verified:", sigs)
    assert macs == 766 and sigs == 444


def _flip_each(frame_bytes, check, positions):
    for i in positions:
        damaged = bytearray(frame_bytes)
        damaged[i] ^= 0x01
        try:
            frame = wire.parse(bytes(damaged))
        except ValueError:
            continue  # the flip broke the structure: refused before any crypto
        assert not check(frame), "flip at %d still verified" % i


def test_flipping_any_protected_byte_breaks_the_mac():
    provider = PureCrypto()
    ring = rtds_keyring()
    data = read_frame("2.2_CS01a", "CS01a_2.2_SUCCESS_COMMAND_GBCS.HEX")
    frame = wire.parse(data)
    device_pub = ring.public(frame.recipient, USAGE_KA)
    acb_priv = ring.private(ACB, USAGE_KA)
    assert protect.verify_mac(provider, frame, acb_priv, device_pub)

    def check(f):
        return protect.verify_mac(provider, f, acb_priv, device_pub)

    _flip_each(data, check, range(13, len(data)))


def test_flipping_any_signed_byte_breaks_the_signature():
    provider = PureCrypto()
    ring = rtds_keyring()
    data = read_frame("1.5_ECS04a", "ECS04a_1.5_SUCCESS_COMMAND_GBCS.HEX")
    frame = wire.parse(data)
    supplier_ds = ring.public(frame.originator, "ds")
    assert protect.verify_signature(provider, frame, supplier_ds)
    start = frame.apdu_start

    def check(f):
        return protect.verify_signature(provider, f, supplier_ds)

    _flip_each(data, check, range(start, frame.apdu_end))


def test_mac_and_signature_made_here_equal_rtds():
    """Rebuilding the ECS04a command's signature (deterministic ECDSA differs from RTDS's random k,
    so compare by verification) and its MAC (deterministic: must equal RTDS's bytes)."""
    provider = PureCrypto()
    ring = rtds_keyring()
    data = read_frame("1.5_ECS04a", "ECS04a_1.5_SUCCESS_COMMAND_GBCS.HEX")
    frame = wire.parse(data)
    rtds_mac = frame.mac
    device_pub = ring.public(frame.recipient, USAGE_KA)
    acb_priv = ring.private(ACB, USAGE_KA)
    key = protect.mac_key(provider, frame, acb_priv, device_pub)
    assert protect.compute_mac(provider, key, frame) == rtds_mac
    supplier = frame.originator
    fresh = wire.parse(data)
    protect.sign(provider, fresh, ring.private(supplier, "ds"))
    assert fresh.signature != frame.signature
    assert protect.verify_signature(provider, fresh, ring.public(supplier, "ds"))
    # the MAC covers the signature, so a new signature needs a new MAC
    rebuilt = protect.apply_mac(provider, fresh, acb_priv, device_pub)
    again = wire.parse(rebuilt)
    assert protect.verify_mac(provider, again, acb_priv, device_pub)
    assert again.mac != rtds_mac
