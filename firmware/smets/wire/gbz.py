"""GBZ payloads (GSME and GPF use cases): components carrying ZCL frames, alerts, encrypted components.

Layout (GBCS; ../shared/spec/SMETS-GBCS.md §3.4, checked on every GBZ frame of RTDS 4.5.0):

    01 09                        profile ID
    count                        number of GBZ use-case-specific components
    [alert code (2, BE)  time (4, BE, seconds since 2000-01-01)  alert body]     alerts only
    component*:
        control                  bit 0 last component, bit 1 encrypted, bit 4 from-date-time present
        cluster ID (2, BE)
        length (2, BE)           of everything after it in this component
        [from date-time (4, BE)]                              control bit 4
        [additional header control (1), frame counter (1)]    control bit 1
        ZCL header: frame control, [manufacturer code (2, LE)], sequence number, command ID
        plain:     ZCL payload (rest of the component)
        encrypted: ciphered information length (2, BE), then the protected content
                   31 00000000 || ciphertext || 12-octet tag (security/ opens and seals it)

The alert body depends on the alert code: 0x8F66/0x8F67 (future-dated command actioned or not)
carry 0E, message code, originator counter, cluster, frame control and command ID; 0x8F0A (billing
data log updated) carries components; the rest carry raw octets (e.g. 81A0's 2-octet other info).
A payload is an alert when the octet after the count has bit 7 set (alert codes are 0x80xx-0x8Fxx;
a component control octet never sets it); `parse_payload(..., alert=True/False)` overrides that.

ZCL payloads stay octets in `Component.payload`; `Component.command()` decodes them into a
`ZclCommand` (general commands: attribute records with ZCL data types; cluster commands: the
layouts in zcl_names.py), and `Component.set_command()` writes one back. Nested ZCL values
(arrays, structures) are walked with explicit stacks, never recursion. Big-endian in the GBZ
headers, little-endian inside ZCL, as on the wire.
"""

from smets.compat import const, hex_text
from smets.timeutil import civil_from_days
from smets.wire import zcl_names
from smets.wire.errors import DecodeError, EncodeError

PROFILE_ID = const(0x0109)

CTRL_LAST = const(0x01)
CTRL_ENCRYPTED = const(0x02)
CTRL_FROM_DATE_TIME = const(0x10)

FC_CLUSTER_SPECIFIC = const(0x01)
FC_MANUFACTURER = const(0x04)
FC_SERVER_TO_CLIENT = const(0x08)
FC_DISABLE_DEFAULT_RESPONSE = const(0x10)

ALERT_BILLING_DATA_LOG_UPDATED = const(0x8F0A)
ALERT_FUTURE_DATED_OK = const(0x8F66)
ALERT_FUTURE_DATED_FAILED = const(0x8F67)
_FUTURE_DATED_BODY_LENGTH = const(14)

SECURITY_HEADER_LENGTH = const(5)  # 31 and a 4-octet invocation counter
TAG_LENGTH = const(12)

_MAX_VALUE_DEPTH = const(8)


class _Obj:
    """Ordered (key, value) pairs for to_json."""

    __slots__ = ("items",)

    def __init__(self, items):
        self.items = items

    def _json(self):
        return self.items


# ---- structures ------------------------------------------------------------------------------


class Component:
    """One GBZ use-case-specific component: extended header, ZCL header, ZCL payload.

    Plain: `payload` holds the ZCL payload octets and `protected` is None.
    Encrypted (control bit 1): `protected` holds 31 00000000 || ciphertext || tag, `payload` is
    None, and `additional_control`/`frame_counter` hold the additional header.
    `from_date_time` is the UTC seconds value when control bit 4 is set, else None.
    `manufacturer_code` is set exactly when frame control bit 2 is.
    """

    __slots__ = (
        "control",
        "cluster_id",
        "from_date_time",
        "frame_control",
        "manufacturer_code",
        "sequence",
        "command_id",
        "payload",
        "additional_control",
        "frame_counter",
        "protected",
    )

    def __init__(
        self,
        cluster_id,
        command_id,
        payload=b"",
        frame_control=0,
        sequence=0,
        control=0,
        from_date_time=None,
        manufacturer_code=None,
    ):
        self.control = control
        self.cluster_id = cluster_id
        self.from_date_time = from_date_time
        self.frame_control = frame_control
        self.manufacturer_code = manufacturer_code
        self.sequence = sequence
        self.command_id = command_id
        self.payload = payload
        self.additional_control = None
        self.frame_counter = None
        self.protected = None

    def __repr__(self):
        return "Component(cluster=0x%04X, fc=0x%02X, seq=%d, cmd=0x%02X, %s)" % (
            self.cluster_id,
            self.frame_control,
            self.sequence,
            self.command_id,
            "encrypted" if self.protected is not None else "%d octets" % len(self.payload),
        )

    def is_last(self):
        return bool(self.control & CTRL_LAST)

    def is_encrypted(self):
        return bool(self.control & CTRL_ENCRYPTED)

    def is_cluster_specific(self):
        return bool(self.frame_control & FC_CLUSTER_SPECIFIC)

    def direction(self):
        """0 client to server, 1 server to client (ZCL frame control bit 3)."""
        return (self.frame_control >> 3) & 1

    def name(self):
        return zcl_names.command_name(self.cluster_id, self.frame_control, self.command_id)

    # -- encrypted content, for security/ --

    def _need_protected(self):
        if self.protected is None:
            raise DecodeError("component is not encrypted", None)
        return self.protected

    def security_header(self):
        """The 5 octets 31 00000000 in front of the ciphertext."""
        return self._need_protected()[:SECURITY_HEADER_LENGTH]

    def invocation_counter(self):
        p = self._need_protected()
        return int.from_bytes(p[1:SECURITY_HEADER_LENGTH], "big")

    def ciphertext(self):
        p = self._need_protected()
        return p[SECURITY_HEADER_LENGTH : len(p) - TAG_LENGTH]

    def auth_tag(self):
        p = self._need_protected()
        return p[len(p) - TAG_LENGTH :]

    def set_protected(self, content, additional_control=0, frame_counter=0):
        """Make this component encrypted with protected content 31 00000000 || ciphertext || tag."""
        content = bytes(content)
        if len(content) < SECURITY_HEADER_LENGTH + TAG_LENGTH:
            raise EncodeError("protected content must hold the security header and a 12-octet tag")
        self.protected = content
        self.payload = None
        self.additional_control = additional_control
        self.frame_counter = frame_counter
        self.control |= CTRL_ENCRYPTED

    def set_plaintext(self, payload):
        """Make this component plain with this ZCL payload (e.g. after decryption)."""
        self.payload = bytes(payload)
        self.protected = None
        self.additional_control = None
        self.frame_counter = None
        self.control &= ~CTRL_ENCRYPTED & 0xFF

    # -- ZCL payload --

    def command(self):
        """The ZCL payload decoded (ZclCommand), or None when its layout is not known.

        Raises DecodeError when the payload does not fit its layout (offsets count from the start
        of the ZCL payload), or when the component is encrypted."""
        if self.payload is None:
            raise DecodeError("component is encrypted: decrypt it before decoding the ZCL payload", None)
        return decode_zcl(self.cluster_id, self.frame_control, self.command_id, self.payload)

    def set_command(self, cmd):
        self.payload = encode_zcl(self.cluster_id, self.frame_control, self.command_id, cmd)

    def _json(self):
        items = [
            ("control", self.control),
            ("cluster_id", self.cluster_id),
            ("cluster", zcl_names.cluster_name(self.cluster_id)),
        ]
        if self.from_date_time is not None:
            items.append(("from_date_time", self.from_date_time))
        items.append(("frame_control", self.frame_control))
        if self.manufacturer_code is not None:
            items.append(("manufacturer_code", self.manufacturer_code))
        items.append(("sequence", self.sequence))
        items.append(("command_id", self.command_id))
        items.append(("command_name", self.name()))
        if self.protected is not None:
            items.append(("additional_header_control", self.additional_control))
            items.append(("additional_header_frame_counter", self.frame_counter))
            items.append(("security_header", self.security_header()))
            items.append(("ciphertext", self.ciphertext()))
            items.append(("tag", self.auth_tag()))
        else:
            items.append(("payload", self.payload))
            try:
                cmd = self.command()
                if cmd is not None:
                    items.append(("fields", cmd))
            except DecodeError as exc:
                items.append(("payload_error", str(exc)))
        return items


class FutureDatedAlert:
    """The body of a 0x8F66/0x8F67 GBZ alert: which future-dated command was (not) actioned."""

    __slots__ = ("message_code", "originator_counter", "cluster_id", "frame_control", "command_id")

    def __init__(self, message_code, originator_counter, cluster_id, frame_control, command_id):
        self.message_code = message_code
        self.originator_counter = originator_counter
        self.cluster_id = cluster_id
        self.frame_control = frame_control
        self.command_id = command_id

    def _json(self):
        return [
            ("message_code", self.message_code),
            ("originator_counter", self.originator_counter),
            ("cluster_id", self.cluster_id),
            ("cluster", zcl_names.cluster_name(self.cluster_id)),
            ("frame_control", self.frame_control),
            ("command_id", self.command_id),
            ("command_name", zcl_names.command_name(self.cluster_id, self.frame_control, self.command_id)),
        ]


class Gbz:
    """A GBZ payload. `alert_code` is None for commands and responses.

    `count` is the component-count octet as sent (None: use len(components) when building); for an
    alert it need not match `components` (GCA/GNCA send 0, the 81A0 alert counts its other info).
    `alert_body`: None, a FutureDatedAlert, or raw octets after the alert header; an 0x8F0A alert
    carries `components` instead.
    """

    __slots__ = ("components", "count", "alert_code", "timestamp", "alert_body")

    def __init__(self, components=None, alert_code=None, timestamp=None, alert_body=None, count=None):
        self.components = components if components is not None else []
        self.count = count
        self.alert_code = alert_code
        self.timestamp = timestamp
        self.alert_body = alert_body

    def __repr__(self):
        if self.alert_code is not None:
            return "Gbz(alert=0x%04X, time=%d, %d components)" % (
                self.alert_code,
                self.timestamp,
                len(self.components),
            )
        return "Gbz(%d components)" % len(self.components)

    def is_alert(self):
        return self.alert_code is not None

    def other_info(self):
        """The 2-octet alert body of e.g. 0x81A0 (integrity issue) as an int, else None."""
        body = self.alert_body
        if isinstance(body, (bytes, bytearray)) and len(body) == 2:
            return (body[0] << 8) | body[1]
        return None

    def _json(self):
        items = [("profile_id", PROFILE_ID), ("count", self.count)]
        if self.alert_code is not None:
            items.append(("alert_code", self.alert_code))
            items.append(("timestamp", self.timestamp))
            items.append(("time", utc_text(self.timestamp)))
            if self.alert_body is not None:
                items.append(("alert_body", self.alert_body))
        items.append(("components", self.components))
        return items


# ---- parse -----------------------------------------------------------------------------------


def _need(data, pos, n, end, what):
    if pos + n > end:
        raise DecodeError("truncated %s (need %d octets, have %d)" % (what, n, end - pos), pos)


def _be(data, pos, n):
    v = 0
    for i in range(n):
        v = (v << 8) | data[pos + i]
    return v


def _le(data, pos, n):
    v = 0
    for i in range(n - 1, -1, -1):
        v = (v << 8) | data[pos + i]
    return v


def parse_component(data, pos, end):
    """One component at pos; returns (Component, next position)."""
    start = pos
    _need(data, pos, 5, end, "GBZ component header")
    control = data[pos]
    cluster_id = _be(data, pos + 1, 2)
    length = _be(data, pos + 3, 2)
    pos += 5
    if length > end - pos:
        raise DecodeError(
            "GBZ component length %d overruns the %d octets available" % (length, end - pos), start + 3
        )
    cend = pos + length
    from_dt = None
    if control & CTRL_FROM_DATE_TIME:
        _need(data, pos, 4, cend, "GBZ from date-time")
        from_dt = _be(data, pos, 4)
        pos += 4
    add_ctrl = frame_counter = None
    if control & CTRL_ENCRYPTED:
        _need(data, pos, 2, cend, "GBZ additional header")
        add_ctrl = data[pos]
        frame_counter = data[pos + 1]
        pos += 2
    _need(data, pos, 3, cend, "ZCL header")
    fc = data[pos]
    pos += 1
    mfr = None
    if fc & FC_MANUFACTURER:
        _need(data, pos, 4, cend, "ZCL header with manufacturer code")
        mfr = _le(data, pos, 2)
        pos += 2
    seq = data[pos]
    cmd = data[pos + 1]
    pos += 2
    comp = Component(cluster_id, cmd, None, fc, seq, control, from_dt, mfr)
    if control & CTRL_ENCRYPTED:
        _need(data, pos, 2, cend, "ciphered information length")
        clen = _be(data, pos, 2)
        if pos + 2 + clen != cend:
            raise DecodeError(
                "ciphered information length %d does not fill the component (%d octets)"
                % (clen, cend - pos - 2),
                pos,
            )
        if clen < SECURITY_HEADER_LENGTH + TAG_LENGTH:
            raise DecodeError("ciphered information too short for security header and tag", pos)
        comp.protected = bytes(data[pos + 2 : cend])
        comp.additional_control = add_ctrl
        comp.frame_counter = frame_counter
    else:
        comp.payload = bytes(data[pos:cend])
    return comp, cend


def looks_like_alert(payload):
    """True when the octet after the count is the high octet of an alert code (bit 7 set)."""
    return len(payload) > 3 and bool(payload[3] & 0x80)


def parse_payload(payload, alert=None):
    """A whole GBZ payload. alert: None to tell from the octets, or True/False (e.g. CRA flag 3)."""
    data = bytes(payload)
    end = len(data)
    _need(data, 0, 3, end, "GBZ profile ID and count")
    profile = _be(data, 0, 2)
    if profile != PROFILE_ID:
        raise DecodeError("GBZ profile ID must be 0x0109, found 0x%04X" % profile, 0)
    count = data[2]
    pos = 3
    if alert is None:
        alert = looks_like_alert(data)
    if alert:
        _need(data, pos, 6, end, "GBZ alert code and time")
        g = Gbz(None, _be(data, pos, 2), _be(data, pos + 2, 4), None, count)
        pos += 6
        code = g.alert_code
        if code == ALERT_BILLING_DATA_LOG_UPDATED and pos < end:
            while pos < end:
                comp, pos = parse_component(data, pos, end)
                g.components.append(comp)
        elif (
            (code == ALERT_FUTURE_DATED_OK or code == ALERT_FUTURE_DATED_FAILED)
            and pos < end
            and data[pos] == _FUTURE_DATED_BODY_LENGTH
        ):
            _need(data, pos + 1, _FUTURE_DATED_BODY_LENGTH, end, "future-dated alert body")
            if pos + 1 + _FUTURE_DATED_BODY_LENGTH != end:
                raise DecodeError("octets after the future-dated alert body", pos + 15)
            q = pos + 1
            g.alert_body = FutureDatedAlert(
                _be(data, q, 2), _be(data, q + 2, 8), _be(data, q + 10, 2), data[q + 12], data[q + 13]
            )
        elif pos < end:
            g.alert_body = data[pos:end]
        return g
    g = Gbz(None, None, None, None, count)
    for _ in range(count):
        if pos >= end:
            raise DecodeError("GBZ count says %d components, found %d" % (count, len(g.components)), pos)
        comp, pos = parse_component(data, pos, end)
        g.components.append(comp)
    if pos != end:
        raise DecodeError("%d octets after the %d GBZ components" % (end - pos, count), pos)
    return g


# ---- build -----------------------------------------------------------------------------------


def _u(value, n, what, little=False):
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < (1 << (8 * n)):
        raise EncodeError("%s out of range for %d octets: %r" % (what, n, value))
    out = value.to_bytes(n, "big")
    if little:
        out = bytes(reversed(out))
    return out


def build_component(comp):
    control = comp.control
    if not 0 <= control <= 0xFF:
        raise EncodeError("component control out of range")
    body = []
    if control & CTRL_FROM_DATE_TIME:
        if comp.from_date_time is None:
            raise EncodeError("control bit 4 set but no from date-time")
        body.append(_u(comp.from_date_time, 4, "from date-time"))
    elif comp.from_date_time is not None:
        raise EncodeError("from date-time given but control bit 4 clear")
    encrypted = bool(control & CTRL_ENCRYPTED)
    if encrypted != (comp.protected is not None):
        raise EncodeError("control bit 1 must be set exactly when the component holds protected content")
    if encrypted:
        body.append(_u(comp.additional_control or 0, 1, "additional header control"))
        body.append(_u(comp.frame_counter or 0, 1, "additional header frame counter"))
    fc = comp.frame_control
    body.append(_u(fc, 1, "frame control"))
    if fc & FC_MANUFACTURER:
        if comp.manufacturer_code is None:
            raise EncodeError("frame control bit 2 set but no manufacturer code")
        body.append(_u(comp.manufacturer_code, 2, "manufacturer code", True))
    elif comp.manufacturer_code is not None:
        raise EncodeError("manufacturer code given but frame control bit 2 clear")
    body.append(_u(comp.sequence, 1, "sequence number"))
    body.append(_u(comp.command_id, 1, "command ID"))
    if encrypted:
        body.append(_u(len(comp.protected), 2, "ciphered information length"))
        body.append(bytes(comp.protected))
    else:
        if comp.payload is None:
            raise EncodeError("plain component without payload")
        body.append(bytes(comp.payload))
    content = b"".join(body)
    return b"".join(
        (
            bytes((control,)),
            _u(comp.cluster_id, 2, "cluster ID"),
            _u(len(content), 2, "component length"),
            content,
        )
    )


def build_payload(g):
    """A GBZ payload's octets from its structure."""
    if not isinstance(g, Gbz):
        raise EncodeError("expected a gbz.Gbz")
    count = g.count if g.count is not None else len(g.components)
    parts = [b"\x01\x09", _u(count, 1, "component count")]
    if g.alert_code is not None:
        if g.timestamp is None:
            raise EncodeError("GBZ alert without a time")
        parts.append(_u(g.alert_code, 2, "alert code"))
        parts.append(_u(g.timestamp, 4, "alert time"))
        body = g.alert_body
        if isinstance(body, FutureDatedAlert):
            parts.append(bytes((_FUTURE_DATED_BODY_LENGTH,)))
            parts.append(_u(body.message_code, 2, "message code"))
            parts.append(_u(body.originator_counter, 8, "originator counter"))
            parts.append(_u(body.cluster_id, 2, "cluster ID"))
            parts.append(_u(body.frame_control, 1, "frame control"))
            parts.append(_u(body.command_id, 1, "command ID"))
        elif body is not None:
            if g.components:
                raise EncodeError("alert has both a raw body and components")
            parts.append(bytes(body))
    elif g.count is not None and g.count != len(g.components):
        raise EncodeError("count %d does not match %d components" % (g.count, len(g.components)))
    for comp in g.components:
        parts.append(build_component(comp))
    return b"".join(parts)


# ---- ZCL values --------------------------------------------------------------------------------


class ZclArray:
    """ZCL array, set or bag (type 0x48, 0x50, 0x51): one element type, items (None: invalid)."""

    __slots__ = ("kind", "elem_type", "items")

    def __init__(self, elem_type, items, kind=0x48):
        self.kind = kind
        self.elem_type = elem_type
        self.items = items

    def _json(self):
        return [("kind", self.kind), ("element_type", self.elem_type), ("items", self.items)]


class ZclStruct:
    """ZCL structure (type 0x4C): members as [type, value] pairs (None: invalid)."""

    __slots__ = ("members",)

    def __init__(self, members):
        self.members = members

    def _json(self):
        if self.members is None:
            return [("members", None)]
        return [("members", [_Obj([("type", t), ("value", v)]) for t, v in self.members])]


_COMPOSITE = (0x48, 0x4C, 0x50, 0x51)


def zcl_type_size(t):
    """Octets of a fixed-size ZCL type; -1 for strings and composites; None when unknown."""
    if t == 0x00 or t == 0xFF:
        return 0
    if 0x08 <= t <= 0x0F:
        return t - 0x07
    if t == 0x10 or t == 0x30:
        return 1
    if 0x18 <= t <= 0x1F:
        return t - 0x17
    if 0x20 <= t <= 0x27:
        return t - 0x1F
    if 0x28 <= t <= 0x2F:
        return t - 0x27
    if t == 0x31 or t == 0x38 or t == 0xE8 or t == 0xE9:
        return 2
    if t == 0x39 or 0xE0 <= t <= 0xE2 or t == 0xEA:
        return 4
    if t == 0x3A or t == 0xF0:
        return 8
    if t == 0xF1:
        return 16
    if t in (0x41, 0x42, 0x43, 0x44) or t in _COMPOSITE:
        return -1
    return None


def _is_int_type(t):
    return t == 0x10 or 0x18 <= t <= 0x31 or t == 0xE2 or 0xE8 <= t <= 0xEA


def _read_scalar(data, pos, end, t):
    size = zcl_type_size(t)
    if size is None:
        raise DecodeError("unknown ZCL data type 0x%02X" % t, pos)
    if size >= 0:
        _need(data, pos, size, end, "ZCL value of type 0x%02X" % t)
        if size == 0:
            return None, pos
        if _is_int_type(t):
            v = _le(data, pos, size)
            if 0x28 <= t <= 0x2F and v >= 1 << (8 * size - 1):
                v -= 1 << (8 * size)
            return v, pos + size
        return bytes(data[pos : pos + size]), pos + size
    # strings: 1-octet length (0x41, 0x42) or 2-octet LE length (0x43, 0x44); all-ones is "invalid"
    n = 1 if t in (0x41, 0x42) else 2
    _need(data, pos, n, end, "ZCL string length")
    length = _le(data, pos, n)
    pos += n
    if length == (1 << (8 * n)) - 1:
        return None, pos
    _need(data, pos, length, end, "ZCL string")
    return bytes(data[pos : pos + length]), pos + length


def _open_composite(data, pos, end, t):
    """(container, element count, next position) for an array/set/bag/structure header."""
    if t == 0x4C:
        _need(data, pos, 2, end, "ZCL structure count")
        count = _le(data, pos, 2)
        if count == 0xFFFF:
            return ZclStruct(None), 0, pos + 2
        return ZclStruct([]), count, pos + 2
    _need(data, pos, 3, end, "ZCL array header")
    et = data[pos]
    count = _le(data, pos + 1, 2)
    if count == 0xFFFF:
        return ZclArray(et, None, t), 0, pos + 3
    return ZclArray(et, [], t), count, pos + 3


def read_zcl_value(data, pos, end, t):
    """A ZCL value of data type t at pos: (value, next position). Nested values use a stack."""
    if t not in _COMPOSITE:
        return _read_scalar(data, pos, end, t)
    root, count, pos = _open_composite(data, pos, end, t)
    stack = [[root, count]]
    while stack:
        frame = stack[-1]
        if frame[1] == 0:
            stack.pop()
            continue
        frame[1] -= 1
        obj = frame[0]
        if isinstance(obj, ZclArray):
            et = obj.elem_type
        else:
            _need(data, pos, 1, end, "ZCL structure member type")
            et = data[pos]
            pos += 1
        if et in _COMPOSITE:
            if len(stack) >= _MAX_VALUE_DEPTH:
                raise DecodeError("ZCL value nested deeper than %d" % _MAX_VALUE_DEPTH, pos)
            child, n, pos = _open_composite(data, pos, end, et)
            stack.append([child, n])
            value = child
        else:
            value, pos = _read_scalar(data, pos, end, et)
        if isinstance(obj, ZclArray):
            obj.items.append(value)
        else:
            obj.members.append([et, value])
    return root, pos


def _write_scalar(out, t, value):
    size = zcl_type_size(t)
    if size is None:
        raise EncodeError("unknown ZCL data type 0x%02X" % t)
    if size == 0:
        return
    if size > 0:
        if _is_int_type(t):
            if isinstance(value, bool) or not isinstance(value, int):
                raise EncodeError("ZCL type 0x%02X needs an int, got %r" % (t, value))
            if 0x28 <= t <= 0x2F:
                if not -(1 << (8 * size - 1)) <= value < (1 << (8 * size - 1)):
                    raise EncodeError("value %d out of range for ZCL type 0x%02X" % (value, t))
                value &= (1 << (8 * size)) - 1
            out.extend(_u(value, size, "ZCL type 0x%02X value" % t, True))
        else:
            if value is None or len(value) != size:
                raise EncodeError("ZCL type 0x%02X needs %d octets" % (t, size))
            out.extend(bytes(value))
        return
    n = 1 if t in (0x41, 0x42) else 2
    if value is None:
        out.extend(b"\xff" * n)
        return
    if isinstance(value, str):
        value = value.encode()
    if len(value) >= (1 << (8 * n)) - 1:
        raise EncodeError("ZCL string too long")
    out.extend(_u(len(value), n, "string length", True))
    out.extend(bytes(value))


def _write_composite_header(out, t, obj):
    """Write the header; return the list of (type, value) children to write."""
    if t == 0x4C:
        if not isinstance(obj, ZclStruct):
            raise EncodeError("ZCL structure needs a ZclStruct")
        if obj.members is None:
            out.extend(b"\xff\xff")
            return []
        out.extend(_u(len(obj.members), 2, "structure count", True))
        return [(m[0], m[1], True) for m in obj.members]
    if not isinstance(obj, ZclArray):
        raise EncodeError("ZCL array/set/bag needs a ZclArray")
    out.append(_u(obj.elem_type, 1, "array element type")[0])
    if obj.items is None:
        out.extend(b"\xff\xff")
        return []
    out.extend(_u(len(obj.items), 2, "array count", True))
    return [(obj.elem_type, v, False) for v in obj.items]


def write_zcl_value(out, t, value):
    """Append a ZCL value of data type t to the bytearray out (explicit stack for nesting)."""
    if t not in _COMPOSITE:
        _write_scalar(out, t, value)
        return
    stack = [[_write_composite_header(out, t, value), 0]]
    while stack:
        frame = stack[-1]
        children = frame[0]
        if frame[1] == len(children):
            stack.pop()
            continue
        et, v, typed = children[frame[1]]
        frame[1] += 1
        if typed:
            out.append(_u(et, 1, "structure member type")[0])
        if et in _COMPOSITE:
            if len(stack) >= _MAX_VALUE_DEPTH:
                raise EncodeError("ZCL value nested deeper than %d" % _MAX_VALUE_DEPTH)
            stack.append([_write_composite_header(out, et, v), 0])
        else:
            _write_scalar(out, et, v)


# ---- ZCL commands ------------------------------------------------------------------------------


class Attribute:
    """An attribute record of a general command. Absent parts are None:
    Read Attributes Response: id, status, and type/value when status is 0;
    Write Attributes / Report Attributes: id, type, value;
    Write Attributes Response: status and id (id None in the single all-success status form);
    Discover Attributes Response: id, type."""

    __slots__ = ("id", "status", "type", "value")

    def __init__(self, attr_id, status=None, type_id=None, value=None):
        self.id = attr_id
        self.status = status
        self.type = type_id
        self.value = value

    def __repr__(self):
        return "Attribute(0x%04X, status=%r, type=%r, value=%r)" % (
            self.id if self.id is not None else 0xFFFF,
            self.status,
            self.type,
            self.value,
        )


class ZclCommand:
    """A decoded ZCL payload: its name and its fields as [name, value] pairs, in wire order.

    Values are ints, bytes, lists of Attribute (general commands) or, for repeated groups, lists
    of entries that are themselves lists of [name, value] pairs."""

    __slots__ = ("name", "fields", "cluster_id")

    def __init__(self, name, fields, cluster_id=None):
        self.name = name
        self.fields = fields
        self.cluster_id = cluster_id

    def __repr__(self):
        return "ZclCommand(%r, %r)" % (self.name, self.fields)

    def get(self, name, default=None):
        return _field(self.fields, name, default)

    def set(self, name, value):
        for pair in self.fields:
            if pair[0] == name:
                pair[1] = value
                return
        self.fields.append([name, value])

    def _json(self):
        items = [("name", self.name)]
        for name, value in self.fields:
            if name in ("records", "attributes"):
                value = [_attribute_json(a, self.cluster_id) for a in value]
            elif isinstance(value, list) and value and isinstance(value[0], list):
                value = [_Obj([(p[0], p[1]) for p in entry]) for entry in value]
            items.append((name, value))
        return items


def _attribute_json(a, cluster_id):
    if isinstance(a, int):  # Read Attributes: bare IDs
        return _Obj([("id", a), ("name", zcl_names.attribute_name(cluster_id, a))])
    items = []
    if a.id is not None:
        items.append(("id", a.id))
        items.append(("name", zcl_names.attribute_name(cluster_id, a.id)))
    if a.status is not None:
        items.append(("status", a.status))
        items.append(("status_name", zcl_names.status_name(a.status)))
    if a.type is not None:
        items.append(("type", a.type))
        items.append(("type_name", zcl_names.data_type_name(a.type)))
        items.append(("value", a.value))
    return _Obj(items)


_MISSING = object()


def _field(fields, name, default=_MISSING):
    if isinstance(fields, dict):
        if name in fields:
            return fields[name]
    else:
        for pair in fields:
            if pair[0] == name:
                return pair[1]
    if default is _MISSING:
        raise EncodeError("field %r missing" % name)
    return default


def _read_field(data, pos, end, typ, name):
    if typ == "u8":
        _need(data, pos, 1, end, name)
        return data[pos], pos + 1
    if typ in ("u16", "u24", "u32", "u48", "utc", "i32"):
        n = 4 if typ in ("utc", "i32") else int(typ[1:]) // 8
        _need(data, pos, n, end, name)
        v = _le(data, pos, n)
        if typ == "i32" and v >= 0x80000000:
            v -= 0x100000000
        return v, pos + n
    if typ == "date" or typ == "b7":
        n = 4 if typ == "date" else 7
        _need(data, pos, n, end, name)
        return bytes(data[pos : pos + n]), pos + n
    if typ == "oct":
        _need(data, pos, 1, end, name + " length")
        n = data[pos]
        if n == 0xFF:  # ZCL: length FF is an invalid string with no octets
            return None, pos + 1
        _need(data, pos + 1, n, end, name)
        return bytes(data[pos + 1 : pos + 1 + n]), pos + 1 + n
    if typ == "rest":
        return bytes(data[pos:end]), end
    raise DecodeError("layout type %r unknown" % typ, pos)


def _write_field(out, typ, value, name):
    if typ == "u8":
        out.extend(_u(value, 1, name))
    elif typ in ("u16", "u24", "u32", "u48", "utc"):
        n = 4 if typ == "utc" else int(typ[1:]) // 8
        out.extend(_u(value, n, name, True))
    elif typ == "i32":
        if isinstance(value, bool) or not isinstance(value, int) or not -(1 << 31) <= value < (1 << 31):
            raise EncodeError("%s out of range for INT32: %r" % (name, value))
        out.extend(_u(value & 0xFFFFFFFF, 4, name, True))
    elif typ == "date" or typ == "b7":
        n = 4 if typ == "date" else 7
        if value is None or len(value) != n:
            raise EncodeError("%s must be %d octets" % (name, n))
        out.extend(bytes(value))
    elif typ == "oct":
        if value is None:
            out.append(0xFF)
            return
        if isinstance(value, str):
            value = value.encode()
        if len(value) > 0xFE:
            raise EncodeError("%s must be 0..254 octets" % name)
        out.append(len(value))
        out.extend(bytes(value))
    elif typ == "rest":
        out.extend(bytes(value))
    else:
        raise EncodeError("layout type %r unknown" % typ)


def _decode_layout(layout, data, pos, end):
    fields = []
    for item in layout:
        name = item[0]
        typ = item[1]
        if typ != "*":
            value, pos = _read_field(data, pos, end, typ, name)
            fields.append([name, value])
            continue
        groups = []
        while pos < end:
            entry = []
            prev = 0
            for sname, styp in item[2]:
                if styp == "u48*lo":
                    value = []
                    for _ in range(prev & 0x0F):
                        v, pos = _read_field(data, pos, end, "u48", sname)
                        value.append(v)
                else:
                    value, pos = _read_field(data, pos, end, styp, sname)
                entry.append([sname, value])
                prev = value
            groups.append(entry)
        fields.append([name, groups])
    if pos < end:
        fields.append(["trailing", bytes(data[pos:end])])
    return fields


def _encode_layout(layout, fields):
    out = bytearray()
    for item in layout:
        name = item[0]
        typ = item[1]
        if typ != "*":
            _write_field(out, typ, _field(fields, name), name)
            continue
        for entry in _field(fields, name):
            prev = 0
            for sname, styp in item[2]:
                value = _field(entry, sname)
                if styp == "u48*lo":
                    if len(value) != prev & 0x0F:
                        raise EncodeError(
                            "%s: %d values but the count nibble says %d" % (sname, len(value), prev)
                        )
                    for v in value:
                        _write_field(out, "u48", v, sname)
                else:
                    _write_field(out, styp, value, sname)
                prev = value
    trailing = _field(fields, "trailing", None)
    if trailing:
        out.extend(bytes(trailing))
    return bytes(out)


def _decode_general(command_id, data):
    end = len(data)
    pos = 0
    if command_id == 0x00:  # Read Attributes
        if end % 2:
            raise DecodeError("Read Attributes payload has an odd length", end - 1)
        return [["attributes", [_le(data, i, 2) for i in range(0, end, 2)]]]
    if command_id == 0x01:  # Read Attributes Response
        records = []
        while pos < end:
            _need(data, pos, 3, end, "read attribute status record")
            a = Attribute(_le(data, pos, 2), data[pos + 2])
            pos += 3
            if a.status == 0:
                _need(data, pos, 1, end, "attribute data type")
                a.type = data[pos]
                a.value, pos = read_zcl_value(data, pos + 1, end, a.type)
            records.append(a)
        return [["records", records]]
    if command_id in (0x02, 0x03, 0x05, 0x0A):  # Write Attributes (3 forms), Report Attributes
        records = []
        while pos < end:
            _need(data, pos, 3, end, "attribute record")
            a = Attribute(_le(data, pos, 2), None, data[pos + 2])
            a.value, pos = read_zcl_value(data, pos + 3, end, a.type)
            records.append(a)
        return [["records", records]]
    if command_id == 0x04:  # Write Attributes Response
        if end == 1:
            return [["records", [Attribute(None, data[0])]]]
        records = []
        while pos < end:
            _need(data, pos, 3, end, "write attribute status record")
            records.append(Attribute(_le(data, pos + 1, 2), data[pos]))
            pos += 3
        return [["records", records]]
    if command_id == 0x0B:  # Default Response
        _need(data, 0, 2, end, "Default Response")
        fields = [["command_id", data[0]], ["status", data[1]]]
        if end > 2:
            fields.append(["trailing", bytes(data[2:])])
        return fields
    if command_id == 0x0C:  # Discover Attributes
        _need(data, 0, 3, end, "Discover Attributes")
        return _decode_layout((("start_attribute_id", "u16"), ("max_attribute_ids", "u8")), data, 0, end)
    if command_id == 0x0D:  # Discover Attributes Response
        _need(data, 0, 1, end, "discovery complete")
        records = []
        pos = 1
        while pos < end:
            _need(data, pos, 3, end, "attribute information")
            records.append(Attribute(_le(data, pos, 2), None, data[pos + 2]))
            pos += 3
        return [["discovery_complete", data[0]], ["records", records]]
    return None


def _encode_general(command_id, fields):
    out = bytearray()
    if command_id == 0x00:
        for a in _field(fields, "attributes"):
            out.extend(_u(a, 2, "attribute ID", True))
    elif command_id == 0x01:
        for a in _field(fields, "records"):
            out.extend(_u(a.id, 2, "attribute ID", True))
            out.extend(_u(a.status, 1, "status"))
            if a.status == 0:
                out.extend(_u(a.type, 1, "data type"))
                write_zcl_value(out, a.type, a.value)
    elif command_id in (0x02, 0x03, 0x05, 0x0A):
        for a in _field(fields, "records"):
            out.extend(_u(a.id, 2, "attribute ID", True))
            out.extend(_u(a.type, 1, "data type"))
            write_zcl_value(out, a.type, a.value)
    elif command_id == 0x04:
        records = _field(fields, "records")
        if len(records) == 1 and records[0].id is None:
            out.extend(_u(records[0].status, 1, "status"))
        else:
            for a in records:
                out.extend(_u(a.status, 1, "status"))
                out.extend(_u(a.id, 2, "attribute ID", True))
    elif command_id == 0x0B:
        out.extend(_u(_field(fields, "command_id"), 1, "command ID"))
        out.extend(_u(_field(fields, "status"), 1, "status"))
        out.extend(bytes(_field(fields, "trailing", b"")))
    elif command_id == 0x0C:
        return _encode_layout((("start_attribute_id", "u16"), ("max_attribute_ids", "u8")), fields)
    elif command_id == 0x0D:
        out.extend(_u(_field(fields, "discovery_complete"), 1, "discovery complete"))
        for a in _field(fields, "records"):
            out.extend(_u(a.id, 2, "attribute ID", True))
            out.extend(_u(a.type, 1, "data type"))
    else:
        raise EncodeError("general command 0x%02X has no known layout" % command_id)
    return bytes(out)


def _layout(cluster_id, frame_control, command_id):
    if frame_control & FC_MANUFACTURER and frame_control & FC_CLUSTER_SPECIFIC:
        return None  # manufacturer-specific cluster commands: layout unknown
    row = zcl_names.find_command(cluster_id, (frame_control >> 3) & 1, command_id)
    return row[4] if row else None


def decode_zcl(cluster_id, frame_control, command_id, payload):
    """A ZCL payload as a ZclCommand, or None when no layout is known (keep the octets)."""
    data = bytes(payload)
    name = zcl_names.command_name(cluster_id, frame_control, command_id)
    if frame_control & 0x03 == 0:
        fields = _decode_general(command_id, data)
    elif frame_control & 0x03 == FC_CLUSTER_SPECIFIC:
        layout = _layout(cluster_id, frame_control, command_id)
        fields = _decode_layout(layout, data, 0, len(data)) if layout else None
    else:
        raise DecodeError("reserved ZCL frame type %d" % (frame_control & 0x03), 0)
    if fields is None:
        return None
    return ZclCommand(name, fields, cluster_id)


def encode_zcl(cluster_id, frame_control, command_id, cmd):
    """The ZCL payload octets of a ZclCommand (or of a dict / [name, value] list of fields)."""
    fields = cmd.fields if isinstance(cmd, ZclCommand) else cmd
    if frame_control & 0x03 == 0:
        return _encode_general(command_id, fields)
    layout = _layout(cluster_id, frame_control, command_id)
    if layout is None:
        raise EncodeError("cluster 0x%04X command 0x%02X has no known layout" % (cluster_id, command_id))
    return _encode_layout(layout, fields)


# ---- time and JSON ---------------------------------------------------------------------------


def utc_text(seconds):
    """ZigBee UTCTime (seconds since 2000-01-01) as YYYY-MM-DDTHH:MM:SSZ; FFFFFFFF is "invalid"."""
    if seconds is None:
        return None
    if seconds == 0xFFFFFFFF:
        return "invalid"
    days, rem = divmod(seconds, 86400)
    y, m, d = civil_from_days(days)
    return "%04d-%02d-%02dT%02d:%02d:%02dZ" % (y, m, d, rem // 3600, (rem // 60) % 60, rem % 60)


def to_json(obj):
    """Plain JSON-able structures (dicts, lists, ints, strings; octets as upper-case hex)."""
    root = [None]
    stack = [(obj, root, 0)]
    while stack:
        value, container, key = stack.pop()
        if isinstance(value, (bytes, bytearray)):
            container[key] = hex_text(value).upper()
        elif value is None or isinstance(value, (int, str, bool)):
            container[key] = value
        elif isinstance(value, (list, tuple)):
            out = [None] * len(value)
            container[key] = out
            for i in range(len(value)):
                stack.append((value[i], out, i))
        elif hasattr(value, "_json"):
            items = value._json()
            out = {}
            for k, _ in items:
                out[k] = None  # fixes the key order on CPython before the values are filled in
            container[key] = out
            for k, v in items:
                stack.append((v, out, k))
        elif isinstance(value, Attribute):
            container[key] = None
            stack.append((_attribute_json(value, None), container, key))
        else:
            raise EncodeError("cannot express %r as JSON" % type(value).__name__)
    return root[0]
