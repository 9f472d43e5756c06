"""Commands handled per second per core, end to end through a premises, next to their bare crypto.

A mix of RTDS 4.5.0 commands (critical: signature + MAC, signed response; non-critical: MAC,
MACed response, some with encrypted reads; ESME, CHF, GSME through its wake-up, GPF) is replayed
through the premises the `smets-fleet rtds` replay builds (primed as RTDS shows, host provider).
Each command goes in again and again; before each run the device's anti-replay memory is cleared,
so a replay-protected command is accepted every time, and the GSME is awake.

Next to it, in the same run, the bare crypto the device does for that command, straight on the
same provider with everything the device keeps between commands already at hand (the shared
secrets Z, as the key-agreement objects cache them): verify the ACB's MAC (KDF + GMAC), verify the
supplier's signature (critical), then sign the response (critical) or MAC it (KDF + GMAC), plus a
KDF + GCM encryption for a sensitive read and the UTRN's KDF + GMAC for a top-up. The rest of the
time is the device: frame and payload codecs, the security gate, use case, behaviour.

    python benchmarks/bench_devices.py [--seconds 1]
"""

from __future__ import annotations

import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, "..", "firmware"), os.path.join(HERE, "..", "host")]

from pathlib import Path  # noqa: E402

from timing import rate  # noqa: E402

from smets.devices.trust import ROLE_ACB, ROLE_SUPPLIER  # noqa: E402
from smets.security.kdf import other_info  # noqa: E402
from smets.wire import frame as wire  # noqa: E402
from smets_fleet import rtds  # noqa: E402
from smets_fleet.crypto_host import HostCrypto  # noqa: E402
from smets_fleet.keystore import load_keystore  # noqa: E402

RTDS = Path(os.environ.get("SMETS_RTDS_DIR", os.path.join(HERE, "..", "..", "shared", "rtds")))

# (label, command file, category, extra crypto: "encrypt" / "utrn" / None)
MIX = (
    ("ECS04a adjust balance", "1.5_ECS04a/ECS04a_1.5_SUCCESS_COMMAND_GBCS.HEX", "critical", None),
    ("ECS07 manage debt", "2.3_ECS07/ECS07_2.3_SUCCESS_COMMAND_GBCS.HEX", "critical", None),
    ("ECS03 payment mode", "1.6_ECS03/ECS03_1.6_IMMEDIATE_SINGLE_SUCCESS_COMMAND_GBCS.HEX", "critical", None),
    ("GCS40a GSME balance", "1.5_GCS40a/GCS40a_1.5_SUCCESS_COMMAND_GBCS.HEX", "critical", None),
    ("CS01a top-up", "2.2_CS01a/CS01a_2.2_SUCCESS_COMMAND_GBCS.HEX", "non-critical", "utrn"),
    ("ECS19 prepay registers", "4.3_ECS19/ECS19_4.3_SUCCESS_COMMAND_GBCS.HEX", "non-critical", "encrypt"),
    ("ECS82 meter balance", "4.18_ECS82/ECS82_4.18_SUCCESS_COMMAND_GBCS.HEX", "non-critical", None),
    ("ECS26e identity", "6.2.4_ECS26e/ECS26e_6.2.4_SUCCESS_COMMAND_GBCS.HEX", "non-critical", None),
    ("CCS06 CHF device log", "8.9_CCS06/CCS06_8.9_SUCCESS_COMMAND_GBCS.HEX", "non-critical", None),
    (
        "GCS14 GPF prepay read",
        "4.3_GCS14/GCS14_4.3_SUCCESS_RELIABLE_GPF_COMMAND_GBCS.HEX",
        "non-critical",
        "encrypt",
    ),
)


def prepare(rp, rel):
    """(premises, device, command bytes) primed as the replay primes them."""
    path = RTDS / "RTDS-4.5.0" / rel
    data = rtds.read_hex(path)
    command = wire.parse(data)
    resp_path = path.with_name(path.name.replace("_COMMAND_", "_RESPONSE_"))
    rtds_response = wire.parse(rtds.read_hex(resp_path))
    premises, device = rp.make_premises(command.recipient)
    uc = rtds._NAME.match(path.name).group("uc")
    pre = rtds.PRECONDITIONS.get(uc)
    if pre is not None:
        pre(device, rtds.RTDS_NOW)
    rp.prime(device, command, rtds_response, [])
    return premises, device, data


def end_to_end(premises, device, data):
    now = rtds.RTDS_NOW

    def run():
        device.counters.clear()
        if device is premises.gsme:
            premises.next_wake = now
        out = premises.receive(data, now)
        assert device.last_gate == "accepted" and out, device.last_gate

    return run


def bare(provider, rp, device, data, category, extra):
    """The crypto primitives the device runs for this command, Z already known."""
    frame = wire.parse(data)
    z_acb = device.ka.shared(rp.trust.public(ROLE_ACB, "ka"))
    z_peer = device.ka.shared(rp.trust.party_public(frame.originator, "ka"))
    apdu = wire.build_apdu(frame)
    aad = wire.mac_aad(apdu)
    iv = frame.originator + b"\x00" * 4
    info = other_info(1, frame.originator, frame.counter, frame.recipient)
    signed = wire.signed_part(frame)
    sup_ds = rp.trust.public(ROLE_SUPPLIER, "ds")
    ds_private = device.ds_private
    resp_iv = device.eui + b"\x00" * 4
    resp_info = other_info(2, device.eui, frame.counter, frame.originator)
    enc_info = other_info(4, device.eui, frame.counter, frame.originator)
    body = bytes(120)

    def run():
        key = provider.sha256(b"\x00\x00\x00\x01" + z_acb + info)[:16]
        assert provider.gcm_encrypt(key, iv, b"", aad, 12) == frame.mac
        if category == "critical":
            assert provider.ecdsa_verify(sup_ds, signed, frame.signature)
            provider.ecdsa_sign(ds_private, body)
        else:
            k = provider.sha256(b"\x00\x00\x00\x01" + z_peer + resp_info)[:16]
            provider.gcm_encrypt(k, resp_iv, b"", body, 12)
        if extra == "encrypt":
            k = provider.sha256(b"\x00\x00\x00\x01" + z_peer + enc_info)[:16]
            provider.gcm_encrypt(k, resp_iv, body[:40], b"\x31", 12)
        elif extra == "utrn":
            k = provider.sha256(b"\x00\x00\x00\x01" + z_peer + info)[:16]
            provider.gcm_encrypt(k, iv, b"", body[:35], 16)

    return run


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=1.0)
    args = ap.parse_args()
    if not (RTDS / "RTDS-4.5.0").is_dir():
        print("RTDS vectors not found; set SMETS_RTDS_DIR")
        return 1
    provider = HostCrypto()
    rp = rtds.Replay(load_keystore(RTDS / "keystore"), provider)
    rows = []
    print(f"{'command':26} {'category':13} {'commands/s':>11} {'bare crypto/s':>14} {'crypto share':>13}")
    for label, rel, category, extra in MIX:
        premises, device, data = prepare(rp, rel)
        e2e = rate(end_to_end(premises, device, data), args.seconds)
        crypto = rate(bare(provider, rp, device, data, category, extra), args.seconds)
        rows.append((category, e2e, crypto))
        print(f"{label:26} {category:13} {e2e:11.0f} {crypto:14.0f} {e2e / crypto:12.0%}")
    for cat in ("critical", "non-critical", None):
        sel = [r for r in rows if cat is None or r[0] == cat]
        # a mix in equal parts: the mean time per command, inverted
        t_e2e = sum(1 / r[1] for r in sel) / len(sel)
        t_crypto = sum(1 / r[2] for r in sel) / len(sel)
        name = cat or "whole mix"
        print(f"{'= ' + name:40} {1 / t_e2e:11.0f} {1 / t_crypto:14.0f} {t_crypto / t_e2e:12.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
