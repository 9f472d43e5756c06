"""Read and write keystores in the layout DCC's tools use: `<eui>-<usage>.pem` / `.key`.

`<eui>` is 16 hex digits, `<usage>` is ds, ka or pp-ka. A `.key` holds a PEM private key (SEC1 or
PKCS#8); a `.pem` holds an X.509 certificate or a bare public key. Keys go into the core's
KeyRing as raw bytes (32-octet scalar, 65-octet uncompressed point).
"""

from __future__ import annotations

import binascii
import os
import re
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from smets.security.keyring import USAGES, KeyRing
from smets_fleet.atomic import write_bytes

_NAME = re.compile(r"^([0-9a-fA-F]{16})-(ds|ka|pp-ka)\.(pem|key)$")


class KeystoreError(ValueError):
    """A keystore folder or file that cannot be read."""


def point_bytes(public_key: ec.EllipticCurvePublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


def load_public_pem(data: bytes) -> ec.EllipticCurvePublicKey:
    """A public key from a PEM certificate or a PEM SubjectPublicKeyInfo."""
    key: object
    if b"CERTIFICATE" in data:
        key = x509.load_pem_x509_certificate(data).public_key()
    else:
        key = serialization.load_pem_public_key(data)
    if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != "secp256r1":
        raise KeystoreError("not a P-256 public key")
    return key


def load_keystore(path: str | os.PathLike[str]) -> KeyRing:
    """Every key file in a folder, into a KeyRing. Raises KeystoreError with a one-line reason."""
    folder = Path(path)
    if not folder.is_dir():
        raise KeystoreError(f"keystore {folder} is not a folder")
    ring = KeyRing()
    count = 0
    for entry in sorted(folder.iterdir()):
        m = _NAME.match(entry.name)
        if not m:
            continue
        eui = binascii.unhexlify(m.group(1))
        usage, kind = m.group(2), m.group(3)
        data = entry.read_bytes()
        try:
            if kind == "key":
                priv = serialization.load_pem_private_key(data, password=None)
                if not isinstance(priv, ec.EllipticCurvePrivateKey) or priv.curve.name != "secp256r1":
                    raise KeystoreError("not a P-256 private key")
                scalar = priv.private_numbers().private_value.to_bytes(32, "big")
                ring.add_private(eui, usage, scalar, point_bytes(priv.public_key()))
            else:
                ring.add_public(eui, usage, point_bytes(load_public_pem(data)))
        except KeystoreError as exc:
            raise KeystoreError(f"{entry}: {exc}") from None
        except ValueError as exc:
            raise KeystoreError(f"{entry}: unreadable key ({exc})") from None
        count += 1
    if count == 0:
        raise KeystoreError(f"keystore {folder} holds no <eui>-{{{','.join(USAGES)}}}.pem/.key files")
    return ring


def write_public_key(folder: str | os.PathLike[str], eui: bytes, usage: str, point: bytes) -> Path:
    """Write `<eui>-<usage>.pem` as a PEM SubjectPublicKeyInfo, atomically."""
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    pem = key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    target = Path(folder) / f"{binascii.hexlify(eui).decode()}-{usage}.pem"
    return write_bytes(target, pem)
