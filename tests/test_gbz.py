"""GBZ codec: every RTDS GBZ payload round-trips byte-exactly; decoded values match the RTDS decodes.

All 317 GBZ payloads (and their 959 plain ZCL payloads) are checked on both interpreters: the
full run takes a few seconds on MicroPython too, so no subset is needed there.
"""

import json

from smets.wire import frame, gbz, zcl_names
from smets.wire.errors import DecodeError, EncodeError
from support import list_frames, mutations, read_frame, require_rtds, rtds_dir, unhex

RTDS_GBZ_PAYLOADS = 317  # frames whose payload starts 01 09
RTDS_GBZ_ALERTS = 19  # of which CRA flag 3: 15 x 8F66, GCA, GNCA, MIIWA, GCS53
RTDS_PLAIN_COMPONENTS = 959
RTDS_ENCRYPTED_COMPONENTS = 39

# 2015-01-01T00:00:00Z in ZigBee UTCTime: 15 years from 2000 with 4 leap days (2000, 04, 08, 12).
UTC_2015_01_01 = (15 * 365 + 4) * 86400


def _gbz_frames():
    out = []
    for folder, name in list_frames():
        fr = frame.parse(read_frame(folder, name))
        if fr.payload[:2] == b"\x01\x09":
            out.append((folder, name, fr))
    return out


def _payload(folder, name):
    return frame.parse(read_frame(folder, name)).payload


def _find(g, cluster_id, command_id, cluster_specific=True):
    for comp in g.components:
        if (
            comp.cluster_id == cluster_id
            and comp.command_id == command_id
            and comp.is_cluster_specific() == cluster_specific
        ):
            return comp
    raise AssertionError("no component 0x%04X/0x%02X" % (cluster_id, command_id))


def test_every_rtds_gbz_payload_round_trips():
    require_rtds()
    payloads = alerts = plain = encrypted = 0
    for _folder, name, fr in _gbz_frames():
        g = gbz.parse_payload(fr.payload)
        assert gbz.build_payload(g) == fr.payload, name
        assert g.is_alert() == (fr.cra == frame.CRA_ALERT), name
        assert gbz.parse_payload(fr.payload, alert=fr.cra == frame.CRA_ALERT).is_alert() == g.is_alert()
        payloads += 1
        alerts += g.is_alert()
        for comp in g.components:
            if comp.is_encrypted():
                encrypted += 1
                continue
            cmd = comp.command()
            assert cmd is not None, (name, comp)
            assert cmd.get("trailing") is None, (name, cmd)
            assert gbz.encode_zcl(comp.cluster_id, comp.frame_control, comp.command_id, cmd) == comp.payload
            plain += 1
    assert payloads == RTDS_GBZ_PAYLOADS
    assert alerts == RTDS_GBZ_ALERTS
    assert plain == RTDS_PLAIN_COMPONENTS
    assert encrypted == RTDS_ENCRYPTED_COMPONENTS


def test_every_rtds_gbz_payload_to_json():
    require_rtds()
    for _folder, name, fr in _gbz_frames():
        j = gbz.to_json(gbz.parse_payload(fr.payload))
        assert j["profile_id"] == 0x0109
        text = json.dumps(j)
        assert "payload_error" not in text, name


def test_gca_alert():
    require_rtds()
    # Decode: Number of GBZ components 00, Alert Code 8F 30, Time Stamp 1C 37 4A 80 (2015-01-01)
    g = gbz.parse_payload(_payload("NA_GCA-ZigBee", "GCA-ZigBee_NA_8F30_ALERT_GBCS.HEX"))
    assert g.is_alert() and g.alert_code == 0x8F30 and g.count == 0
    assert g.timestamp == UTC_2015_01_01 and gbz.utc_text(g.timestamp) == "2015-01-01T00:00:00Z"
    assert g.alert_body is None and g.components == []


def test_integrity_warning_alert_other_info():
    require_rtds()
    g = gbz.parse_payload(_payload("NA_MIIWA-ZigBee", "MIIWA-ZigBee_NA_81A0_ALERT_GBCS.HEX"))
    assert g.alert_code == 0x81A0 and g.count == 1
    assert g.other_info() == 0x0005  # Error Unexpected Hardware Reset


def test_future_dated_alert():
    require_rtds()
    name = "GCS05_2.1_8F66_FUTURE_DATED_SUCCESS_ALERT_SET_LOW_CREDIT_WARNING_LEVEL_GBCS.HEX"
    g = gbz.parse_payload(_payload("2.1_GCS05", name))
    assert g.alert_code == gbz.ALERT_FUTURE_DATED_OK
    assert g.timestamp == UTC_2030_01_15_0900
    body = g.alert_body
    assert isinstance(body, gbz.FutureDatedAlert)
    assert body.message_code == 0x006F  # GCS05
    assert body.originator_counter == 1001
    assert body.cluster_id == 0x0705 and body.frame_control == 0x01 and body.command_id == 0x09
    assert zcl_names.command_name(body.cluster_id, body.frame_control, body.command_id) == (
        "Set Low Credit Warning Level"
    )


def test_billing_data_log_alert_carries_an_encrypted_component():
    require_rtds()
    g = gbz.parse_payload(_payload("NA_GCS53", "GCS53_NA_8F0A_ALERT_GBCS.HEX"))
    assert g.alert_code == 0x8F0A and len(g.components) == 1
    comp = g.components[0]
    assert comp.control == 0x03 and comp.is_encrypted() and comp.is_last()
    assert comp.cluster_id == 0x0702 and comp.frame_control == 0x19 and comp.command_id == 0x06
    assert len(comp.protected) == 89  # Ciphered Information Length 00 59
    assert comp.security_header() == unhex("3100000000") and comp.invocation_counter() == 0
    assert len(comp.auth_tag()) == 12 and len(comp.ciphertext()) == 89 - 17
    assert comp.auth_tag() == unhex("C60440B781D5EAA2AD2BBEFA")  # AE MAC in the decode


def test_read_attributes_response_values():
    require_rtds()
    g = gbz.parse_payload(_payload("4.3_GCS14", "GCS14_4.3_ERROR_RESPONSE_GBCS.HEX"))
    assert g.count == 2 and [c.control for c in g.components] == [0x00, 0x01]
    price = g.components[0]
    assert price.cluster_id == 0x0700 and zcl_names.cluster_name(price.cluster_id) == "Price"
    cmd = price.command()
    assert cmd.name == "Read Attributes Response"
    recs = cmd.get("records")
    assert recs[0].id == 0x0617 and recs[0].status == 0xC0 and recs[0].type is None  # Hardware Failure
    assert recs[1].id == 0x0616 and recs[1].status == 0 and recs[1].type == 0x21 and recs[1].value == 826
    dflt = g.components[1].command()
    assert dflt.name == "Default Response" and dflt.get("command_id") == 0xFF and dflt.get("status") == 0x01


def test_read_attributes_command():
    require_rtds()
    g = gbz.parse_payload(_payload("4.3_GCS14", "GCS14_4.3_ERROR_COMMAND_GBCS.HEX"))
    ids = g.components[1].command().get("attributes")
    assert ids == [0x0005, 0x0002, 0x0001, 0x0231, 0x0211, 0x0221]
    assert zcl_names.attribute_name(0x0705, ids[0]) == "Accumulated Debt"


# 2030-01-15 09:00:00: 30 years with 8 leap days (2000..2028), plus 14 days and 9 hours.
UTC_2030_01_15_0900 = ((30 * 365 + 8 + 14) * 24 + 9) * 3600


def test_from_date_time_and_prepayment_commands():
    require_rtds()
    g = gbz.parse_payload(_payload("2.1_GCS05", "GCS05_2.1_FUTURE_DATED_SUCCESS_COMMAND_GBCS.HEX"))
    lcwl = _find(g, 0x0705, 0x09)
    assert lcwl.control & gbz.CTRL_FROM_DATE_TIME and lcwl.from_date_time == UTC_2030_01_15_0900
    assert lcwl.command().get("low_credit_warning_level") == 5000000
    cap = _find(g, 0x0705, 0x0C).command()
    assert cap.get("issuer_event_id") == UTC_2015_01_01 and cap.get("overall_debt_cap") == 100000
    maxc = _find(g, 0x0705, 0x0B).command()
    assert maxc.get("maximum_credit_level") == 25000000
    g = gbz.parse_payload(_payload("2.1_GCS05", "GCS05_2.1_CANCELLATION_SUCCESS_COMMAND_GBCS.HEX"))
    assert _find(g, 0x0705, 0x09).from_date_time == 0xFFFFFFFF
    g = gbz.parse_payload(_payload("2.1_GCS05", "GCS05_2.1_IMMEDIATE_SUCCESS_COMMAND_GBCS.HEX"))
    assert _find(g, 0x0705, 0x09).from_date_time == 0


def test_publish_block_thresholds_and_price_matrix():
    require_rtds()
    g = gbz.parse_payload(
        _payload("1.1.1_GCS01a", "GCS01a_1.1.1_FUTURE_DATED_BLOCK_SUCCESS_COMMAND_GBCS.HEX")
    )
    bt = _find(g, 0x0700, 0x06).command()
    assert bt.name == "Publish Block Thresholds" and bt.get("sub_payload_control") == 1
    tiers = bt.get("tiers")
    assert len(tiers) == 1
    assert gbz._field(tiers[0], "thresholds") == [1000000, 2000000, 3000000]
    pm = _find(g, 0x0700, 0x05).command()
    prices = [gbz._field(e, "price") for e in pm.get("prices")]
    assert prices == [9600, 10200, 10750, 11000]
    ti = _find(g, 0x0700, 0x04).command()
    assert ti.get("currency") == 826 and ti.get("standing_charge") == 54794
    assert ti.get("block_threshold_divisor") == 1000


def test_consumer_top_up_and_change_debt():
    require_rtds()
    g = gbz.parse_payload(_payload("2.2_CS01b", "CS01b_2.2_ERROR_COMMAND_GBCS.HEX"))
    cmd = g.components[0].command()
    assert cmd.name == "Consumer Top Up" and cmd.get("originating_device") == 0
    assert cmd.get("top_up_code") == b"12345678910121314156"
    folder = "2.3_GCS04"
    names = [n for f, n in list_frames() if f == folder and n.endswith("_COMMAND_GBCS.HEX")]
    found = 0
    for name in names:
        for comp in gbz.parse_payload(_payload(folder, name)).components:
            if comp.cluster_id == 0x0705 and comp.is_cluster_specific() and comp.command_id == 0x02:
                c = comp.command()
                assert c.name == "Change Debt"
                assert c.get("debt_recovery_frequency") in (0, 1, 2, 3, 4, 5, 6)
                found += 1
    assert found > 0


def _decrypted_plaintexts(folder, frame_name):
    """The plaintext octets the RTDS decode lists under each 'Decrypted Payload N:' of a frame."""
    with open(rtds_dir() + "/decoded/" + folder + ".txt") as f:
        text = f.read()
    start = text.index("#### " + frame_name)
    stop = text.find("#### ", start + 5)
    block = text[start : stop if stop >= 0 else len(text)]
    out = []
    for part in block.split("Decrypted Payload ")[1:]:
        hexes = []
        for line in part.split("\n")[2:]:
            if ": " not in line:
                continue
            value = line.split(": ", 1)[1].split("=>")[0].strip()
            if value and all(len(t) == 2 for t in value.split()):
                hexes.append(value)
        out.append(unhex("".join(hexes)))
    return out


def test_encrypted_component_accessors_and_decrypted_plaintext():
    require_rtds()
    name = "GCS14_4.3_SUCCESS_UNRELIABLE_RESPONSE_GBCS.HEX"
    payload = _payload("4.3_GCS14", name)
    g = gbz.parse_payload(payload)
    comp = g.components[1]
    assert comp.is_encrypted() and comp.additional_control == 0 and comp.frame_counter == 0
    with_tag = comp.protected
    plaintexts = _decrypted_plaintexts("4.3_GCS14", name)
    assert len(plaintexts) == 1 and len(plaintexts[0]) == len(comp.ciphertext())
    try:
        comp.command()
        raise AssertionError("decoding an encrypted component")
    except DecodeError:
        pass
    # What security/ does after opening the content: put the plaintext in, decode it.
    comp.set_plaintext(plaintexts[0])
    assert not comp.is_encrypted() and comp.control == 0x01
    recs = comp.command().get("records")
    values = [(r.id, r.type, r.value) for r in recs]
    # Decode: Accumulated Debt INT32 2500000, Emergency Credit Remaining INT32 500000, ...
    assert values[0] == (0x0005, 0x2B, 2500000)
    assert values[1] == (0x0002, 0x2B, 500000)
    assert values[3] == (0x0231, 0x23, 5000)
    plain = gbz.build_payload(g)
    assert gbz.parse_payload(plain).components[1].payload == plaintexts[0]
    # ... and sealing it again gives the received octets back.
    comp.set_protected(with_tag)
    assert gbz.build_payload(g) == payload


def test_build_from_fields():
    # Read Attributes of Prepayment Credit Remaining (0x0001), last component, sequence 5:
    # 01 09 | 01 | 01 0705 0005 | 00 05 00 | 0100
    comp = gbz.Component(0x0705, 0x00, b"", 0x00, 5, gbz.CTRL_LAST)
    comp.set_command(gbz.ZclCommand("Read Attributes", [["attributes", [0x0001]]]))
    g = gbz.Gbz([comp])
    assert gbz.build_payload(g) == unhex("0109 01 01 0705 0005 000500 0100")
    # Default Response, from a dict of fields.
    dr = gbz.Component(0x0705, 0x0B, b"", 0x08, 1, gbz.CTRL_LAST)
    dr.set_command({"command_id": 0x04, "status": 0x00})
    assert dr.payload == unhex("0400")
    # An alert with the future-dated body.
    body = gbz.FutureDatedAlert(0x006F, 1001, 0x0705, 0x01, 0x09)
    a = gbz.Gbz(None, 0x8F66, UTC_2015_01_01, body, 1)
    assert gbz.build_payload(a) == unhex("0109018F661C374A80 0E 006F 00000000000003E9 0705 01 09")
    assert gbz.parse_payload(gbz.build_payload(a)).alert_body.originator_counter == 1001
    # Cluster command with a group and a string.
    fields = [
        ["originating_device", 0],
        ["top_up_code", b"73943333457189043313"],
    ]
    out = gbz.encode_zcl(0x0705, 0x01, 0x04, fields)
    assert out == b"\x00\x14" + b"73943333457189043313"


def test_build_checks_consistency():
    comp = gbz.Component(0x0705, 0x09, unhex("404B4C00"), 0x01, 2, gbz.CTRL_FROM_DATE_TIME)
    for bad in (comp,):
        try:
            gbz.build_component(bad)
            raise AssertionError("from date-time flag without a value")
        except EncodeError:
            pass
    comp.from_date_time = 0xFFFFFFFF
    assert gbz.build_component(comp) == unhex("10 0705 000B FFFFFFFF 01 02 09 404B4C00")
    comp.manufacturer_code = 0x1234
    try:
        gbz.build_component(comp)
        raise AssertionError("manufacturer code without frame control bit 2")
    except EncodeError:
        pass
    comp.frame_control |= gbz.FC_MANUFACTURER
    data = gbz.build_component(comp)
    assert data == unhex("10 0705 000D FFFFFFFF 05 3412 02 09 404B4C00")
    parsed, end = gbz.parse_component(data, 0, len(data))
    assert end == len(data) and parsed.manufacturer_code == 0x1234 and parsed.command() is None
    try:
        gbz.encode_zcl(0x0705, 0x01, 0x09, {})
        raise AssertionError("missing field")
    except EncodeError:
        pass


def test_zcl_values_nested_and_signed():
    # Structure of 2: UINT8 7, array of 2 INT16 (-2, 300); then a char string and an invalid string.
    out = bytearray()
    value = gbz.ZclStruct([[0x20, 7], [0x48, gbz.ZclArray(0x29, [-2, 300])]])
    gbz.write_zcl_value(out, 0x4C, value)
    assert bytes(out) == unhex("0200 20 07 48 29 0200 FEFF 2C01")
    back, pos = gbz.read_zcl_value(bytes(out), 0, len(out), 0x4C)
    assert pos == len(out)
    assert back.members[0] == [0x20, 7]
    assert back.members[1][1].elem_type == 0x29 and back.members[1][1].items == [-2, 300]
    rar = unhex("0400 00 42 03 414243 0500 00 42 FF 0300 00 2B FEFFFFFF")
    rec = gbz.decode_zcl(0x0000, 0x08, 0x01, rar)
    recs = rec.get("records")
    assert recs[0].value == b"ABC" and recs[1].value is None and recs[2].value == -2
    assert gbz.encode_zcl(0x0000, 0x08, 0x01, rec) == unhex(
        "0400 00 42 03 414243 0500 00 42 FF 0300 00 2B FEFFFFFF"
    )
    j = gbz.to_json(rec)
    assert j["records"][0]["value"] == "414243" and j["records"][2]["type_name"] == "INT32"
    # Write Attributes Response: single all-success status, and per-attribute records.
    w = gbz.decode_zcl(0x0705, 0x08, 0x04, b"\x00")
    assert gbz.encode_zcl(0x0705, 0x08, 0x04, w) == b"\x00"
    w = gbz.decode_zcl(0x0705, 0x08, 0x04, unhex("88 3100"))
    assert w.get("records")[0].status == 0x88 and w.get("records")[0].id == 0x0031
    # Deep nesting is bounded.
    deep = b"\x48\x01\x00" * 20 + b"\x20\x01\x00\x05"
    try:
        gbz.read_zcl_value(deep, 0, len(deep), 0x48)
        raise AssertionError("deep ZCL nesting")
    except DecodeError:
        pass


def test_utc_text():
    assert gbz.utc_text(0) == "2000-01-01T00:00:00Z"
    assert gbz.utc_text(UTC_2015_01_01) == "2015-01-01T00:00:00Z"
    assert gbz.utc_text(59 * 86400) == "2000-02-29T00:00:00Z"  # 2000 is a leap year
    assert gbz.utc_text(0xFFFFFFFE) == "2136-02-07T06:28:14Z"  # as the RTDS decode shows it
    assert gbz.utc_text(0xFFFFFFFF) == "invalid"


def _raises(data, **kw):
    try:
        gbz.parse_payload(data, **kw)
    except DecodeError as exc:
        assert "offset" in str(exc), str(exc)
        return exc
    raise AssertionError("no DecodeError for %r" % (data,))


def test_malformed_payloads():
    assert _raises(b"").offset == 0
    assert _raises(unhex("0108 00")).offset == 0  # wrong profile
    assert _raises(unhex("0109 01")).offset == 3  # count 1, nothing follows
    assert _raises(unhex("0109 01 01 0705 0009 000500 0100")).offset == 6  # length overruns
    assert _raises(unhex("0109 01 01 0705 0002 0005")).offset == 8  # ZCL header cut short
    assert _raises(unhex("0109 01 01 0705 0005 000500 0100 FF")).offset == 13  # trailing octet
    assert _raises(unhex("0109 02 01 0705 0005 000500 0100")).offset == 13  # count too high
    # Encrypted component whose ciphered information length disagrees with the component length.
    enc = unhex("0109 01 03 0702 0018 0000 080106 0012 3100000000") + bytes(12)
    assert _raises(enc).offset == 13
    assert _raises(unhex("0109 00 8F30 1C374A"), alert=True).offset == 3  # alert time cut short
    # A ZCL payload that does not fit its layout raises when decoded.
    comp = gbz.Component(0x0700, 0x01, unhex("1706 00 21 3A"), 0x08, 0)
    try:
        comp.command()
        raise AssertionError("truncated attribute value")
    except DecodeError as exc:
        assert exc.offset == 4


def test_truncations_of_rtds_payloads():
    require_rtds()
    checked = 0
    for _folder, _name, fr in _gbz_frames()[::15]:
        p = fr.payload
        g = gbz.parse_payload(p)
        if g.is_alert() and not g.components and not isinstance(g.alert_body, gbz.FutureDatedAlert):
            continue  # a raw alert body has no length of its own to contradict
        for cut in range(0, len(p), max(1, len(p) // 6)):
            _raises(p[:cut], alert=g.is_alert())
            checked += 1
    assert checked > 50


def test_invalid_zcl_string_in_a_layout():
    # Display Message with message length FF: ZCL's "invalid string", no octets follow.
    data = unhex("01000000 00 00000000 FFFF FF")
    cmd = gbz.decode_zcl(0x0703, 0x09, 0x00, data)
    assert cmd.get("message") is None
    assert gbz.encode_zcl(0x0703, 0x09, 0x00, cmd) == data


def test_mutated_payloads_raise_only_decode_error_or_round_trip():
    require_rtds()
    parsed = commands = 0
    for _folder, _name, fr in _gbz_frames()[::6]:
        for data in mutations(fr.payload, len(fr.payload), 30):
            try:
                g = gbz.parse_payload(data)
            except DecodeError:
                continue
            assert gbz.build_payload(g) == data
            gbz.to_json(g)
            parsed += 1
            for comp in g.components:
                if comp.payload is None:
                    continue
                try:
                    cmd = comp.command()
                except DecodeError:
                    continue
                if cmd is not None:
                    out = gbz.encode_zcl(comp.cluster_id, comp.frame_control, comp.command_id, cmd)
                    assert out == comp.payload
                    commands += 1
    assert parsed > 0 and commands > 0
