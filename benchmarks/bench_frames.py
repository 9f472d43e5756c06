"""Frames parsed and verified per second on CPython, next to the bare `cryptography` cost.

Two RTDS commands: a critical one (ECS04a: supplier signature + ACB MAC) and a non-critical one
(CS01a: ACB MAC only). For each, the full path (parse the frame, derive the MAC key by ECDH + KDF,
check the GMAC, check the ECDSA signature) runs through the core with the host provider, and the
same primitive operations run straight on `cryptography` with pre-loaded keys. The ratio is what
the core adds; both are measured in the same run, so the machine's speed cancels out.

    python benchmarks/bench_frames.py [--seconds 2]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, "..", "firmware"), os.path.join(HERE, "..", "host")]

from cryptography.hazmat.primitives import hashes  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature  # noqa: E402
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes  # noqa: E402
from timing import rate  # noqa: E402

from smets.security.verify import verify_frame  # noqa: E402
from smets.wire import frame as wire  # noqa: E402
from smets_fleet.crypto_host import HostCrypto  # noqa: E402
from smets_fleet.keystore import load_keystore  # noqa: E402

RTDS = os.environ.get("SMETS_RTDS_DIR", os.path.join(HERE, "..", "..", "shared", "rtds"))
ACB = bytes.fromhex("90B3D51F30000002")
CASES = (
    ("critical (ECS04a: signature + MAC)", "1.5_ECS04a/ECS04a_1.5_SUCCESS_COMMAND_GBCS.HEX"),
    ("non-critical (CS01a: MAC)", "2.2_CS01a/CS01a_2.2_SUCCESS_COMMAND_GBCS.HEX"),
)


def bare_ops(data: bytes, ring):
    """The same primitive work, straight on `cryptography`, keys loaded once."""
    frame = wire.parse(data)
    acb_priv = ec.derive_private_key(int.from_bytes(ring.private(ACB, "ka"), "big"), ec.SECP256R1())
    dev_pub = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), ring.public(frame.recipient, "ka"))
    sup_pub = None
    if frame.signature:
        sup_pub = ec.EllipticCurvePublicKey.from_encoded_point(
            ec.SECP256R1(), ring.public(frame.originator, "ds")
        )
    apdu = data[frame.apdu_start : frame.apdu_end]
    aad = b"\x11\x00\x00\x00\x00\x00" + apdu
    other = (
        bytes.fromhex("60857406080300") + frame.originator + b"\x09\x01" + frame.counter.to_bytes(8, "big")
    ) + frame.recipient
    signed = apdu[1 : len(apdu) - 1 - len(frame.signature)]
    sig = None
    if frame.signature:
        sig = encode_dss_signature(
            int.from_bytes(frame.signature[:32], "big"), int.from_bytes(frame.signature[32:], "big")
        )

    def run():
        shared = acb_priv.exchange(ec.ECDH(), dev_pub)
        key = hashlib.sha256(b"\x00\x00\x00\x01" + shared + other).digest()[:16]
        enc = Cipher(algorithms.AES(key), modes.GCM(frame.originator + b"\x00" * 4)).encryptor()
        enc.authenticate_additional_data(aad)
        enc.finalize()
        assert enc.tag[:12] == frame.mac
        if sup_pub is not None:
            sup_pub.verify(sig, signed, ec.ECDSA(hashes.SHA256()))

    return run


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=2.0)
    args = ap.parse_args()
    if not os.path.isdir(os.path.join(RTDS, "RTDS-4.5.0")):
        print("RTDS vectors not found; set SMETS_RTDS_DIR")
        return 1
    ring = load_keystore(os.path.join(RTDS, "keystore"))
    provider = HostCrypto()
    print(f"{'frame':38} {'core frames/s':>14} {'bare crypto/s':>14} {'core/bare cost':>15}")
    for label, rel in CASES:
        with open(os.path.join(RTDS, "RTDS-4.5.0", rel)) as f:
            data = bytes.fromhex("".join(f.read().split()))

        def core(data=data):
            result = verify_frame(provider, wire.parse(data), ring, ACB)
            assert result.ok() and result.mac

        core_rate = rate(core, args.seconds, batch=20)
        bare_rate = rate(bare_ops(data, ring), args.seconds, batch=20)
        print(f"{label:38} {core_rate:14.0f} {bare_rate:14.0f} {bare_rate / core_rate:14.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
