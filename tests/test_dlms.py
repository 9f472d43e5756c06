"""DLMS/COSEM codec: A-XDR data, xDLMS APDUs, GBCS protected data, date-times.

Expected values are written from the RTDS 4.5.0 field-by-field decodes (../shared/rtds/decoded/)
and the Green Book encodings, not from the codec's own output. The full RTDS round trip (718 DLMS
payloads) runs on both interpreters: it takes about 0.1 s on CPython and 0.3 s on MicroPython, so
no subset is needed.
"""

from smets.compat import IS_MICROPYTHON
from smets.wire import cosem_names, dlms, dlms_text, frame
from smets.wire import dlms_axdr as axdr
from smets.wire.errors import DecodeError, EncodeError
from support import list_frames, read_frame, require_rtds, unhex

DLMS_TAGS = (0xD9, 0xDA, 0x0F)
RTDS_DLMS_PAYLOADS = 718  # 375 access requests, 282 access responses, 61 data notifications


def _payload(folder, name):
    return frame.parse(read_frame(folder, name)).payload


def _dlms_payloads():
    # A generator, so that only one frame is in memory at a time (MicroPython runs with 2 MB).
    for folder, name in list_frames():
        p = frame.parse(read_frame(folder, name)).payload
        if p and p[0] in DLMS_TAGS:
            yield folder, name, p


def _raises_decode(buf, parse=dlms.parse_payload):
    try:
        parse(buf)
    except DecodeError as exc:
        return exc
    raise AssertionError("no DecodeError for %s" % buf)


def _raises_encode(fn, arg):
    try:
        fn(arg)
    except EncodeError as exc:
        return exc
    raise AssertionError("no EncodeError for %r" % (arg,))


# ---- RTDS: every payload -------------------------------------------------------------------


def test_every_rtds_dlms_payload_round_trips():
    require_rtds()
    counts = {0xD9: 0, 0xDA: 0, 0x0F: 0}
    for folder, name, p in _dlms_payloads():
        obj = dlms.parse_payload(p)
        assert dlms.build_payload(obj) == p, (folder, name)
        # a second parse of the rebuilt octets gives an equal object
        assert dlms.parse_payload(dlms.build_payload(obj)) == obj, (folder, name)
        counts[p[0]] += 1
    print("DLMS payloads round-tripped:", counts)
    assert counts[0xD9] == 375 and counts[0xDA] == 282 and counts[0x0F] == 61
    assert counts[0xD9] + counts[0xDA] + counts[0x0F] == RTDS_DLMS_PAYLOADS


def test_every_rtds_dlms_payload_renders_as_json():
    require_rtds()
    import json

    for folder, name, p in _dlms_payloads():
        obj = dlms.parse_payload(p)
        text = json.dumps(dlms_text.to_json(obj))
        assert text.startswith("{"), (folder, name)
        assert dlms_text.describe(obj), (folder, name)


# ---- RTDS: spot checks against the decodes -------------------------------------------------


def test_ecs04a_adjust_meter_balance():
    require_rtds()
    p = _payload("1.5_ECS04a", "ECS04a_1.5_SUCCESS_COMMAND_GBCS.HEX")
    req = dlms.parse_payload(p)
    assert isinstance(req, dlms.AccessRequest)
    # DLMS Access Request: D9 20 00 03 EB 00
    assert req.invoke_id == 0x200003EB
    assert dlms.invoke_id_number(req.invoke_id) == 1003
    assert req.date_time is None
    assert len(req.specs) == 1
    s = req.specs[0]
    assert s.kind == dlms.ACTION
    assert s.class_id == 0x70
    assert s.instance == bytes((0x00, 0x00, 0x13, 0x0A, 0x00, 0xFF))
    assert cosem_names.obis_text(s.instance) == "0-0:19.10.0.255"
    assert s.member == 1
    # Double Long: 05 00 12 4F 80  => 1200000
    assert req.data == [(axdr.T_DOUBLE_LONG, 1200000)]
    j = dlms_text.to_json(req)
    assert j["apdu"] == "access-request"
    assert j["specs"][0]["obis"] == "0-0:19.10.0.255"
    assert j["specs"][0]["class"] == "Credit"
    assert j["specs"][0]["object"] == "MeterBalance"
    assert j["specs"][0]["method_name"] == "update_amount"
    assert j["data"][0] == {"type": "double-long", "value": 1200000}

    resp = dlms.parse_payload(_payload("1.5_ECS04a", "ECS04a_1.5_SUCCESS_RESPONSE_GBCS.HEX"))
    assert isinstance(resp, dlms.AccessResponse)
    assert resp.invoke_id == 0x200003EB
    assert resp.date_time is None  # the 2015 date-time is in the frame header, not the APDU
    assert resp.specs is None
    assert resp.data == [(axdr.T_NULL, None)]
    assert resp.results == [(dlms.ACTION, 0)]
    err = dlms.parse_payload(_payload("1.5_ECS04a", "ECS04a_1.5_ERROR_RESPONSE_GBCS.HEX"))
    assert err.results == [(dlms.ACTION, 1)]  # Hardware Fault
    assert dlms_text.to_json(err)["results"] == [{"kind": "action", "result": 1, "name": "hardware-fault"}]


def test_cs01a_top_up_utrn():
    require_rtds()
    req = dlms.parse_payload(_payload("2.2_CS01a", "CS01a_2.2_ERROR_COMMAND_GBCS.HEX"))
    assert req.invoke_id == 0x20000000
    s = req.specs[0]
    assert (s.kind, s.class_id, cosem_names.obis_text(s.instance), s.member) == (
        3,
        0x73,
        "0-0:19.40.0.255",
        1,
    )
    assert req.data == [(axdr.T_OCTET_STRING, b"73948959061972833313")]
    req = dlms.parse_payload(_payload("2.2_CS01a", "CS01a_2.2_SUCCESS_COMMAND_GBCS.HEX"))
    assert req.data == [(axdr.T_OCTET_STRING, b"73946144332040217315")]
    assert dlms_text.to_json(req)["data"][0]["text"] == "73946144332040217315"


def test_alert_data_notification():
    require_rtds()
    # DLMS Data Notification: 0F 20 00 07 D0 00 02 02; Alert Code: 12 8F 30; Time Stamp 2015-01-01
    n = dlms.parse_payload(_payload("NA_GCA-DLMS", "GCA-DLMS_NA_8F30_ALERT_GBCS.HEX"))
    assert isinstance(n, dlms.DataNotification)
    assert n.invoke_id == 0x200007D0
    assert n.date_time is None
    assert n.alert_code() == 0x8F30
    assert n.timestamp() == unhex("07DF0101FF000000008000FF")
    assert axdr.datetime_to_utc(n.timestamp()) == 1420070400  # 2015-01-01T00:00:00Z
    assert n.body == (
        axdr.T_STRUCTURE,
        [(axdr.T_LONG_UNSIGNED, 0x8F30), (axdr.T_OCTET_STRING, unhex("07DF0101FF000000008000FF"))],
    )
    j = dlms_text.to_json(n)
    assert j["apdu"] == "data-notification" and j["alert_code"] == 0x8F30
    assert j["body"]["value"][1]["datetime"] == "2015-01-01T00:00:00.00Z"


def test_future_dated_alert_payload():
    require_rtds()
    n = dlms.parse_payload(
        _payload("1.6_ECS02", "ECS02_1.6_8F66_FUTURE_DATED_TWIN_SUCCESS_ALERT_PAYMENT_MODE_GBCS.HEX")
    )
    assert n.alert_code() == 0x8F66
    # Time Stamp: 09 0C 07 EE 01 0F FF 09 00 00 00 80 00 FF  => 15 January 2030 09:00:00.00
    assert axdr.datetime_unpack(n.timestamp()) == (2030, 1, 15, None, 9, 0, 0, 0, None, None)
    payload = n.body[1][2]
    assert payload[0] == axdr.T_OCTET_STRING and len(payload[1]) == 19
    fields = dlms.unpack_future_dated(payload[1])
    assert fields == (0x001A, 1005, 0x6F, unhex("000113 0000FF"), 0x0D)
    assert dlms.pack_future_dated(*fields) == payload[1]


def test_ecs19_protected_response():
    require_rtds()
    p = _payload("4.3_ECS19", "ECS19_4.3_SUCCESS_RESPONSE_GBCS.HEX")
    resp = dlms.parse_payload(p)
    assert resp.invoke_id == 0x200003E8
    assert resp.results == [(dlms.ACTION, 0)]
    tid, orig, recip, header, ct = dlms.protected_parts(resp)
    assert tid == unhex("04 00000000000003E8")
    assert dlms.transaction_counter(tid) == 1000
    assert orig == unhex("00DB1234567890A0")
    assert recip == unhex("90B3D51F30010000")
    assert header == unhex("3100000000")
    cipher = unhex("E3035370DED0675A44DC84638C0E040F47D793DF36C27B9912FC9F70C7D22521F5A8")
    tag = unhex("5B7B9B6434FB73D95F53DB98")
    assert ct == cipher + tag
    fields = dlms.protection_fields(resp.data[0][1][0])
    assert fields["protection_type"] == 2 and fields["key_info_type"] == 2
    assert fields["key_parameters"] == b"\x02" and fields["key_ciphered_data"] == b""
    assert fields["other_information"] == b""
    # the builder makes the same structure from the parts
    assert dlms.protected_structure(dlms.transaction_id(1000), orig, recip, header + ct) == resp.data[0]
    # replacing the ciphertext changes only those octets
    new = bytes(len(ct))
    dlms.replace_protected_content(resp, new)
    rebuilt = dlms.build_payload(resp)
    assert len(rebuilt) == len(p)
    # ... followed by the result list 01 03 00
    assert rebuilt == p[: len(p) - len(ct) - 3] + new + p[len(p) - 3 :]
    assert dlms.protected_parts(dlms.parse_payload(rebuilt))[4] == new
    j = dlms_text.to_json(dlms.parse_payload(p))
    assert j["protected"]["transaction_id"] == "0400000000000003e8"

    # the command asks for the protection with the same parameters, titles the other way round
    req = dlms.parse_payload(_payload("4.3_ECS19", "ECS19_4.3_SUCCESS_COMMAND_GBCS.HEX"))
    s = req.specs[0]
    assert (s.kind, s.class_id, cosem_names.obis_text(s.instance), s.member) == (3, 30, "0-0:43.2.1.255", 1)
    assert req.data[0][1][1] == dlms.protection_parameters(dlms.transaction_id(1000), recip, orig)
    assert dlms.protected_parts(req) is None
    # the error response carries null data where the protected structure would be
    err = dlms.parse_payload(_payload("4.3_ECS19", "ECS19_4.3_ERROR_RESPONSE_GBCS.HEX"))
    assert err.data == [(axdr.T_NULL, None)] and err.results == [(dlms.ACTION, 1)]
    assert dlms.protected_parts(err) is None


def test_ecs68_protected_alert():
    require_rtds()
    n = dlms.parse_payload(_payload("NA_ECS68", "ECS68_NA_8F0A_SINGLE_ALERT_GBCS.HEX"))
    assert n.alert_code() == 0x8F0A
    tid, orig, recip, header, ct = dlms.protected_parts(n)
    assert dlms.transaction_counter(tid) == 0x07D1
    assert (orig, recip, header) == (
        unhex("00DB1234567890A0"),
        unhex("90B3D51F30010000"),
        unhex("3100000000"),
    )
    # Protected Attributes: 09 82 01 77 -> 375 octets = 5 header + ciphertext + 12 tag
    assert len(ct) == 375 - 5
    assert ct[:4] == unhex("3B8F9099") and ct[-12:] == unhex("77BCFC3CBB304462802C3B79")


def test_ecs23_selective_access_and_compact_array():
    require_rtds()
    req = dlms.parse_payload(_payload("4.10_ECS23", "ECS23_4.10_SUCCESS_COMMAND_GBCS.HEX"))
    kinds = [s.kind for s in req.specs]
    assert kinds == [1, 1, 1, 1, 4, 1]
    s = req.specs[4]
    assert (s.class_id, cosem_names.obis_text(s.instance), s.member, s.selector) == (
        7,
        "1-0:32.24.0.255",
        2,
        1,
    )
    restricting = s.selection[1][0]
    assert restricting == (
        axdr.T_STRUCTURE,
        [
            (axdr.T_LONG_UNSIGNED, 1),
            (axdr.T_OCTET_STRING, unhex("00005E2C64FF")),
            (axdr.T_INTEGER, 2),
            (axdr.T_LONG_UNSIGNED, 0),
        ],
    )
    assert s.selection[1][3] == (axdr.T_ARRAY, [])
    assert req.data == [(axdr.T_NULL, None)] * 6

    resp = dlms.parse_payload(_payload("4.10_ECS23", "ECS23_4.10_SUCCESS_RESPONSE_GBCS.HEX"))
    # scaler_unit: Structure { Integer 0, Enum 255 }
    assert resp.data[1] == (axdr.T_STRUCTURE, [(axdr.T_INTEGER, 0), (axdr.T_ENUM, 255)])
    tag, (desc, elements) = resp.data[4]
    assert tag == axdr.T_COMPACT_ARRAY
    dlu = axdr.T_DOUBLE_LONG_UNSIGNED
    assert desc == (axdr.T_STRUCTURE, [dlu, dlu])
    assert len(elements) == 0x188 // 8  # Contents: 82 01 88, 8 octets per element
    assert elements[0] == (axdr.T_STRUCTURE, [(dlu, 473212800), (dlu, 81)])
    assert elements[1] == (axdr.T_STRUCTURE, [(dlu, 473216400), (dlu, 15)])
    err = dlms.parse_payload(_payload("4.10_ECS23", "ECS23_4.10_ERROR_RESPONSE_GBCS.HEX"))
    assert err.results == [(1, 0), (1, 0), (1, 0), (1, 0), (1, 1), (1, 250)]
    assert err.data[4] == (axdr.T_NULL, None)


def test_strings_bits_and_booleans_from_rtds():
    require_rtds()
    req = dlms.parse_payload(_payload("6.14.1_ECS46a", "ECS46a_6.14.1_ALL_OPTIONALS_ERROR_COMMAND_GBCS.HEX"))
    assert [s.kind for s in req.specs] == [2] * 5
    assert req.data[0] == (axdr.T_VISIBLE_STRING, b"ALCS_1_Description")
    assert req.data[1] == (axdr.T_VISIBLE_STRING, b"HCALCS_2_Description")
    assert dlms_text.text_of(req.data[1]) == "HCALCS_2_Description"

    resp = dlms.parse_payload(_payload("7.15_ECS61e", "ECS61e_7.15_SUCCESS_RESPONSE_GBCS.HEX"))
    assert resp.data[8] == (axdr.T_UTF8_STRING, b"{}")
    assert resp.data[2] == (axdr.T_OCTET_STRING, b"\xff")

    req = dlms.parse_payload(_payload("1.6_ECS02", "ECS02_1.6_CANCELLATION_TWIN_SUCCESS_COMMAND_GBCS.HEX"))
    assert req.data[0] == (axdr.T_STRUCTURE, [(axdr.T_ENUM, 1), (axdr.T_ENUM, 1)])
    first = req.data[1][1][0][1]
    assert first[0] == (axdr.T_OCTET_STRING, unhex("0000130A00FF"))
    assert first[2] == (axdr.T_BIT_STRING, (3, b"\xe0"))  # Bit String: 04 03 E0 => 111
    assert dlms_text.data_json(first[2]) == {"type": "bit-string", "bits": "111"}
    never = req.data[2][1]
    assert axdr.datetime_unpack(never) == (None,) * 10  # FF.. 8000 FF => NEVER


# ---- A-XDR unit checks (Green Book encodings) ----------------------------------------------


def test_axdr_scalars_encode_as_the_green_book_says():
    cases = (
        ((axdr.T_NULL, None), "00"),
        ((axdr.T_BOOLEAN, True), "03FF"),
        ((axdr.T_BOOLEAN, False), "0300"),
        ((axdr.T_BIT_STRING, (4, b"\xa0")), "0404A0"),
        ((axdr.T_BIT_STRING, (0, b"")), "0400"),
        ((axdr.T_DOUBLE_LONG, -2), "05FFFFFFFE"),
        ((axdr.T_DOUBLE_LONG, 1200000), "0500124F80"),
        ((axdr.T_DOUBLE_LONG_UNSIGNED, 0xFFFFFFFF), "06FFFFFFFF"),
        ((axdr.T_OCTET_STRING, b""), "0900"),
        ((axdr.T_OCTET_STRING, bytes(200)), "0981C8" + "00" * 200),
        ((axdr.T_VISIBLE_STRING, b"AB"), "0A024142"),
        ((axdr.T_UTF8_STRING, b"\xc2\xa3"), "0C02C2A3"),
        ((axdr.T_BCD, 0x12), "0D12"),
        ((axdr.T_INTEGER, -5), "0FFB"),
        ((axdr.T_LONG, -32768), "108000"),
        ((axdr.T_UNSIGNED, 255), "11FF"),
        ((axdr.T_LONG_UNSIGNED, 0x8F30), "128F30"),
        ((axdr.T_LONG64, -1), "14FFFFFFFFFFFFFFFF"),
        ((axdr.T_LONG64_UNSIGNED, 1 << 63), "158000000000000000"),
        ((axdr.T_ENUM, 2), "1602"),
        ((axdr.T_FLOAT32, unhex("3F800000")), "173F800000"),
        ((axdr.T_FLOAT64, unhex("3FF0000000000000")), "183FF0000000000000"),
        ((axdr.T_DATE_TIME, unhex("07DF0101FF000000008000FF")), "1907DF0101FF000000008000FF"),
        ((axdr.T_DATE, unhex("07DF0101FF")), "1A07DF0101FF"),
        ((axdr.T_TIME, unhex("0900FFFF")), "1B0900FFFF"),
        ((axdr.T_DONT_CARE, None), "FF"),
    )
    for value, hexed in cases:
        octets = unhex(hexed)
        assert axdr.encode(value) == octets, value
        assert axdr.decode_all(octets) == value, hexed


def test_axdr_containers_and_compact_array():
    v = (
        axdr.T_STRUCTURE,
        [
            (axdr.T_ARRAY, [(axdr.T_UNSIGNED, 1), (axdr.T_UNSIGNED, 2)]),
            (axdr.T_ARRAY, []),
            (axdr.T_NULL, None),
        ],
    )
    assert axdr.encode(v) == unhex("0203 0102 1101 1102 0100 00")
    assert axdr.decode_all(axdr.encode(v)) == v
    # compact-array of structure { long-unsigned, octet-string } with an inner array description
    desc = (axdr.T_STRUCTURE, [axdr.T_LONG_UNSIGNED, axdr.T_OCTET_STRING, (axdr.T_ARRAY, 2, axdr.T_BOOLEAN)])
    elements = [
        (
            axdr.T_STRUCTURE,
            [
                (axdr.T_LONG_UNSIGNED, 7),
                (axdr.T_OCTET_STRING, b"\x01"),
                (axdr.T_ARRAY, [(axdr.T_BOOLEAN, True), (axdr.T_BOOLEAN, False)]),
            ],
        ),
        (
            axdr.T_STRUCTURE,
            [
                (axdr.T_LONG_UNSIGNED, 8),
                (axdr.T_OCTET_STRING, b""),
                (axdr.T_ARRAY, [(axdr.T_BOOLEAN, False), (axdr.T_BOOLEAN, False)]),
            ],
        ),
    ]
    value = (axdr.T_COMPACT_ARRAY, (desc, elements))
    expected = unhex("13 0203 12 09 010002 03  0B  0007 0101 FF00  0008 00 0000")
    assert axdr.encode(value) == expected
    assert axdr.decode_all(expected) == value
    j = dlms_text.data_json(value)
    assert j["description"] == {
        "type": "structure",
        "members": ["long-unsigned", "octet-string", {"type": "array", "count": 2, "element": "boolean"}],
    }


def test_deep_nesting_needs_no_recursion():
    depth = 2000 if IS_MICROPYTHON else 20000
    octets = b"\x01\x01" * depth + b"\x00"
    value = axdr.decode_all(octets)
    assert axdr.encode(value) == octets
    j = dlms_text.data_json(value)
    for _ in range(depth):
        j = j["value"][0]
    assert j == {"type": "null-data"}
    lines = dlms_text.describe(value)
    assert len(lines) == depth + 1
    assert len(lines[-1]) < 200  # indentation is capped, so deep input cannot blow up memory


def test_axdr_encode_errors():
    bad = (
        (axdr.T_UNSIGNED, 256),
        (axdr.T_INTEGER, -129),
        (axdr.T_LONG_UNSIGNED, -1),
        (axdr.T_DOUBLE_LONG, 1 << 31),
        (axdr.T_LONG64_UNSIGNED, 1 << 64),
        (axdr.T_ENUM, "x"),
        (axdr.T_OCTET_STRING, "text"),
        (axdr.T_NULL, 0),
        (axdr.T_BIT_STRING, (9, b"\x00")),
        (axdr.T_DATE_TIME, b"\x00" * 11),
        (axdr.T_STRUCTURE, (1, 2)),
        (axdr.T_COMPACT_ARRAY, ((axdr.T_STRUCTURE, [axdr.T_UNSIGNED]), [(axdr.T_UNSIGNED, 1)])),
        (7, None),
        (axdr.T_STRUCTURE, [(axdr.T_UNSIGNED,)]),
        "not a value",
    )
    for v in bad:
        _raises_encode(axdr.encode, v)
    _raises_encode(dlms.build_payload, "not an apdu")
    req = dlms.AccessRequest(0x20000001, [dlms.Spec(dlms.GET, 1, b"\x00" * 5, 2)], [(axdr.T_NULL, None)])
    _raises_encode(dlms.build_payload, req)
    req = dlms.AccessRequest(0x20000001, [dlms.Spec(dlms.GET, 1, b"\x00" * 6, 2)], [])
    _raises_encode(dlms.build_payload, req)
    req = dlms.AccessRequest(1 << 32, [], [])
    _raises_encode(dlms.build_payload, req)


# ---- building APDUs from fields ------------------------------------------------------------


def test_build_apdus_from_fields():
    meter_balance = cosem_names.obis_bytes("0-0:19.10.0.255")
    assert meter_balance == unhex("0000130A00FF")
    req = dlms.AccessRequest(
        dlms.BREAK_ON_ERROR | 1003,
        [dlms.Spec(dlms.ACTION, 112, meter_balance, 1)],
        [(axdr.T_DOUBLE_LONG, 1200000)],
    )
    assert dlms.build_payload(req) == unhex("D9 200003EB 00 01 03 0070 0000130A00FF 01 01 05 00124F80")
    resp = dlms.AccessResponse(
        0x200003EB, [(axdr.T_NULL, None)], [(dlms.ACTION, 0)], date_time=unhex("07DF0101FF000000008000FF")
    )
    assert dlms.build_payload(resp) == unhex("DA 200003EB 0C 07DF0101FF000000008000FF 00 01 00 01 0300")
    sel = dlms.Spec(dlms.GET_WITH_SELECTION, 7, unhex("0100201800FF"), 2, 1, (axdr.T_STRUCTURE, []))
    echoed = dlms.AccessResponse(5, [(axdr.T_NULL, None)], [(dlms.GET, 250)], specs=[sel])
    octets = dlms.build_payload(echoed)
    assert octets == unhex("DA 00000005 00 01 01 04 0007 0100201800FF 02 01 0200 01 00 01 01FA")
    assert dlms.parse_payload(octets) == echoed
    ts = axdr.datetime_from_utc(1420070400)
    note = dlms.DataNotification(
        dlms.BREAK_ON_ERROR | 2000,
        (axdr.T_STRUCTURE, [(axdr.T_LONG_UNSIGNED, 0x8F30), (axdr.T_OCTET_STRING, ts)]),
    )
    assert dlms.build_payload(note) == unhex("0F 200007D0 00 0202 128F30 090C 07DF0101FF000000008000FF")


# ---- date-time -----------------------------------------------------------------------------


def test_datetime_helpers():
    dt = unhex("07DF0101FF000000008000FF")
    assert axdr.datetime_unpack(dt) == (2015, 1, 1, None, 0, 0, 0, 0, None, None)
    assert axdr.datetime_pack(axdr.datetime_unpack(dt)) == dt
    assert axdr.datetime_to_utc(dt) == 1420070400
    assert axdr.datetime_from_utc(1420070400) == dt
    assert dlms_text.datetime_text(dt) == "2015-01-01T00:00:00.00Z"
    # 2030-01-15T09:00:00Z, a Tuesday (weekday 2), clock status 0
    t = 1894698000
    octets = axdr.datetime_from_utc(t, status=0, weekday=True)
    assert octets == unhex("07EE010F02090000008000 00")
    assert axdr.datetime_to_utc(octets) == t
    # a deviation of +60 minutes: local 10:00 is 09:00 UTC
    local = axdr.datetime_from_utc(t, deviation=60)
    assert local == unhex("07EE010FFF0A000000003CFF")
    assert axdr.datetime_to_utc(local) == t
    assert dlms_text.datetime_text(local) == "2030-01-15T10:00:00.00+01:00"
    neg = axdr.datetime_from_utc(t, deviation=-90)
    assert axdr.datetime_unpack(neg)[8] == -90 and neg[9:11] == unhex("FFA6")
    assert axdr.datetime_to_utc(neg) == t
    # leap day and the far side of the epoch
    leap = axdr.datetime_from_utc(951782400)  # 2000-02-29
    assert axdr.datetime_unpack(leap)[:3] == (2000, 2, 29)
    assert axdr.datetime_to_utc(axdr.datetime_from_utc(-86400)) == -86400
    # not specified fields cannot be converted
    never = unhex("FFFFFFFFFFFFFFFFFF8000FF")
    assert axdr.datetime_unpack(never) == (None,) * 10
    exc = _raises_decode(never, axdr.datetime_to_utc)
    assert exc.offset == 0
    exc = _raises_decode(unhex("07DF0231FF000000008000FF"), axdr.datetime_to_utc)
    assert exc.offset == 3
    _raises_decode(b"\x07\xdf", axdr.datetime_unpack)
    _raises_encode(axdr.datetime_pack, (2015, 13, 1, None, 0, 0, 0, 0, 721, None))


# ---- malformed input -----------------------------------------------------------------------


def _check_offset(exc, limit):
    assert exc.offset is not None and 0 <= exc.offset <= limit, exc
    assert "offset" in str(exc), exc


def test_truncated_payloads_raise_decode_error_with_offset():
    require_rtds()
    samples = (
        ("1.5_ECS04a", "ECS04a_1.5_SUCCESS_COMMAND_GBCS.HEX"),
        ("4.3_ECS19", "ECS19_4.3_SUCCESS_RESPONSE_GBCS.HEX"),
        ("4.10_ECS23", "ECS23_4.10_SUCCESS_COMMAND_GBCS.HEX"),
        ("4.10_ECS23", "ECS23_4.10_SUCCESS_RESPONSE_GBCS.HEX"),
        ("NA_GCA-DLMS", "GCA-DLMS_NA_8F30_ALERT_GBCS.HEX"),
        ("1.6_ECS02", "ECS02_1.6_CANCELLATION_TWIN_SUCCESS_COMMAND_GBCS.HEX"),
    )
    for folder, name in samples:
        p = _payload(folder, name)
        for n in range(len(p)):
            _check_offset(_raises_decode(p[:n]), n)
        # one octet too many
        exc = _raises_decode(p + b"\x00")
        assert exc.offset == len(p)


def test_bad_tags_and_lengths():
    # not a DLMS APDU
    assert _raises_decode(b"\xc0\x01").offset == 0
    assert _raises_decode(b"").offset == 0
    # date-time length other than 0 or 12
    assert _raises_decode(unhex("0F2000000005")).offset == 5
    # notification body with an unknown data tag 0x07
    assert _raises_decode(unhex("0F20000000 00 07")).offset == 6
    # octet-string length past the end
    exc = _raises_decode(unhex("0F20000000 00 09 05 0102"))
    assert exc.offset == 7 and "past the end" in str(exc)
    # structure count that cannot fit
    exc = _raises_decode(unhex("0F20000000 00 02 83FFFFFF 00"))
    assert exc.offset == 7
    # unsupported length form, and lengths not in their shortest form
    assert _raises_decode(unhex("0F20000000 00 09 80")).offset == 7
    assert _raises_decode(unhex("0F20000000 00 09 8101 00")).offset == 7
    assert _raises_decode(unhex("0F20000000 00 09 820001 00")).offset == 7
    assert _raises_decode(unhex("DA20000003 00 00 81 00 01 0301")).offset == 7
    # a boolean octet other than 00/FF is true and rebuilds unchanged
    value = axdr.decode_all(unhex("0301"))
    assert value == (axdr.T_BOOLEAN, 1) and value[1]
    assert axdr.encode(value) == unhex("0301")
    # unknown access request specification kind 6
    exc = _raises_decode(unhex("D920000001 00 01 06 0001 0000000000FF 02 01 00"))
    assert exc.offset == 7
    # data list count differs from the spec count
    assert _raises_decode(unhex("D920000001 00 01 01 0001 0000000000FF 02 00")).offset == 18
    # access response: bad optional flag, bad result kind
    assert _raises_decode(unhex("DA20000001 00 02 00 00")).offset == 6
    assert _raises_decode(unhex("DA20000001 00 00 01 00 01 04 00")).offset == 10
    # compact-array: empty structure description, contents past the end, element overrun
    assert _raises_decode(unhex("0F20000000 00 13 0200 00")).offset == 7
    assert _raises_decode(unhex("0F20000000 00 13 11 05 0102")).offset == 8
    exc = _raises_decode(unhex("0F20000000 00 13 12 03 000102"))
    assert exc.offset == 11
    # compact-array with an array of zero-size elements would produce values from no octets
    _raises_decode(unhex("0F20000000 00 13 0201 01FFFF 0100 01 00 00"))
    # description with null-data
    _raises_decode(unhex("0F20000000 00 13 00 00"))


def test_protected_shape_errors():
    # an array of one structure [enum, ...] followed by an octet string, but not the GBCS shape
    odd = dlms.DataNotification(
        1,
        (
            axdr.T_STRUCTURE,
            [
                (axdr.T_ARRAY, [(axdr.T_STRUCTURE, [(axdr.T_ENUM, 2), (axdr.T_NULL, None)])]),
                (axdr.T_OCTET_STRING, b"abc"),
            ],
        ),
    )
    exc = _raises_decode(odd, dlms.protected_parts)
    assert exc.offset is None
    assert "error" in dlms_text.to_json(odd)["protected"]  # rendering still works
    # the GBCS shape with content too short for header and tag
    short = dlms.AccessResponse(
        1, [dlms.protected_structure(dlms.transaction_id(1), bytes(8), bytes(8), bytes(16))], [(3, 0)]
    )
    _raises_decode(short, dlms.protected_parts)
    _raises_encode(
        lambda o: dlms.replace_protected_content(o, b""), dlms.DataNotification(1, (axdr.T_NULL, None))
    )
    _raises_decode(b"\x05" + bytes(8), dlms.transaction_counter)


def test_random_corruption_raises_only_decode_error():
    require_rtds()
    seed = 12345
    tried = 0
    for _, _, payload in _dlms_payloads():
        p = bytearray(payload)
        for _ in range(4):
            seed = (seed * 1103515245 + 12345) & 0x7FFFFFFF
            pos = seed % len(p)
            seed = (seed * 1103515245 + 12345) & 0x7FFFFFFF
            p[pos] = seed & 0xFF
            try:
                obj = dlms.parse_payload(bytes(p))
            except DecodeError:
                continue
            tried += 1
            # whatever parses must rebuild to the same octets
            assert dlms.build_payload(obj) == bytes(p)
            dlms_text.to_json(obj)
    assert tried > 0


def test_cosem_names():
    assert cosem_names.obis_text(unhex("0000130A00FF")) == "0-0:19.10.0.255"
    assert cosem_names.obis_bytes("1-0:32.24.0.255") == unhex("0100201800FF")
    assert cosem_names.class_name(9000) == "GBCS extended data"
    assert cosem_names.class_name(30) == "Data protection"
    assert cosem_names.object_name("0-0:19.40.0.255").startswith("PrepaymentCredit")
    assert cosem_names.member_name(115, 1, True) == "enter"
    assert cosem_names.member_name(3, 1) == "logical_name"
    for text in ("0-0:19.10.0", "0:19.10.0.255", "0-0:19.10.0.256"):
        try:
            cosem_names.obis_bytes(text)
        except ValueError:
            continue
        raise AssertionError(text)
    # one row per OBIS in the table
    seen = set()
    for obis, _ in cosem_names.OBJECTS:
        assert obis not in seen, obis
        assert cosem_names.obis_text(cosem_names.obis_bytes(obis)) == obis
        seen.add(obis)


def test_every_data_type_the_codec_knows_has_its_green_book_name():
    # Every T_* tag of the codec has exactly one row in dlms_text.TYPE_NAMES, and no other tag does.
    tags = sorted(getattr(axdr, n) for n in dir(axdr) if n.startswith("T_"))
    named = sorted(t for t, _ in dlms_text.TYPE_NAMES)
    assert named == tags and len(tags) == 25
    # Names and tags from the Green Book "Data" CHOICE (IEC 62056-6-2).
    for tag, name in (
        (0, "null-data"),
        (6, "double-long-unsigned"),
        (18, "long-unsigned"),
        (255, "dont-care"),
    ):
        assert dlms_text.type_name(tag) == name
    assert dlms_text.type_name(7) == "tag 7"
    # the codec itself names a type by its tag number only
    exc = _raises_encode(axdr.encode, (axdr.T_LONG_UNSIGNED, 0x10000))
    assert "data tag 18" in str(exc)


def test_every_rtds_class_and_instance_has_a_name():
    require_rtds()
    missing = set()
    for _, _, p in _dlms_payloads():
        obj = dlms.parse_payload(p)
        for s in getattr(obj, "specs", None) or []:
            if cosem_names.class_name(s.class_id) is None or cosem_names.object_name(s.instance) is None:
                missing.add((s.class_id, cosem_names.obis_text(s.instance)))
    assert not missing, sorted(missing)
