"""GBCS frame codec against every RTDS 4.5.0 frame.

Every *_GBCS.HEX parses, and building it again from the parsed fields gives the same bytes. The
header fields are checked against RTDS's own field-by-field decode (decoded/<folder>.txt), an
independent reading of the same bytes.
"""

from smets.wire import frame as wire
from smets.wire.errors import DecodeError
from support import list_frames, read_frame, require_rtds, unhex

_FIELDS = (
    "CRA Flag",
    "Originator Counter",
    "Originator System Title",
    "Recipient System Title",
    "Message Code",
    "General Ciphering",
    "MAC",
    "Date Time",
    "Supplementary Remote Party ID",
)


def _decoded_headers(root, folder):
    """{file name: {field: hex}} from decoded/<folder>.txt (first occurrence of each field)."""
    out = {}
    current = None
    with open(root + "/decoded/" + folder + ".txt") as f:
        for line in f:
            line = line.strip()
            if line.startswith("#### "):
                current = {}
                out[line[5:].strip()] = current
                continue
            if current is None or ":" not in line:
                continue
            key, _, rest = line.partition(":")
            if key not in _FIELDS:
                continue  # keep the heap small: only the header fields this test compares
            value = rest.split("=>")[0].strip()
            if value and key not in current:  # section headings ("MAC:") carry no value
                current[key] = value
    return out


def test_every_rtds_frame_round_trips():
    count = 0
    for folder, name in list_frames():
        data = read_frame(folder, name)
        frame = wire.parse(data)
        rebuilt = wire.build(frame)
        assert rebuilt == data, name
        count += 1
    print("frames parsed and rebuilt byte for byte:", count)
    assert count == 1203


def test_header_fields_match_the_rtds_decode():
    root = require_rtds()
    checked = 0
    folders = sorted(set(folder for folder, _ in list_frames()))
    for folder in folders:
        headers = _decoded_headers(root, folder)
        for name, fields in sorted(headers.items()):
            frame = wire.parse(read_frame(folder, name))
            assert frame.cra == int(fields["CRA Flag"], 16), name
            assert frame.counter == int(fields["Originator Counter"].replace(" ", ""), 16), name
            assert frame.originator == unhex(fields["Originator System Title"])[1:], name
            assert frame.recipient == unhex(fields["Recipient System Title"])[1:], name
            assert frame.message_code == int(fields["Message Code"].replace(" ", ""), 16), name
            assert frame.has_mac_header == ("General Ciphering" in fields), name
            if "MAC" in fields:
                assert frame.mac == unhex(fields["MAC"]), name
            dt = unhex(fields["Date Time"])
            assert (frame.date_time or b"") == dt[1:], name
            if "Supplementary Remote Party ID" in fields:
                assert frame.supp_remote_party_id == unhex(fields["Supplementary Remote Party ID"]), name
            checked += 1
    print("frames checked against the RTDS decode:", checked)
    assert checked == 1203


def test_rebuild_from_fields_after_changes():
    frame = wire.Frame(
        wire.CRA_RESPONSE,
        1000,
        unhex("00DB1234567890A0"),
        unhex("90B3D51F30010000"),
        0x001C,
        unhex("DA2000 03E8 00 00 01 00 01 03 00".replace(" ", "")),
        signature=b"",
        mac=b"\x01" * 12,
    )
    data = wire.build(frame)
    again = wire.parse(data)
    assert again.counter == 1000 and again.message_code == 0x001C and again.mac == b"\x01" * 12
    assert data[:7] == unhex("DD000000000000")
    # the MAC header length covers the security header, the APDU and the MAC
    length, pos = wire.read_length(data, 7)
    assert pos + length == len(data)


def test_ber_lengths():
    for n, encoded in (
        (0, "00"),
        (127, "7F"),
        (128, "8180"),
        (255, "81FF"),
        (256, "820100"),
        (424, "8201A8"),
    ):
        assert wire.length_bytes(n) == unhex(encoded)
        assert wire.read_length(unhex(encoded), 0) == (n, len(encoded) // 2)


def _raises(data, words):
    try:
        wire.parse(data)
    except DecodeError as exc:
        text = str(exc)
        assert "offset" in text, text
        for w in words:
            assert w in text, text
        return
    raise AssertionError("no DecodeError for %r" % data)


def test_malformed_frames_are_refused_with_an_offset():
    good = read_frame("2.2_CS01a", "CS01a_2.2_SUCCESS_COMMAND_GBCS.HEX")
    _raises(b"", ["empty"])
    _raises(good[:20], ["length"])
    _raises(good[13:40], ["truncated"])
    _raises(good[:-1], ["length"])
    _raises(good + b"\x00", ["length"])
    gbt = bytearray(good)
    gbt[1] = 1
    _raises(bytes(gbt), ["GBT"])
    bad_cra = bytearray(good)
    bad_cra[15] = 7
    _raises(bytes(bad_cra), ["CRA"])
    bad_tag = bytearray(good)
    bad_tag[13] = 0xDE
    _raises(bytes(bad_tag), ["0xDF"])
