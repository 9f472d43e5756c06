"""DER codec: every RTDS DER payload round-trips byte-exactly; decoded values match the RTDS decodes.

The DER payloads are the GBCS payloads that are neither DLMS (first octet D9, DA, 0F) nor GBZ
(first octets 01 09). All 168 are checked on both interpreters (the set is small enough).
"""

from smets.wire import der, der_text, frame
from smets.wire.errors import DecodeError, EncodeError
from support import list_frames, mutations, read_frame, require_rtds, unhex

RTDS_DER_PAYLOADS = 168  # counted from RTDS 4.5.0: 140 SEQUENCEs, 16 INTEGERs, 7 NULLs, 5 OCTET STRINGs


def _is_der(payload):
    return not (payload[:1] in (b"\xd9", b"\xda", b"\x0f") or payload[:2] == b"\x01\x09")


def _der_payloads():
    out = []
    for folder, name in list_frames():
        payload = frame.parse(read_frame(folder, name)).payload
        if _is_der(payload):
            out.append((folder, name, payload))
    return out


def _payload(folder, name):
    return frame.parse(read_frame(folder, name)).payload


def test_every_rtds_der_payload_round_trips():
    require_rtds()
    count = 0
    for _folder, name, payload in _der_payloads():
        node = der.parse_payload(payload)
        assert der.build_payload(node) == payload, name
        count += 1
    assert count == RTDS_DER_PAYLOADS


def test_bare_primitive_payloads():
    require_rtds()
    # CS02d success response: a bare INTEGER 0; error response: 3.
    node = der.parse_payload(_payload("6.15.2_CS02d", "CS02d_6.15.2_SUCCESS_RESPONSE_GBCS.HEX"))
    assert node.tag == der.INTEGER and der.to_int(node) == 0
    node = der.parse_payload(_payload("6.15.2_CS02d", "CS02d_6.15.2_ERROR_RESPONSE_GBCS.HEX"))
    assert der.to_int(node) == 3
    # CS07 command: NULL.
    node = der.parse_payload(_payload("8.9_CS07", "CS07_8.9_SUCCESS_COMMAND_GBCS.HEX"))
    assert node.tag == der.NULL and node.value == b""
    # CS04AC critical command: OCTET STRING holding the EUI-64 00DB123456789099.
    node = der.parse_payload(
        _payload("8.8.1_CS04ACCritical", "CS04ACCritical_8.8.1_SUCCESS_COMMAND_GBCS.HEX")
    )
    assert node.tag == der.OCTET_STRING and der.to_bytes(node) == unhex("00DB123456789099")


def test_cs09_values():
    require_rtds()
    # Decode: 30 1F  02 03 00 8F 8B  18 0F "20150101000000Z"  04 04 12 34 AB CD  02 01 00
    node = der.parse_payload(_payload("NA_CS09", "CS09_NA_8F8B_ALERT_GBCS.HEX"))
    assert node.tag == der.SEQUENCE and len(node) == 4
    assert der.to_int(node[0]) == 0x8F8B
    assert der.to_text(node[1]) == "20150101000000Z"
    assert der.generalized_time(node[1]) == (2015, 1, 1, 0, 0, 0)
    assert der.to_bytes(node[2]) == unhex("1234ABCD")
    assert der.to_int(node[3]) == 0


def test_gcs62_device_log_entries():
    require_rtds()
    node = der.parse_payload(_payload("NA_GCS62", "GCS62_NA_8071_ALERT_GBCS.HEX"))
    assert der.to_int(node[0]) == 0x8071  # GPF Device Log Changed
    entries = node[2]
    assert entries.tag == der.SEQUENCE and len(entries) == 6
    assert der.to_bytes(entries[1][0]) == unhex("00DB123456789099")
    assert der.to_int(entries[1][1]) == 5  # PPMID
    assert der.to_int(entries[5][1]) == 6  # Type 2


def test_cs06_future_dated_alert():
    require_rtds()
    name = "CS06_11.3_8F67_FUTURE_DATED_ERROR_ALERT_GBCS.HEX"
    node = der.parse_payload(_payload("11.3_CS06", name))
    assert der.to_int(node[0]) == 0x8F67
    assert der.generalized_time(node[1]) == (2030, 1, 1, 0, 0, 0)
    assert der.to_int(node[2]) == 1004
    assert der.to_int(node[3][0]) == 2  # Hash Mismatch
    assert der.to_bytes(node[3][1]) == unhex("0123ABCF")


def _find(node, tag):
    """First node with this tag, depth-first (explicit stack)."""
    stack = [node]
    while stack:
        n = stack.pop()
        if n.tag == tag:
            return n
        if n.children is not None:
            stack.extend(reversed(n.children))
    return None


def _find_all(node, tag):
    out = []
    stack = [node]
    while stack:
        n = stack.pop()
        if n.tag == tag:
            out.append(n)
        if n.children is not None:
            stack.extend(reversed(n.children))
    return out


def test_cs02b_update_security_credentials():
    require_rtds()
    folder = "6.15.1_CS02bSupplierBySupplier"
    names = [n for f, n in list_frames() if f == folder and n.endswith("_COMMAND_GBCS.HEX")]
    node = der.parse_payload(_payload(folder, names[0]))
    control = node[0]
    assert der.to_int(control[0]) == 2  # Credentials Replacement Mode: Supplier by Supplier
    cell = control[1]
    assert cell.tag == 0xA2 and cell.tag_class() == der.CLASS_CONTEXT and cell.tag_number() == 2
    assert der.to_int(cell[0]) == 2  # Remote Party Role: Supplier
    assert der.to_bit_string(cell[1]) == (7, b"\x80")  # Key Usage: digitalSignature
    seq = control[2]
    assert seq.tag == 0x83 and der.to_int(seq) == 1002  # Authorising Remote Party Seq Number
    # Replacements: three trust anchor replacements, each a certificate then a target cell.
    replacements = node[1]
    assert len(replacements) == 3
    cert = replacements[0][0]
    assert cert.tag == der.SEQUENCE and len(cert) == 3  # tbsCertificate, signatureAlgorithm, signature
    assert der.to_oid(cert[1][0]) == "1.2.840.10045.4.3.2"  # ecdsa-with-SHA256
    tbs = cert[0]
    assert der.to_int(tbs[0][0]) == 2  # [0] version v3
    oids = [der.to_oid(n) for n in _find_all(cert, der.OID)]
    assert "1.2.840.10045.2.1" in oids and "1.2.840.10045.3.1.7" in oids  # id-ecPublicKey, P-256
    assert "2.5.4.45" in oids  # x500UniqueIdentifier holding the supplier EUI
    uid = None
    for rdn_set in tbs[5].children:
        attr = rdn_set[0]
        if der.to_oid(attr[0]) == "2.5.4.45":
            uid = der.to_bit_string(attr[1])
    assert uid == (0, unhex("90B3D51F30010000"))
    # The certificate subtree rebuilds to the exact octets it was parsed from.
    payload = _payload(folder, names[0])
    encoded = der.build(cert)
    assert payload[cert.offset : cert.offset + len(encoded)] == encoded
    assert der.to_text(node[3]) == "99991231235959Z"  # Execution Date Time


def test_non_minimal_lengths_are_kept():
    require_rtds()
    found = 0
    for _folder, _name, payload in _der_payloads():
        if b"\x30\x82\x00" in payload:
            node = der.parse_payload(payload)
            if any(n.lform == 2 for n in _find_all(node, der.SEQUENCE)):
                found += 1
            assert der.build(node) == payload
    assert found > 0


def test_oid_conversions():
    # 1.2.840.10045.4.3.2 -> 2A 86 48 CE 3D 04 03 02 (X.690 arithmetic: 1*40+2 = 42 = 0x2A ...)
    assert der.oid_content("1.2.840.10045.4.3.2") == unhex("2A8648CE3D040302")
    assert der.oid_to_str(unhex("2A8648CE3D040302")) == "1.2.840.10045.4.3.2"
    assert der.oid_to_str(unhex("550403")) == "2.5.4.3"
    assert der.oid_to_str(unhex("8837")) == "2.999"
    assert der.build(der.make_oid("1.3.6.1.5.5.7.8.4")) == unhex("06082B06010505070804")


def test_make_helpers():
    assert der.build(der.make_int(0)) == unhex("020100")
    assert der.build(der.make_int(127)) == unhex("02017F")
    assert der.build(der.make_int(128)) == unhex("02020080")
    assert der.build(der.make_int(-1)) == unhex("0201FF")
    assert der.build(der.make_int(-129)) == unhex("0202FF7F")
    assert der.build(der.make_int(1002, 0x83)) == unhex("830203EA")
    assert der.to_int(der.parse(unhex("0202FF7F"))) == -129
    assert der.build(der.make_enumerated(3)) == unhex("0A0103")
    assert der.build(der.make_bool(True)) == unhex("0101FF")
    assert der.build(der.make_null()) == unhex("0500")
    assert der.build(der.make_bit_string(b"\x80", 7)) == unhex("03020780")
    assert der.build(der.make_generalized_time(2015, 1, 1)) == unhex("180F32303135303130313030303030305A")
    seq = der.make_sequence([der.make_int(1), der.context(3, b"\x03\xea"), der.context(5, children=[])])
    assert der.build(seq) == unhex("3009020101830203EAA500")
    assert der.parse(der.build(seq)) == seq
    big = der.make_octets(bytes(300))
    assert der.build(big)[:4] == unhex("0482012C")


def test_to_json():
    node = der.parse(unhex("301F0203008F8B180F32303135303130313030303030305A04041234ABCD020100"))
    j = der_text.to_json(node)
    assert j["tag"] == "30" and j["type"] == "SEQUENCE"
    kids = j["children"]
    assert kids[0]["value"] == 0x8F8B and kids[0]["hex"] == "008F8B"
    assert kids[1]["value"] == "20150101000000Z"
    assert kids[2]["hex"] == "1234ABCD"
    j = der_text.to_json(der.parse(unhex("3005 0603550403")))
    assert j["children"][0]["value"] == "2.5.4.3"


def _raises(data, want_offset=None):
    try:
        der.parse(data)
    except DecodeError as exc:
        assert "offset" in str(exc), str(exc)
        if want_offset is not None:
            assert exc.offset == want_offset, (exc.offset, str(exc))
        return exc
    raise AssertionError("no DecodeError for %r" % (data,))


def test_malformed_input():
    _raises(b"", 0)
    _raises(unhex("02"), 1)  # length missing
    _raises(unhex("0203 0001"), 1)  # content overruns
    _raises(unhex("3003 02020105"), 3)  # inner INTEGER overruns its SEQUENCE
    _raises(unhex("3080 0000"), 1)  # indefinite length
    _raises(unhex("3082 00"), 1)  # truncated long length
    _raises(unhex("020100 00"), 3)  # trailing octets
    _raises(unhex("3004 3003 0201"), 3)  # nested truncation
    _raises(unhex("1F"), 0)  # high tag number with nothing after


def test_truncations_of_rtds_payloads():
    require_rtds()
    payloads = _der_payloads()
    checked = 0
    for _folder, _name, payload in payloads[::20]:
        for cut in range(0, len(payload), max(1, len(payload) // 7)):
            _raises(payload[:cut])
            checked += 1
    assert checked > 20


def test_helpers_reject_wrong_types():
    node = der.parse(unhex("3000"))
    try:
        der.to_int(node)
        raise AssertionError("to_int on a SEQUENCE")
    except DecodeError as exc:
        assert exc.offset == 0
    try:
        node[0]
        raise AssertionError("index into an empty SEQUENCE")
    except DecodeError:
        pass
    try:
        der.expect(der.parse(unhex("020100")), der.SEQUENCE, "authorising control")
        raise AssertionError("expect")
    except DecodeError as exc:
        assert "authorising control" in str(exc)
    try:
        der.build(der.Node(0x30, b"\x00"))
        raise AssertionError("constructed tag with primitive content")
    except EncodeError:
        pass
    try:
        der.make_oid("3.1")
        raise AssertionError("bad OID")
    except EncodeError:
        pass


def test_deep_nesting_is_bounded():
    depth = der.MAX_DEPTH + 5
    data = b""
    for _ in range(depth):
        data = b"\x30" + der.length_bytes(len(data)) + data
    _raises(data)
    ok = b""
    for _ in range(der.MAX_DEPTH):
        ok = b"\x30" + der.length_bytes(len(ok)) + ok
    assert der.build(der.parse(ok)) == ok


def test_long_form_for_a_short_length_round_trips():
    # 30 81 04 ...: a long form where the short form would do; BER allows it, we keep it.
    data = unhex("30810403020780")
    node = der.parse(data)
    assert node.lform == 1 and der.build(node) == data
    assert der.build(der.parse(unhex("048100"))) == unhex("048100")


def test_mutated_payloads_raise_only_decode_error_or_round_trip():
    require_rtds()
    parsed = 0
    for _folder, _name, payload in _der_payloads()[::8]:
        for data in mutations(payload, len(payload), 25):
            try:
                node = der.parse_payload(data)
            except DecodeError:
                continue
            assert der.build_payload(node) == data
            der_text.to_json(node)
            parsed += 1
    assert parsed > 0
