"""GBCS frames: the MAC header, the general-signing (grouping) header, payload, signature, MAC.

Layout (GBCS; see ../shared/spec/SMETS-GBCS.md §3.1):

    [DD 00 00 00 00 00 00  BER-length  11 00000000]      MAC header (absent on signed-only frames)
    DF 09 CRA counter(8) 08 originator(8) 08 recipient(8)
       date-time (00 | 0C + 12)  BER-length other-information  BER-length payload
       [signature length (00 | 40) + signature]          absent altogether on a pre-command
    [MAC (12)]                                           present when the MAC header is

Parsing keeps the original bytes and offsets so that a MAC or signature is always checked over
exactly what was received; building writes the same layout from the fields. The codec decides
nothing: it never checks a MAC or a signature (that is security/).
"""

from smets.compat import const, hex_text
from smets.wire import ber
from smets.wire.errors import DecodeError, EncodeError

CRA_COMMAND = const(1)
CRA_RESPONSE = const(2)
CRA_ALERT = const(3)

MAC_LENGTH = const(12)
SIGNATURE_LENGTH = const(64)
_TAG_GENERAL_CIPHERING = const(0xDD)
_TAG_GENERAL_SIGNING = const(0xDF)
_SECURITY_HEADER = b"\x11\x00\x00\x00\x00"


class Frame:
    """One GBCS message as plain fields.

    signature: None when the frame has no signature field at all (a pre-command), b"" when the
    field says length 0, otherwise the 64-octet raw r||s.
    mac: None when there is no MAC header, otherwise the 12-octet MAC.
    other information: message_code plus the optional supplementary fields, in wire order:
    supp_remote_party_id (8), supp_remote_party_counter (int), then either
    supp_originator_counter (int) or ka_certificate (DER bytes).
    """

    __slots__ = (
        "cra",
        "counter",
        "originator",
        "recipient",
        "date_time",
        "message_code",
        "supp_remote_party_id",
        "supp_remote_party_counter",
        "supp_originator_counter",
        "ka_certificate",
        "payload",
        "signature",
        "mac",
        "has_mac_header",
        "raw",
        "apdu_start",
        "payload_end",
        "apdu_end",
    )

    def __init__(
        self,
        cra,
        counter,
        originator,
        recipient,
        message_code,
        payload,
        date_time=None,
        signature=b"",
        mac=None,
        has_mac_header=None,
        supp_remote_party_id=None,
        supp_remote_party_counter=None,
        supp_originator_counter=None,
        ka_certificate=None,
    ):
        self.cra = cra
        self.counter = counter
        self.originator = originator
        self.recipient = recipient
        self.date_time = date_time
        self.message_code = message_code
        self.supp_remote_party_id = supp_remote_party_id
        self.supp_remote_party_counter = supp_remote_party_counter
        self.supp_originator_counter = supp_originator_counter
        self.ka_certificate = ka_certificate
        self.payload = payload
        self.signature = signature
        self.mac = mac
        self.has_mac_header = (mac is not None) if has_mac_header is None else has_mac_header
        self.raw = None
        self.apdu_start = 0
        self.payload_end = 0
        self.apdu_end = 0

    def __repr__(self):
        return "Frame(cra=%d, counter=%d, code=0x%04X, %s -> %s, payload=%d octets%s%s)" % (
            self.cra,
            self.counter,
            self.message_code,
            hex_text(self.originator).upper(),
            hex_text(self.recipient).upper(),
            len(self.payload),
            ", signed" if self.signature else "",
            ", MAC" if self.mac is not None else "",
        )

    def is_signed(self):
        return bool(self.signature)


# ---- BER lengths ---------------------------------------------------------------------------


def read_length(data, pos, end=None):
    """Read a BER length at pos; return (length, next position)."""
    return ber.read_length(data, pos, len(data) if end is None else end)


length_bytes = ber.length_bytes


# ---- parse ---------------------------------------------------------------------------------


def _need(data, pos, n, end, what):
    if pos + n > end:
        raise DecodeError("truncated %s (need %d octets, have %d)" % (what, n, end - pos), pos)


def parse(data):
    """Parse a whole GBCS frame (with or without MAC header). Raises DecodeError."""
    data = bytes(data)
    end = len(data)
    if end == 0:
        raise DecodeError("empty frame", 0)
    pos = 0
    has_mac = False
    mac = None
    if data[0] == _TAG_GENERAL_CIPHERING:
        _need(data, 0, 13, end, "MAC header")
        if data[1] != 0:
            raise DecodeError("GBT (segmented) frames are not supported", 1)
        for i in range(2, 7):
            if data[i] != 0:
                raise DecodeError("MAC header field %d is not empty" % (i - 1), i)
        length, pos = read_length(data, 7, end)
        if pos + length != end:
            raise DecodeError(
                "MAC header length %d does not match the %d octets that follow" % (length, end - pos), 7
            )
        if data[pos : pos + 5] != _SECURITY_HEADER:
            raise DecodeError("security header is not 11 00000000", pos)
        pos += 5
        if end - pos < MAC_LENGTH + 2:
            raise DecodeError("frame too short for a MAC", pos)
        has_mac = True
        mac = data[end - MAC_LENGTH :]
        end -= MAC_LENGTH
    frame = _parse_apdu(data, pos, end, has_mac)
    frame.mac = mac
    return frame


def _parse_apdu(data, start, end, has_mac):
    pos = start
    _need(data, pos, 2, end, "general-signing tag")
    if data[pos] != _TAG_GENERAL_SIGNING:
        raise DecodeError("expected general-signing tag 0xDF, found 0x%02X" % data[pos], pos)
    if data[pos + 1] != 0x09:
        raise DecodeError("expected 0x09 after 0xDF, found 0x%02X" % data[pos + 1], pos + 1)
    pos += 2
    _need(data, pos, 9, end, "CRA flag and counter")
    cra = data[pos]
    if cra not in (CRA_COMMAND, CRA_RESPONSE, CRA_ALERT):
        raise DecodeError("CRA flag %d is not 1, 2 or 3" % cra, pos)
    counter = int.from_bytes(data[pos + 1 : pos + 9], "big")
    pos += 9
    originator, pos = _system_title(data, pos, end, "originator")
    recipient, pos = _system_title(data, pos, end, "recipient")
    _need(data, pos, 1, end, "date-time")
    if data[pos] == 0:
        date_time = None
        pos += 1
    elif data[pos] == 0x0C:
        _need(data, pos + 1, 12, end, "date-time")
        date_time = data[pos + 1 : pos + 13]
        pos += 13
    else:
        raise DecodeError("date-time length must be 0 or 12, found %d" % data[pos], pos)
    oi_len, oi_start = read_length(data, pos, end)
    _need(data, oi_start, oi_len, end, "other-information")
    if oi_len < 2:
        raise DecodeError("other-information shorter than a message code", pos)
    frame = Frame(cra, counter, originator, recipient, 0, b"", date_time)
    _parse_other_information(frame, data, oi_start, oi_start + oi_len)
    pos = oi_start + oi_len
    content_len, pos = read_length(data, pos, end)
    _need(data, pos, content_len, end, "payload")
    frame.payload = data[pos : pos + content_len]
    pos += content_len
    payload_end = pos
    if pos == end and not has_mac:
        signature = None  # a pre-command: no signature field at all
    else:
        _need(data, pos, 1, end, "signature length")
        sig_len = data[pos]
        if sig_len not in (0, SIGNATURE_LENGTH):
            raise DecodeError("signature length must be 0 or 64, found %d" % sig_len, pos)
        pos += 1
        _need(data, pos, sig_len, end, "signature")
        signature = data[pos : pos + sig_len]
        pos += sig_len
    if pos != end:
        raise DecodeError("%d unexpected octets after the signature" % (end - pos), pos)
    frame.signature = signature
    frame.has_mac_header = has_mac
    frame.raw = data
    frame.apdu_start = start
    frame.payload_end = payload_end
    frame.apdu_end = end
    return frame


def _system_title(data, pos, end, what):
    _need(data, pos, 9, end, what + " system title")
    if data[pos] != 8:
        raise DecodeError("%s system title length must be 8, found %d" % (what, data[pos]), pos)
    return data[pos + 1 : pos + 9], pos + 9


def _parse_other_information(frame, data, pos, end):
    frame.message_code = (data[pos] << 8) | data[pos + 1]
    pos += 2
    remaining = end - pos
    if remaining == 0:
        return
    if remaining < 8:
        raise DecodeError("other-information: %d octets cannot hold a remote party ID" % remaining, pos)
    frame.supp_remote_party_id = data[pos : pos + 8]
    pos += 8
    remaining = end - pos
    if remaining == 0:
        return
    if remaining < 8:
        raise DecodeError("other-information: truncated remote party counter", pos)
    frame.supp_remote_party_counter = int.from_bytes(data[pos : pos + 8], "big")
    pos += 8
    remaining = end - pos
    if remaining == 0:
        return
    if remaining == 8:
        frame.supp_originator_counter = int.from_bytes(data[pos : pos + 8], "big")
    else:
        frame.ka_certificate = data[pos:end]


# ---- build ---------------------------------------------------------------------------------


def _other_information(frame):
    code = frame.message_code
    if not 0 <= code <= 0xFFFF:
        raise EncodeError("message code out of range: %r" % code)
    parts = [bytes((code >> 8, code & 0xFF))]
    if frame.supp_remote_party_id is not None:
        parts.append(_check_len(frame.supp_remote_party_id, 8, "supplementary remote party ID"))
        if frame.supp_remote_party_counter is not None:
            parts.append(_u64(frame.supp_remote_party_counter, "supplementary remote party counter"))
            if frame.supp_originator_counter is not None:
                parts.append(_u64(frame.supp_originator_counter, "supplementary originator counter"))
            elif frame.ka_certificate is not None:
                parts.append(bytes(frame.ka_certificate))
    return b"".join(parts)


def _check_len(value, n, what):
    if value is None or len(value) != n:
        raise EncodeError("%s must be %d octets" % (what, n))
    return bytes(value)


def _u64(value, what):
    if not 0 <= value < (1 << 64):
        raise EncodeError("%s out of range: %r" % (what, value))
    return value.to_bytes(8, "big")


def signed_part(frame):
    """The octets a signature covers: the general-signing APDU from 0x09 to the payload's end."""
    if frame.raw is not None:
        return frame.raw[frame.apdu_start + 1 : frame.payload_end]
    return _header_and_payload(frame)[1:]


def _header_and_payload(frame):
    if frame.cra not in (CRA_COMMAND, CRA_RESPONSE, CRA_ALERT):
        raise EncodeError("CRA flag must be 1, 2 or 3")
    oi = _other_information(frame)
    dt = b"\x00" if frame.date_time is None else b"\x0c" + _check_len(frame.date_time, 12, "date-time")
    return b"".join(
        (
            b"\xdf\x09",
            bytes((frame.cra,)),
            _u64(frame.counter, "originator counter"),
            b"\x08",
            _check_len(frame.originator, 8, "originator system title"),
            b"\x08",
            _check_len(frame.recipient, 8, "recipient system title"),
            dt,
            length_bytes(len(oi)),
            oi,
            length_bytes(len(frame.payload)),
            bytes(frame.payload),
        )
    )


def build_apdu(frame):
    """The general-signing APDU: grouping header, payload and signature field."""
    if frame.raw is not None:
        return frame.raw[frame.apdu_start : frame.apdu_end]
    body = _header_and_payload(frame)
    sig = frame.signature
    if sig is None:
        return body
    if len(sig) not in (0, SIGNATURE_LENGTH):
        raise EncodeError("signature must be 0 or 64 octets")
    return body + bytes((len(sig),)) + bytes(sig)


def mac_aad(apdu):
    """The additional data a GBCS MAC covers: security header, one 0x00, the whole APDU."""
    return _SECURITY_HEADER + b"\x00" + apdu


def wrap_mac(apdu, mac):
    """Put a general-signing APDU and its 12-octet MAC inside the MAC header."""
    if len(mac) != MAC_LENGTH:
        raise EncodeError("MAC must be 12 octets")
    rest = len(_SECURITY_HEADER) + len(apdu) + MAC_LENGTH
    return b"\xdd\x00\x00\x00\x00\x00\x00" + length_bytes(rest) + _SECURITY_HEADER + apdu + mac


def build(frame):
    """The whole frame as bytes, from its fields (a parsed frame's raw bytes are not reused)."""
    raw = frame.raw
    frame.raw = None
    try:
        apdu = build_apdu(frame)
    finally:
        frame.raw = raw
    if frame.has_mac_header:
        if frame.mac is None:
            raise EncodeError("frame has a MAC header but no MAC")
        return wrap_mac(apdu, frame.mac)
    return apdu


def invalidate(frame):
    """Forget the received bytes after changing fields, so later builds use the fields."""
    frame.raw = None
