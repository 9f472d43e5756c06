"""xDLMS APDUs as GBCS uses them: Access-Request, Access-Response, Data-Notification.

parse_payload(bytes) dispatches on the first octet (0xD9 / 0xDA / 0x0F) and returns one of the
classes below; build_payload(obj) writes it back. A GBCS payload that is parsed and rebuilt gives
the identical octets (every DLMS payload in RTDS 4.5.0 does). Data values are the (tag, value)
pairs of smets.wire.dlms_axdr (imported here as axdr).

Layouts (IEC 62056-5-3 xDLMS, A-XDR; see ../shared/spec/SMETS-GBCS.md §3.4):

    Access-Request     D9 invoke(4) date-time(00 | 0C+12)
                       count { spec } count { Data }
    Access-Response    DA invoke(4) date-time  optional-request-specs(00 | 01 count { spec })
                       count { Data }  count { kind(1|2|3) result }
    Data-Notification  0F invoke(4) date-time  Data
    spec               kind: 1 get, 2 set, 3 action (class(2) OBIS(6) attribute or method(1)),
                       4 get / 5 set with selection: ... selector(1) Data (access parameters)

Encrypted GBCS reads (get_protected_attributes responses) and encrypted alerts carry a
protection-parameters array followed by an octet string "31 00000000 | ciphertext | tag(12)";
protected_parts() and replace_protected_content() reach into that without doing any cryptography
(that is security/).

Readable forms (to_json, describe, the names of spec kinds and results) are in
smets.wire.dlms_text, which a device never imports: on a board each string constant and function of
an imported module takes heap.
"""

from smets.compat import const, hex_text, int_from_be, int_to_be
from smets.wire import dlms_axdr as axdr
from smets.wire.errors import DecodeError, EncodeError

TAG_ACCESS_REQUEST = const(0xD9)
TAG_ACCESS_RESPONSE = const(0xDA)
TAG_DATA_NOTIFICATION = const(0x0F)

# Access-Request-Specification / Access-Response-Specification choices.
GET = const(1)
SET = const(2)
ACTION = const(3)
GET_WITH_SELECTION = const(4)
SET_WITH_SELECTION = const(5)

# Long-Invoke-Id-And-Priority: bits 0-23 invoke id, 28 self-descriptive, 29 processing option
# (1 = break on error), 30 service class (1 = confirmed), 31 priority (1 = high). RTDS always
# has 0x20 in the top octet.
INVOKE_ID_MASK = const(0xFFFFFF)
BREAK_ON_ERROR = const(0x20000000)


class Spec:
    """One access request specification.

    kind: GET, SET, ACTION, GET_WITH_SELECTION or SET_WITH_SELECTION; class_id: COSEM class;
    instance: 6 OBIS octets; member: attribute id (get/set) or method id (action);
    selector / selection: the access selector (int) and its parameters (a Data value), only for
    the *_WITH_SELECTION kinds (None otherwise).
    """

    __slots__ = ("kind", "class_id", "instance", "member", "selector", "selection")

    def __init__(self, kind, class_id, instance, member, selector=None, selection=None):
        self.kind = kind
        self.class_id = class_id
        self.instance = instance
        self.member = member
        self.selector = selector
        self.selection = selection

    def _key(self):
        return (self.kind, self.class_id, bytes(self.instance), self.member, self.selector, self.selection)

    def __eq__(self, other):
        return isinstance(other, Spec) and self._key() == other._key()

    def __ne__(self, other):
        return not self.__eq__(other)


class AccessRequest:
    """0xD9: invoke_id (the 32-bit long-invoke-id-and-priority), date_time (None or 12 octets),
    specs (list of Spec), data (list of Data values, one per spec; null-data for gets)."""

    __slots__ = ("invoke_id", "date_time", "specs", "data")
    tag = TAG_ACCESS_REQUEST

    def __init__(self, invoke_id, specs, data, date_time=None):
        self.invoke_id = invoke_id
        self.date_time = date_time
        self.specs = specs
        self.data = data

    def _key(self):
        return (self.invoke_id, self.date_time, self.specs, self.data)

    def __eq__(self, other):
        return isinstance(other, AccessRequest) and self._key() == other._key()

    def __ne__(self, other):
        return not self.__eq__(other)


class AccessResponse:
    """0xDA: invoke_id, date_time, data (list of Data values), results (list of (kind, result)
    with kind GET/SET/ACTION and a Data-Access-Result or Action-Result code), and specs: the
    optional echoed request specifications (None when absent, as in all of RTDS)."""

    __slots__ = ("invoke_id", "date_time", "specs", "data", "results")
    tag = TAG_ACCESS_RESPONSE

    def __init__(self, invoke_id, data, results, date_time=None, specs=None):
        self.invoke_id = invoke_id
        self.date_time = date_time
        self.specs = specs
        self.data = data
        self.results = results

    def _key(self):
        return (self.invoke_id, self.date_time, self.specs, self.data, self.results)

    def __eq__(self, other):
        return isinstance(other, AccessResponse) and self._key() == other._key()

    def __ne__(self, other):
        return not self.__eq__(other)


class DataNotification:
    """0x0F: invoke_id, date_time, body (one Data value; in GBCS alerts a structure of alert code
    (long-unsigned), 12-octet timestamp (octet-string) and any alert-specific members)."""

    __slots__ = ("invoke_id", "date_time", "body")
    tag = TAG_DATA_NOTIFICATION

    def __init__(self, invoke_id, body, date_time=None):
        self.invoke_id = invoke_id
        self.date_time = date_time
        self.body = body

    def _key(self):
        return (self.invoke_id, self.date_time, self.body)

    def __eq__(self, other):
        return isinstance(other, DataNotification) and self._key() == other._key()

    def __ne__(self, other):
        return not self.__eq__(other)

    def alert_code(self):
        """The alert code of a GBCS alert body (first member, long-unsigned), or None."""
        body = self.body
        if body[0] == axdr.T_STRUCTURE and body[1] and body[1][0][0] == axdr.T_LONG_UNSIGNED:
            return body[1][0][1]
        return None

    def timestamp(self):
        """The 12-octet timestamp of a GBCS alert body (second member), or None."""
        body = self.body
        if body[0] == axdr.T_STRUCTURE and len(body[1]) > 1:
            tag, value = body[1][1]
            if tag in (axdr.T_OCTET_STRING, axdr.T_DATE_TIME) and len(value) == 12:
                return value
        return None


def invoke_id_number(invoke_id):
    """The 24-bit invoke id inside a long-invoke-id-and-priority."""
    return invoke_id & INVOKE_ID_MASK


# ---- parse ---------------------------------------------------------------------------------


def _need(buf, pos, n, end, what):
    if pos + n > end:
        raise DecodeError("truncated %s (need %d octets, have %d)" % (what, n, end - pos), pos)


def _header(buf, end):
    _need(buf, 1, 5, end, "long-invoke-id-and-priority and date-time")
    invoke_id = int_from_be(buf[1:5])
    n = buf[5]
    if n == 0:
        return invoke_id, None, 6
    if n != 12:
        raise DecodeError("date-time length must be 0 or 12, found %d" % n, 5)
    _need(buf, 6, 12, end, "date-time")
    return invoke_id, bytes(buf[6:18]), 18


def _parse_specs(buf, pos, end):
    count, pos = axdr.read_length(buf, pos, end, "list of access request specifications")
    if count > end - pos:
        raise DecodeError("%d request specifications cannot fit" % count, pos)
    specs = []
    for _ in range(count):
        _need(buf, pos, 10, end, "access request specification")
        kind = buf[pos]
        if not GET <= kind <= SET_WITH_SELECTION:
            raise DecodeError("unknown access request specification %d" % kind, pos)
        spec = Spec(kind, (buf[pos + 1] << 8) | buf[pos + 2], bytes(buf[pos + 3 : pos + 9]), buf[pos + 9])
        pos += 10
        if kind >= GET_WITH_SELECTION:
            _need(buf, pos, 1, end, "access selector")
            spec.selector = buf[pos]
            spec.selection, pos = axdr.decode(buf, pos + 1, end)
        specs.append(spec)
    return specs, pos


def _parse_data_list(buf, pos, end, what):
    count, pos = axdr.read_length(buf, pos, end, what)
    if count > end - pos:
        raise DecodeError("%s: %d values cannot fit in %d octets" % (what, count, end - pos), pos)
    values = []
    for _ in range(count):
        v, pos = axdr.decode(buf, pos, end)
        values.append(v)
    return values, pos


def parse_payload(payload):
    """Parse a DLMS payload (Access-Request, Access-Response or Data-Notification)."""
    buf = bytes(payload)
    end = len(buf)
    if end == 0:
        raise DecodeError("empty DLMS payload", 0)
    tag = buf[0]
    if tag not in (TAG_ACCESS_REQUEST, TAG_ACCESS_RESPONSE, TAG_DATA_NOTIFICATION):
        raise DecodeError("not a DLMS payload: first octet 0x%02X" % tag, 0)
    invoke_id, date_time, pos = _header(buf, end)
    if tag == TAG_DATA_NOTIFICATION:
        body, pos = axdr.decode(buf, pos, end)
        obj = DataNotification(invoke_id, body, date_time)
    elif tag == TAG_ACCESS_REQUEST:
        specs, pos = _parse_specs(buf, pos, end)
        data, pos = _parse_data_list(buf, pos, end, "list of data")
        if len(data) != len(specs):
            raise DecodeError("%d data values for %d request specifications" % (len(data), len(specs)), pos)
        obj = AccessRequest(invoke_id, specs, data, date_time)
    else:
        _need(buf, pos, 1, end, "access request specification presence flag")
        flag = buf[pos]
        specs = None
        if flag == 1:
            specs, pos = _parse_specs(buf, pos + 1, end)
        elif flag == 0:
            pos += 1
        else:
            raise DecodeError("optional-field flag must be 0 or 1, found %d" % flag, pos)
        data, pos = _parse_data_list(buf, pos, end, "list of access response data")
        count, pos = axdr.read_length(buf, pos, end, "list of access response specifications")
        _need(buf, pos, 2 * count, end, "access response specifications")
        results = []
        for _ in range(count):
            kind = buf[pos]
            if not GET <= kind <= ACTION:
                raise DecodeError("unknown access response specification %d" % kind, pos)
            results.append((kind, buf[pos + 1]))
            pos += 2
        obj = AccessResponse(invoke_id, data, results, date_time, specs)
    if pos != end:
        raise DecodeError("%d unexpected octets after the DLMS APDU" % (end - pos), pos)
    return obj


# ---- build ---------------------------------------------------------------------------------


def _build_header(tag, obj, out):
    invoke_id = obj.invoke_id
    if not isinstance(invoke_id, int) or not 0 <= invoke_id <= 0xFFFFFFFF:
        raise EncodeError("long-invoke-id-and-priority out of range: %r" % (invoke_id,))
    out.append(bytes((tag,)))
    out.append(int_to_be(invoke_id, 4))
    dt = obj.date_time
    if dt is None:
        out.append(b"\x00")
    elif len(dt) == 12:
        out.append(b"\x0c")
        out.append(bytes(dt))
    else:
        raise EncodeError("date-time must be None or 12 octets")


def _u8(value, what):
    if not isinstance(value, int) or not 0 <= value <= 0xFF:
        raise EncodeError("%s out of range: %r" % (what, value))
    return value


def _build_specs(specs, out):
    out.append(axdr.length_bytes(len(specs)))
    for s in specs:
        kind = s.kind
        if not isinstance(kind, int) or not GET <= kind <= SET_WITH_SELECTION:
            raise EncodeError("unknown access request specification %r" % (kind,))
        if not isinstance(s.class_id, int) or not 0 <= s.class_id <= 0xFFFF:
            raise EncodeError("class id out of range: %r" % (s.class_id,))
        if s.instance is None or len(s.instance) != 6:
            raise EncodeError("instance id must be 6 octets")
        out.append(bytes((kind, s.class_id >> 8, s.class_id & 0xFF)))
        out.append(bytes(s.instance))
        out.append(bytes((_u8(s.member, "attribute/method id"),)))
        if kind >= GET_WITH_SELECTION:
            if s.selection is None:
                raise EncodeError("a with-selection specification needs access parameters")
            out.append(bytes((_u8(s.selector, "access selector"),)))
            axdr.encode_into(s.selection, out)
        elif s.selector is not None or s.selection is not None:
            raise EncodeError("selective access needs GET_WITH_SELECTION or SET_WITH_SELECTION")


def _build_data_list(values, out):
    out.append(axdr.length_bytes(len(values)))
    for v in values:
        axdr.encode_into(v, out)


def build_payload(obj):
    """The octets of an AccessRequest, AccessResponse or DataNotification. Raises EncodeError."""
    out = []
    if isinstance(obj, DataNotification):
        _build_header(TAG_DATA_NOTIFICATION, obj, out)
        axdr.encode_into(obj.body, out)
    elif isinstance(obj, AccessRequest):
        if len(obj.data) != len(obj.specs):
            raise EncodeError(
                "%d data values for %d request specifications" % (len(obj.data), len(obj.specs))
            )
        _build_header(TAG_ACCESS_REQUEST, obj, out)
        _build_specs(obj.specs, out)
        _build_data_list(obj.data, out)
    elif isinstance(obj, AccessResponse):
        _build_header(TAG_ACCESS_RESPONSE, obj, out)
        if obj.specs is None:
            out.append(b"\x00")
        else:
            out.append(b"\x01")
            _build_specs(obj.specs, out)
        _build_data_list(obj.data, out)
        out.append(axdr.length_bytes(len(obj.results)))
        for kind, result in obj.results:
            if kind not in (GET, SET, ACTION):
                raise EncodeError("unknown access response specification %r" % (kind,))
            out.append(bytes((kind, _u8(result, "result"))))
    else:
        raise EncodeError("not a DLMS APDU: %r" % (obj,))
    return b"".join(out)


# ---- GBCS protected data (data-protection, get_protected_attributes) -------------------------
#
# protection parameters = array [ structure [ enum protection type (2 = authentication and
#     encryption), structure [ transaction id (octet-string), originator system title,
#     recipient system title, other information, key info = structure [ enum key info type
#     (2 = agreed key), structure [ key parameters (octet-string 02 = C(0e, 2s ECC CDH)),
#     key ciphered data (empty) ] ] ] ] ]
# protected content = octet-string: security header (31 00000000) | ciphertext | tag (12)
#
# A get_protected_attributes response holds structure [ parameters, content ] in its data list; an
# encrypted alert holds parameters and content as the third and fourth members of its body.

PROTECTION_AUTHENTICATED_ENCRYPTED = const(2)
KEY_INFO_AGREED = const(2)
KEY_PARAMETERS_ECC_CDH_1E2S = b"\x02"  # C(0e, 2s ECC CDH)
PROTECTED_SECURITY_HEADER = b"\x31\x00\x00\x00\x00"
SECURITY_HEADER_LENGTH = const(5)
GCM_TAG_LENGTH = const(12)
DATA_PROTECTION_CLASS = const(30)
GET_PROTECTED_ATTRIBUTES = const(1)


def transaction_id(counter):
    """The GBCS transaction id octets for an originator counter: 0x04 followed by 8 octets."""
    return b"\x04" + int_to_be(counter, 8)


def transaction_counter(tid):
    """The originator counter in a GBCS transaction id (0x04 + 8 octets)."""
    if len(tid) != 9 or tid[0] != 0x04:
        raise DecodeError("transaction id is not 04 + 8 octets: %s" % hex_text(tid), 0)
    return int_from_be(tid[1:])


def protection_parameters(tid, originator, recipient, other_information=b""):
    """The protection-parameters array GBCS uses (authenticated encryption, agreed key)."""
    oct_ = axdr.T_OCTET_STRING
    key_info = (
        axdr.T_STRUCTURE,
        [
            (axdr.T_ENUM, KEY_INFO_AGREED),
            (axdr.T_STRUCTURE, [(oct_, KEY_PARAMETERS_ECC_CDH_1E2S), (oct_, b"")]),
        ],
    )
    options = (
        axdr.T_STRUCTURE,
        [
            (oct_, bytes(tid)),
            (oct_, bytes(originator)),
            (oct_, bytes(recipient)),
            (oct_, other_information),
            key_info,
        ],
    )
    element = (axdr.T_STRUCTURE, [(axdr.T_ENUM, PROTECTION_AUTHENTICATED_ENCRYPTED), options])
    return (axdr.T_ARRAY, [element])


def protected_structure(tid, originator, recipient, content):
    """The structure [protection parameters, protected content] of a get_protected_attributes
    response; content is security header | ciphertext | tag."""
    return (
        axdr.T_STRUCTURE,
        [protection_parameters(tid, originator, recipient), (axdr.T_OCTET_STRING, bytes(content))],
    )


def _members(value, tag, count):
    # The members of a (tag, list) value with exactly count members, else None.
    if not isinstance(value, tuple) or len(value) != 2 or value[0] != tag:
        return None
    items = value[1]
    if not isinstance(items, list) or len(items) != count:
        return None
    return items


def _of(value, tag):
    # The value of a scalar (tag, value) pair with that tag, else None.
    if isinstance(value, tuple) and len(value) == 2 and value[0] == tag:
        return value[1]
    return None


def protection_fields(params):
    """Decode a protection-parameters array (request or response) into a dict:
    protection_type, transaction_id, originator, recipient, other_information, key_info_type,
    key_parameters, key_ciphered_data (the last two None unless the key info is an agreed key).
    Raises DecodeError (offset None) when the shape is not the GBCS one."""
    bad = DecodeError("not a GBCS protection-parameters array")
    items = _members(params, axdr.T_ARRAY, 1)
    element = _members(items[0], axdr.T_STRUCTURE, 2) if items else None
    opts = _members(element[1], axdr.T_STRUCTURE, 5) if element else None
    if opts is None or _of(element[0], axdr.T_ENUM) is None:
        raise bad
    octets = []
    for i in range(4):
        v = _of(opts[i], axdr.T_OCTET_STRING)
        if v is None:
            raise bad
        octets.append(v)
    key_info = _members(opts[4], axdr.T_STRUCTURE, 2)
    key_type = _of(key_info[0], axdr.T_ENUM) if key_info else None
    if key_type is None:
        raise bad
    kparams = kdata = None
    if key_type == KEY_INFO_AGREED:
        agreed = _members(key_info[1], axdr.T_STRUCTURE, 2)
        if agreed is None:
            raise bad
        kparams = _of(agreed[0], axdr.T_OCTET_STRING)
        kdata = _of(agreed[1], axdr.T_OCTET_STRING)
        if kparams is None or kdata is None:
            raise bad
    return {
        "protection_type": element[0][1],
        "transaction_id": octets[0],
        "originator": octets[1],
        "recipient": octets[2],
        "other_information": octets[3],
        "key_info_type": key_type,
        "key_parameters": kparams,
        "key_ciphered_data": kdata,
    }


def _is_params(v):
    # An array of one structure whose first member is an enum: the protection-parameters shape.
    if v[0] != axdr.T_ARRAY or len(v[1]) != 1:
        return False
    e = v[1][0]
    return e[0] == axdr.T_STRUCTURE and len(e[1]) == 2 and e[1][0][0] == axdr.T_ENUM


def _find_in(values):
    for i in range(len(values) - 1):
        if _is_params(values[i]) and values[i + 1][0] == axdr.T_OCTET_STRING:
            return values, i
    return None


def find_protected(obj):
    """(list, index) such that list[index] is the protection parameters and list[index + 1] the
    protected content octet string, searching an AccessResponse's data (each value or its
    structure members), a DataNotification body, or a Data value; None if there is none."""
    if isinstance(obj, AccessResponse):
        candidates = obj.data
    elif isinstance(obj, DataNotification):
        candidates = [obj.body]
    elif isinstance(obj, tuple):
        candidates = [obj]
    else:
        candidates = []
    for v in candidates:
        if v[0] == axdr.T_STRUCTURE:
            found = _find_in(v[1])
            if found is not None:
                return found
    return None


def protected_parts(obj):
    """(transaction_id, originator_title, recipient_title, security_header, ciphertext_and_tag)
    of the protected content in obj, or None if obj holds none. transaction_id is the raw octet
    string (see transaction_counter()); the security header is the first 5 content octets."""
    found = find_protected(obj)
    if found is None:
        return None
    values, i = found
    fields = protection_fields(values[i])
    content = values[i + 1][1]
    if len(content) < SECURITY_HEADER_LENGTH + GCM_TAG_LENGTH:
        raise DecodeError("protected content of %d octets is shorter than header and tag" % len(content))
    return (
        fields["transaction_id"],
        fields["originator"],
        fields["recipient"],
        content[:SECURITY_HEADER_LENGTH],
        content[SECURITY_HEADER_LENGTH:],
    )


def replace_protected_content(obj, ciphertext_and_tag, security_header=PROTECTED_SECURITY_HEADER):
    """Put new ciphertext (and tag) into obj's protected content, in place; returns obj."""
    found = find_protected(obj)
    if found is None:
        raise EncodeError("no protected content to replace")
    if len(security_header) != SECURITY_HEADER_LENGTH:
        raise EncodeError("security header must be 5 octets")
    values, i = found
    values[i + 1] = (axdr.T_OCTET_STRING, bytes(security_header) + bytes(ciphertext_and_tag))
    return obj


# ---- future-dated alert payload (alert 0x8F66 and friends) ---------------------------------


def unpack_future_dated(octets):
    """(message_code, originator_counter, class_id, instance, attribute_id) of the 19-octet
    future-dated alert payload octet string."""
    if len(octets) != 19:
        raise DecodeError("future-dated payload must be 19 octets, not %d" % len(octets), 0)
    return (
        (octets[0] << 8) | octets[1],
        int_from_be(octets[2:10]),
        (octets[10] << 8) | octets[11],
        bytes(octets[12:18]),
        octets[18],
    )


def pack_future_dated(message_code, counter, class_id, instance, attribute_id):
    if len(instance) != 6:
        raise EncodeError("instance id must be 6 octets")
    return (
        bytes((message_code >> 8, message_code & 0xFF))
        + int_to_be(counter, 8)
        + bytes((class_id >> 8, class_id & 0xFF))
        + bytes(instance)
        + bytes((attribute_id,))
    )
