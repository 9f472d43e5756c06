"""Pull raw P-256 key material out of PEM/DER files: the 32-octet private scalar and the 65-octet
public point. Providers take keys as plain bytes, so this is the only place that reads key files.

Understood inputs (PEM text or DER bytes):

* private keys: SEC1 `ECPrivateKey` ("EC PRIVATE KEY") and PKCS#8 `PrivateKeyInfo` ("PRIVATE KEY")
  wrapping one;
* public keys: `SubjectPublicKeyInfo` ("PUBLIC KEY") and X.509 certificates (the SPKI inside).

A minimal DER walker: definite lengths only, single-octet tags, no recursion. Anything that is
not an id-ecPublicKey key on prime256v1 raises DecodeError.
"""

import binascii

from smets.wire.errors import DecodeError

_SEQUENCE = 0x30
_INTEGER = 0x02
_BIT_STRING = 0x03
_OCTET_STRING = 0x04
_OID = 0x06
_CONTEXT_0 = 0xA0

# DER contents (without tag and length) of the two OIDs that matter.
_OID_EC_PUBLIC_KEY = b"\x2a\x86\x48\xce\x3d\x02\x01"  # 1.2.840.10045.2.1
_OID_PRIME256V1 = b"\x2a\x86\x48\xce\x3d\x03\x01\x07"  # 1.2.840.10045.3.1.7


def pem_to_der(data):
    """The DER bytes of the first PEM block in `data` (str or bytes); DER input is returned as is."""
    if isinstance(data, str):
        data = data.encode()
    data = bytes(data)
    start = data.find(b"-----BEGIN")
    if start < 0:
        return data
    body = data.find(b"\n", start)
    end = data.find(b"-----END", start)
    if body < 0 or end < 0 or end < body:
        raise DecodeError("PEM block is not terminated", start)
    try:
        return binascii.a2b_base64(b"".join(data[body:end].split()))
    except ValueError:
        raise DecodeError("PEM body is not base64", body) from None


def _tlv(buf, off, end):
    """(tag, content start, content end) of the element at `off`, which must lie before `end`."""
    if off + 2 > end:
        raise DecodeError("DER element truncated", off)
    tag = buf[off]
    if tag & 0x1F == 0x1F:
        raise DecodeError("DER multi-octet tag not supported", off)
    n = buf[off + 1]
    pos = off + 2
    if n & 0x80:
        count = n & 0x7F
        if count == 0 or count > 3 or pos + count > end:
            raise DecodeError("DER length not supported", off + 1)
        n = 0
        for i in range(count):
            n = (n << 8) | buf[pos + i]
        pos += count
    if pos + n > end:
        raise DecodeError("DER element overruns its container", off)
    return tag, pos, pos + n


def _children(buf, start, end):
    """Every (tag, start, end) directly inside buf[start:end]."""
    out = []
    off = start
    while off < end:
        elem = _tlv(buf, off, end)
        out.append(elem)
        off = elem[2]
    return out


def _expect(elem, tag, what):
    if elem[0] != tag:
        raise DecodeError("%s: expected tag 0x%02x, got 0x%02x" % (what, tag, elem[0]), elem[1])


def _check_algorithm(der, alg):
    """alg is the AlgorithmIdentifier SEQUENCE element: id-ecPublicKey with prime256v1."""
    _expect(alg, _SEQUENCE, "AlgorithmIdentifier")
    parts = _children(der, alg[1], alg[2])
    if not parts or parts[0][0] != _OID or der[parts[0][1] : parts[0][2]] != _OID_EC_PUBLIC_KEY:
        raise DecodeError("key algorithm is not id-ecPublicKey", alg[1])
    if len(parts) < 2 or parts[1][0] != _OID or der[parts[1][1] : parts[1][2]] != _OID_PRIME256V1:
        raise DecodeError("curve is not prime256v1", alg[1])


def _sec1_scalar(der, start, end):
    top = _tlv(der, start, end)
    _expect(top, _SEQUENCE, "ECPrivateKey")
    parts = _children(der, top[1], top[2])
    if len(parts) < 2:
        raise DecodeError("ECPrivateKey too short", top[1])
    _expect(parts[0], _INTEGER, "ECPrivateKey version")
    if der[parts[0][1] : parts[0][2]] != b"\x01":
        raise DecodeError("ECPrivateKey version is not 1", parts[0][1])
    _expect(parts[1], _OCTET_STRING, "ECPrivateKey privateKey")
    for elem in parts[2:]:
        if elem[0] == _CONTEXT_0:  # explicit parameters: the named curve
            oid = _tlv(der, elem[1], elem[2])
            if oid[0] != _OID or der[oid[1] : oid[2]] != _OID_PRIME256V1:
                raise DecodeError("curve is not prime256v1", elem[1])
    raw = der[parts[1][1] : parts[1][2]]
    if not 0 < len(raw) <= 32:
        raise DecodeError("private key is not a P-256 scalar", parts[1][1])
    return bytes(32 - len(raw)) + raw


def private_scalar(data):
    """The 32-octet private scalar of a SEC1 or PKCS#8 P-256 key (PEM or DER)."""
    der = pem_to_der(data)
    top = _tlv(der, 0, len(der))
    _expect(top, _SEQUENCE, "private key")
    parts = _children(der, top[1], top[2])
    if len(parts) >= 3 and parts[1][0] == _SEQUENCE:  # PKCS#8: version, algorithm, OCTET STRING
        _expect(parts[0], _INTEGER, "PrivateKeyInfo version")
        _check_algorithm(der, parts[1])
        _expect(parts[2], _OCTET_STRING, "PrivateKeyInfo privateKey")
        return _sec1_scalar(der, parts[2][1], parts[2][2])
    return _sec1_scalar(der, 0, len(der))


def _spki_point(der, spki):
    parts = _children(der, spki[1], spki[2])
    if len(parts) != 2:
        raise DecodeError("SubjectPublicKeyInfo must have two fields", spki[1])
    _check_algorithm(der, parts[0])
    _expect(parts[1], _BIT_STRING, "subjectPublicKey")
    bits = der[parts[1][1] : parts[1][2]]
    if len(bits) != 66 or bits[0] != 0 or bits[1] != 4:
        raise DecodeError("public key is not an uncompressed P-256 point", parts[1][1])
    return bytes(bits[1:])


def public_point(data):
    """The 65-octet 04||X||Y point of a SubjectPublicKeyInfo or an X.509 certificate (PEM or DER)."""
    der = pem_to_der(data)
    top = _tlv(der, 0, len(der))
    _expect(top, _SEQUENCE, "public key")
    parts = _children(der, top[1], top[2])
    if len(parts) == 2 and parts[1][0] == _BIT_STRING:
        return _spki_point(der, top)
    # Certificate: tbsCertificate SEQUENCE, then signatureAlgorithm, then signature. The SPKI is the
    # tbsCertificate field whose first element is an AlgorithmIdentifier naming id-ecPublicKey.
    if len(parts) != 3 or parts[0][0] != _SEQUENCE:
        raise DecodeError("neither a SubjectPublicKeyInfo nor a certificate", top[1])
    for elem in _children(der, parts[0][1], parts[0][2]):
        if elem[0] != _SEQUENCE:
            continue
        inner = _children(der, elem[1], elem[2])
        if len(inner) == 2 and inner[0][0] == _SEQUENCE and inner[1][0] == _BIT_STRING:
            alg = _children(der, inner[0][1], inner[0][2])
            if alg and alg[0][0] == _OID and der[alg[0][1] : alg[0][2]] == _OID_EC_PUBLIC_KEY:
                return _spki_point(der, elem)
    raise DecodeError("certificate holds no EC public key", parts[0][1])
