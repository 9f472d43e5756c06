"""The test PKI: the keystore it writes is read back by keystore.load_keystore with the keys identity
derives, every certificate chains to the root (each signature checked against its issuer's key),
the profile fields are DCC's (EUI and role in the subject, key usage, device EUI in the
subjectAltName), and one seed gives the same files every time."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from smets.devices import trust as tr
from smets.security.keyring import USAGE_DS, USAGE_KA, USAGE_PP_KA
from smets_fleet import identity, pki
from smets_fleet.crypto_host import HostCrypto
from smets_fleet.keystore import load_keystore, point_bytes

P = HostCrypto()
SEED = "pki-test"
# GBCS remote party roles (trust anchor role numbers), written as the OU of organisation certificates.
ROLES = {
    "root": 0,
    "recovery": 1,
    "supplier": 2,
    "network_operator": 3,
    "acb": 4,
    "transitional_cos": 5,
    "wan_provider": 6,
}


def _load(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def _subject(cert: x509.Certificate, oid: x509.ObjectIdentifier) -> list:
    return [a.value for a in cert.subject.get_attributes_for_oid(oid)]


def test_keystore_reads_back_with_the_derived_keys(tmp_path):
    pki.write_keystore(tmp_path, P, SEED, range(2, 4))
    ring = load_keystore(tmp_path)
    parties = identity.parties(P, SEED)
    for p in parties.values():
        assert ring.public(p.eui, USAGE_DS) == p.ds.public
        assert ring.private(p.eui, USAGE_DS) == p.ds.private
        assert ring.public(p.eui, USAGE_KA) == p.ka.public
        assert ring.private(p.eui, USAGE_KA) == p.ka.private
    supplier = parties["supplier"]
    assert supplier.ka_prepayment is not None
    assert ring.private(supplier.eui, USAGE_PP_KA) == supplier.ka_prepayment.private
    assert ring.public(supplier.eui, USAGE_PP_KA) == supplier.ka_prepayment.public
    for number in (2, 3):
        for kind in ("chf", "gpf", "esme", "gsme"):
            d = identity.device(P, SEED, kind, number)
            assert ring.public(d.eui, USAGE_DS) == d.ds.public
            assert ring.public(d.eui, USAGE_KA) == d.ka.public
            assert ring.private(d.eui, USAGE_DS) is None  # devices keep their private keys
    assert ring.public(identity.device_eui("esme", 4), USAGE_DS) is None


def _issuer_of(cert: x509.Certificate, cas: dict) -> x509.Certificate:
    return cas[cert.issuer.rfc4514_string()]


def test_every_certificate_chains_to_the_root(tmp_path):
    pki.write_keystore(tmp_path, P, SEED, [7])
    root = _load(tmp_path / pki.ROOT_FILE)
    org = _load(tmp_path / pki.ORGANISATION_CA_FILE)
    dev = _load(tmp_path / pki.DEVICE_CA_FILE)
    root.verify_directly_issued_by(root)
    org.verify_directly_issued_by(root)
    dev.verify_directly_issued_by(root)
    cas = {c.subject.rfc4514_string(): c for c in (root, org, dev)}
    # the root CA's key is the root party's DS key: a device's root trust anchor is this root
    assert point_bytes(root.public_key()) == identity.party(P, SEED, "root").ds.public
    certs = sorted(tmp_path.glob("[0-9a-f]" * 16 + "-*.pem"))
    assert len(certs) == 7 * 2 + 1 + 8  # parties' DS and KA, the supplier's PP-KA, 4 devices x 2
    for path in certs:
        cert = _load(path)
        issuer = _issuer_of(cert, cas)
        cert.verify_directly_issued_by(issuer)
        assert isinstance(cert.signature_hash_algorithm, type(root.signature_hash_algorithm))
        # the chain ends at the root, whose certificate signed itself
        assert issuer in (root, org, dev)
    # a device certificate is not the root's (issuer differs), nor the organisation CA's (key differs)
    device = _load(tmp_path / ("%s-ka.pem" % identity.device_eui("esme", 7).hex()))
    with pytest.raises(ValueError):
        device.verify_directly_issued_by(root)
    forged = x509.load_pem_x509_certificate(_reissued_under(org, device))
    with pytest.raises(InvalidSignature):
        device.verify_directly_issued_by(forged)


def _reissued_under(ca: x509.Certificate, cert: x509.Certificate) -> bytes:
    """A CA certificate with the device CA's name but the organisation CA's key: same issuer
    name, wrong key."""
    key = ec.derive_private_key(
        int.from_bytes(identity.scalar(SEED, "pki organisation ca"), "big"), ec.SECP256R1()
    )
    b = (
        x509.CertificateBuilder()
        .subject_name(cert.issuer)
        .issuer_name(cert.issuer)
        .public_key(ca.public_key())
        .serial_number(1)
        .not_valid_before(ca.not_valid_before_utc)
        .not_valid_after(ca.not_valid_after_utc)
    )
    return b.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM)


def test_organisation_certificate_profile(tmp_path):
    pki.write_keystore(tmp_path, P, SEED, [])
    for name, eui in identity.PARTY_EUIS.items():
        for usage in ("ds", "ka"):
            cert = _load(tmp_path / ("%s-%s.pem" % (eui.hex(), usage)))
            assert _subject(cert, NameOID.ORGANIZATIONAL_UNIT_NAME) == ["%02X" % ROLES[name]]
            # x500UniqueIdentifier: a BIT STRING with 0 unused bits holding the EUI-64
            assert _subject(cert, NameOID.X500_UNIQUE_IDENTIFIER) == [b"\x00" + eui]
            ku = cert.extensions.get_extension_for_class(x509.KeyUsage)
            assert ku.critical
            if name == "root" and usage == "ds":  # the root's DS certificate is the root CA's
                assert ku.value.key_cert_sign and not ku.value.key_agreement
            else:
                assert ku.value.digital_signature == (usage == "ds")
                assert ku.value.key_agreement == (usage == "ka")
            pol = cert.extensions.get_extension_for_class(x509.CertificatePolicies)
            assert pol.critical and pol.value[0].policy_identifier.dotted_string == pki.ORGANISATION_POLICY
            ski = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
            assert len(ski) == 8
            assert isinstance(cert.public_key(), ec.EllipticCurvePublicKey)
    supplier = identity.PARTY_EUIS["supplier"]
    pp = _load(tmp_path / ("%s-pp-ka.pem" % supplier.hex()))
    assert pp.extensions.get_extension_for_class(x509.KeyUsage).value.key_agreement
    assert _subject(pp, NameOID.ORGANIZATIONAL_UNIT_NAME) == ["%02X" % tr.ROLE_SUPPLIER]
    org = _load(tmp_path / pki.ORGANISATION_CA_FILE)
    assert _subject(org, NameOID.ORGANIZATIONAL_UNIT_NAME) == ["%02X" % tr.ROLE_ISSUING_AUTHORITY]


def test_device_certificate_profile(tmp_path):
    pki.write_keystore(tmp_path, P, SEED, [1], meters=("esme",))
    assert not (tmp_path / ("%s-ds.pem" % identity.device_eui("gsme", 1).hex())).exists()
    eui = identity.device_eui("esme", 1)
    for usage in ("ds", "ka"):
        cert = _load(tmp_path / ("%s-%s.pem" % (eui.hex(), usage)))
        assert len(cert.subject) == 0
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        assert san.critical
        other = san.value.get_values_for_type(x509.OtherName)[0]
        assert other.type_id.dotted_string == "1.3.6.1.5.5.7.8.4"  # hardwareModuleName (RFC 4108)
        # SEQUENCE { hwType OID, hwSerialNum OCTET STRING (8) = the EUI-64 }: the last 10 octets
        assert other.value[0] == 0x30 and other.value[-10:] == b"\x04\x08" + eui
        assert cert.not_valid_after_utc.year == 9999
        ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
        assert ku.digital_signature == (usage == "ds") and ku.key_agreement == (usage == "ka")


def test_same_seed_same_files_other_seed_other_keys(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    pki.write_keystore(a, P, SEED, [5])
    pki.write_keystore(b, P, SEED, [5])
    pki.write_keystore(c, P, SEED + "x", [5])
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    for n in names:
        assert (a / n).read_bytes() == (b / n).read_bytes(), n
    supplier = "%s-ds.pem" % identity.PARTY_EUIS["supplier"].hex()
    assert (a / supplier).read_bytes() != (c / supplier).read_bytes()
    assert not list(a.glob(".*"))  # no temporary files left behind


def test_decode_verifies_head_end_frames_with_the_keystore(tmp_path):
    """The keystore is the one DCC's tools read: `smets-fleet decode --keystore` checks the ACB's
    MAC and the supplier's signature on a command the head end built, and the device's signature
    on its response, with nothing but the files written here."""
    from click.testing import CliRunner

    from smets.build import build_premises
    from smets_fleet.cli import cli
    from smets_fleet.headend import HeadEnd

    pki.write_keystore(tmp_path, P, SEED, [3])
    he = HeadEnd.for_seed(P, SEED, counter_floor=1)
    frame, _pending = he.build("adjust-balance", identity.device_eui("esme", 3), {"amount": 5})
    response = build_premises(identity.premises_config(P, 3, SEED), P, 0).receive(frame, 0)[0]
    tampered = bytearray(frame)
    tampered[-20] ^= 0x01  # in the signature (64 octets before the 12-octet MAC): both fail
    cases = ((frame, 0, True, True), (response, 0, None, True), (bytes(tampered), 1, False, False))
    for i, (data, status, mac, signature) in enumerate(cases):
        path = tmp_path / ("frame%d.hex" % i)  # a file: long hex strings make too long a file name
        path.write_text(data.hex())
        result = CliRunner().invoke(cli, ["decode", str(path), "--keystore", str(tmp_path), "--json"])
        assert result.exit_code == status, result.output
        obj = json.loads(result.output)
        assert (obj["mac_verified"], obj["signature_verified"]) == (mac, signature)
