"""The fleet's test PKI and the keystore DCC's tools read.

A root CA, an organisation issuing CA and a device issuing CA; an organisation certificate for each
key of each remote party (the supplier's prepayment top-up KA key too) and a DS and a KA
certificate for every device of the premises asked for. Every key is the one smets_fleet.identity
derives from (seed, premises number); serial numbers derive from the seed and signatures are
deterministic ECDSA (RFC 6979), so the same seed gives the same certificates, byte for byte.

Certificate profile, as DCC's certificates in the RTDS keystore show it:

* organisation certificate: subject [CN (DS certificates)], OU = the party's GBCS role as two
  hex digits, x500UniqueIdentifier = the party's EUI-64 (a BIT STRING); issuer the organisation
  CA (OU 07, the issuing authority role); key usage (critical) digitalSignature or keyAgreement;
  8-octet subject and authority key identifiers; certificate policy (critical).
* device certificate: empty subject; subjectAltName (critical) otherName hardwareModuleName
  {hwType, hwSerialNum = the device's EUI-64}; valid until 9999-12-31T23:59:59Z; issued by the
  device CA; key usage, key identifiers and policy as above.
* the root CA's key is the root party's DS key, so a device's root trust anchor is this PKI's root.

``write_keystore`` writes ``<eui>-ds.pem``, ``<eui>-ka.pem`` (certificates) for every party and
device, ``<eui>-{ds,ka}.key`` (PKCS#8) for the remote parties, ``<supplier>-pp-ka.pem/.key`` for the
prepayment key, and the three CA certificates; each file atomically.
"""

from __future__ import annotations

import datetime
import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import NameOID, ObjectIdentifier

from smets.build import PARTY_ROLES
from smets.devices import trust as tr
from smets.wire import der
from smets_fleet import identity
from smets_fleet.atomic import write_bytes

# Object identifiers of DCC's certificate profile (as the RTDS certificates carry them).
ORGANISATION_POLICY = "1.2.826.0.1.8641679.1.2.1.4"
DEVICE_POLICY = "1.2.826.0.1.1800000.1.2.1.4"
HARDWARE_MODULE_NAME = "1.3.6.1.5.5.7.8.4"
HW_TYPE = "1.2.826.0.1.8641679.1.2.2.1"

NOT_BEFORE = datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)
ORGANISATION_NOT_AFTER = datetime.datetime(2049, 12, 31, 23, 59, 59, tzinfo=datetime.timezone.utc)
DEVICE_NOT_AFTER = datetime.datetime(9999, 12, 31, 23, 59, 59, tzinfo=datetime.timezone.utc)

ROOT_FILE = "root-ca.pem"
ORGANISATION_CA_FILE = "organisation-ca.pem"
DEVICE_CA_FILE = "device-ca.pem"

_CURVE = ec.SECP256R1()
_ROLE = dict(PARTY_ROLES)


def role_ou(role: int) -> str:
    return "%02X" % role


def _private(scalar: bytes) -> ec.EllipticCurvePrivateKey:
    return ec.derive_private_key(int.from_bytes(scalar, "big"), _CURVE)


def _public(point: bytes) -> ec.EllipticCurvePublicKey:
    return ec.EllipticCurvePublicKey.from_encoded_point(_CURVE, point)


def key_id(point: bytes) -> bytes:
    """The 8-octet key identifier of a public key (first octets of its SHA-256)."""
    return hashlib.sha256(point).digest()[:8]


def serial(seed: str, label: str) -> int:
    """A positive serial number of at most 128 bits, from the seed and the certificate's label."""
    return int.from_bytes(hashlib.sha256(("%s|serial|%s" % (seed, label)).encode()).digest()[:16], "big") >> 1


@dataclass(frozen=True)
class Authority:
    """A CA: its name, key and key identifier."""

    name: x509.Name
    key: ec.EllipticCurvePrivateKey
    ski: bytes
    certificate: x509.Certificate


def organisation_name(role: int, eui: bytes, common_name: str | None = None) -> x509.Name:
    attrs = []
    if common_name:
        attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    attrs.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, role_ou(role)))
    # the BIT STRING's content octets as cryptography wants them: 0 unused bits, then the EUI
    unique = b"\x00" + bytes(eui)
    attrs.append(x509.NameAttribute(NameOID.X500_UNIQUE_IDENTIFIER, unique, _ASN1Type.BitString))  # type: ignore[arg-type]
    return x509.Name(attrs)


def hardware_module_name(eui: bytes) -> x509.OtherName:
    """otherName hardwareModuleName (RFC 4108): SEQUENCE { hwType OID, hwSerialNum OCTET STRING }."""
    value = der.build(der.make_sequence([der.make_oid(HW_TYPE), der.make_octets(bytes(eui))]))
    return x509.OtherName(ObjectIdentifier(HARDWARE_MODULE_NAME), value)


def _builder(subject: x509.Name, issuer: x509.Name, point: bytes, number: int, not_after: Any) -> Any:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(_public(point))
        .serial_number(number)
        .not_valid_before(NOT_BEFORE)
        .not_valid_after(not_after)
        .add_extension(x509.SubjectKeyIdentifier(key_id(point)), critical=False)
    )


def _sign(builder: Any, issuer_key: ec.EllipticCurvePrivateKey) -> x509.Certificate:
    return builder.sign(issuer_key, hashes.SHA256(), ecdsa_deterministic=True)


def _key_usage(signing: bool = False, agreement: bool = False, ca: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=signing,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=agreement,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def _policy(oid: str) -> x509.CertificatePolicies:
    return x509.CertificatePolicies([x509.PolicyInformation(ObjectIdentifier(oid), None)])


class TestPki:
    """The CAs of one seed; issues organisation and device certificates."""

    def __init__(self, provider: Any, seed: str = identity.DEFAULT_SEED) -> None:
        self.provider = provider
        self.seed = seed
        self.parties = identity.parties(provider, seed)
        root = self.parties["root"]
        self.root = self._ca(
            organisation_name(tr.ROLE_ROOT, root.eui, "SMETS-FLEET ROOT"), root.ds.private, None, "root"
        )
        self.organisation_ca = self._ca(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, role_ou(tr.ROLE_ISSUING_AUTHORITY)),
                    x509.NameAttribute(NameOID.COMMON_NAME, "SMETS-FLEET OCA"),
                ]
            ),
            identity.scalar(seed, "pki organisation ca"),
            self.root,
            "organisation ca",
        )
        self.device_ca = self._ca(
            x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "SMETS-FLEET DCA")]),
            identity.scalar(seed, "pki device ca"),
            self.root,
            "device ca",
        )

    def _ca(self, name: x509.Name, scalar: bytes, issuer: Authority | None, label: str) -> Authority:
        key = _private(scalar)
        point = self.provider.public_key(scalar)
        ski = key_id(point)
        signer = issuer if issuer is not None else None
        b = _builder(
            name, signer.name if signer else name, point, serial(self.seed, label), ORGANISATION_NOT_AFTER
        )
        b = b.add_extension(x509.BasicConstraints(ca=True, path_length=None if signer is None else 0), True)
        b = b.add_extension(_key_usage(ca=True), critical=True)
        b = b.add_extension(_policy(ORGANISATION_POLICY), critical=True)
        if signer is not None:
            b = b.add_extension(_aki(signer.ski), critical=False)
        cert = _sign(b, signer.key if signer else key)
        return Authority(name, key, ski, cert)

    def organisation_certificate(self, party: identity.Party, usage: str) -> x509.Certificate:
        """The certificate of one key ("ds", "ka" or "pp-ka") of a remote party."""
        point = _usage_point(party, usage)
        role = _ROLE[party.name]
        if party.name == "root" and usage == "ds":
            return self.root.certificate
        cn = party.name.upper().replace("_", " ") if usage == "ds" else None
        ca = self.organisation_ca
        b = _builder(
            organisation_name(role, party.eui, cn),
            ca.name,
            point,
            serial(self.seed, "party %s %s" % (party.name, usage)),
            ORGANISATION_NOT_AFTER,
        )
        b = b.add_extension(_key_usage(signing=usage == "ds", agreement=usage != "ds"), critical=True)
        b = b.add_extension(_policy(ORGANISATION_POLICY), critical=True)
        b = b.add_extension(_aki(ca.ski), critical=False)
        return _sign(b, ca.key)

    def device_certificate(self, device: identity.Party, usage: str) -> x509.Certificate:
        """The DS or KA certificate of a device."""
        point = _usage_point(device, usage)
        ca = self.device_ca
        b = _builder(
            x509.Name([]),
            ca.name,
            point,
            serial(self.seed, "device %s %s" % (device.eui.hex(), usage)),
            DEVICE_NOT_AFTER,
        )
        b = b.add_extension(_key_usage(signing=usage == "ds", agreement=usage == "ka"), critical=True)
        b = b.add_extension(x509.SubjectAlternativeName([hardware_module_name(device.eui)]), critical=True)
        b = b.add_extension(_policy(DEVICE_POLICY), critical=True)
        b = b.add_extension(_aki(ca.ski), critical=False)
        return _sign(b, ca.key)


def _aki(ski: bytes) -> x509.AuthorityKeyIdentifier:
    return x509.AuthorityKeyIdentifier(ski, None, None)


def _usage_point(p: identity.Party, usage: str) -> bytes:
    if usage == "ds":
        return p.ds.public
    if usage == "ka":
        return p.ka.public
    if usage == "pp-ka" and p.ka_prepayment is not None:
        return p.ka_prepayment.public
    raise ValueError("%s has no %s key" % (p.name, usage))


def _usage_scalar(p: identity.Party, usage: str) -> bytes:
    if usage == "ds":
        return p.ds.private
    if usage == "ka":
        return p.ka.private
    assert p.ka_prepayment is not None
    return p.ka_prepayment.private


def party_usages(p: identity.Party) -> tuple[str, ...]:
    return ("ds", "ka", "pp-ka") if p.ka_prepayment is not None else ("ds", "ka")


def certificate_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def private_pem(scalar: bytes) -> bytes:
    return _private(scalar).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def write_keystore(
    folder: str | os.PathLike[str],
    provider: Any,
    seed: str = identity.DEFAULT_SEED,
    premises: Iterable[int] = (),
    meters: tuple[str, ...] = identity.DEFAULT_MIX,
) -> list[Path]:
    """Write the keystore of a seed's remote parties and of the devices of these premises (each
    file written atomically). Returns the paths written."""
    out = Path(folder)
    pki = TestPki(provider, seed)
    written: list[Path] = []

    def put(name: str, data: bytes) -> None:
        path = out / name
        write_bytes(path, data)
        written.append(path)

    put(ROOT_FILE, certificate_pem(pki.root.certificate))
    put(ORGANISATION_CA_FILE, certificate_pem(pki.organisation_ca.certificate))
    put(DEVICE_CA_FILE, certificate_pem(pki.device_ca.certificate))
    for p in pki.parties.values():
        for usage in party_usages(p):
            put("%s-%s.pem" % (p.eui.hex(), usage), certificate_pem(pki.organisation_certificate(p, usage)))
            put("%s-%s.key" % (p.eui.hex(), usage), private_pem(_usage_scalar(p, usage)))
    for number in premises:
        for d in premises_devices(provider, seed, number, meters, pki.parties):
            for usage in ("ds", "ka"):
                put("%s-%s.pem" % (d.eui.hex(), usage), certificate_pem(pki.device_certificate(d, usage)))
    return written


def premises_devices(
    provider: Any, seed: str, number: int, meters: tuple[str, ...], remote: dict[str, identity.Party]
) -> list[identity.Party]:
    """The devices of premises `number` (public halves), as identity.premises_config builds them."""
    cfg = identity.premises_config(provider, number, seed, meters, remote)
    out = []
    for kind in identity.DEVICE_KIND_CODES:
        spec = cfg.get(kind)
        if spec is not None:
            ds = identity.KeyPair(bytes.fromhex(spec["ds"]), bytes.fromhex(spec["ds_pub"]))
            ka = identity.KeyPair(bytes.fromhex(spec["ka"]), bytes.fromhex(spec["ka_pub"]))
            out.append(identity.Party(kind, bytes.fromhex(spec["eui"]), ds, ka))
    return out
