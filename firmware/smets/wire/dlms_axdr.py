"""A-XDR encoded DLMS Data values, and the 12-octet DLMS date-time.

A value is a 2-tuple ``(tag, value)`` with the DLMS Data tag (the T_* constants) and:

    null-data, dont-care        None
    array, structure            list of values
    boolean                     bool: 00 False, FF True (another non-zero octet decodes to its int,
                                which is truthy and encodes back unchanged)
    bit-string                  (number of bits, bytes) - unused trailing bits are kept as received
    integers, enum, bcd         int
    octet-, visible-, utf8-string  bytes (exactly as received; dlms_text.text_of() reads text)
    float32, float64            the raw 4 or 8 octets (no floats in the core)
    date-time, date, time       the raw 12, 5 or 4 octets (see datetime_unpack() and friends)
    compact-array               (type description, list of element values)

A type description (compact-array only) is a tag for a simple type, ``(T_ARRAY, count, element)``
or ``(T_STRUCTURE, [member, ...])``. Elements of a compact array are full values (tag, value) whose
tags follow the description.

Decoding and encoding walk nested values with an explicit stack, never recursion (ESP32 task stacks
are small), so arbitrarily deep input cannot overflow the C stack. Lengths and counts are A-XDR
variable-length integers (one octet below 0x80, else 0x8n and n octets), in their shortest form
only, so that whatever parses rebuilds to the identical octets.

Names of the types and readable renderings (type_name, text_of, datetime_text) are in
smets.wire.dlms_text, which a device never imports; so errors here name a type by its tag number.
"""

from smets.compat import const, int_from_be, int_to_be
from smets.timeutil import civil_from_days, days_from_civil
from smets.wire.ber import length_bytes, read_length  # noqa: F401  (re-exported)
from smets.wire.errors import DecodeError, EncodeError

T_NULL = const(0)
T_ARRAY = const(1)
T_STRUCTURE = const(2)
T_BOOLEAN = const(3)
T_BIT_STRING = const(4)
T_DOUBLE_LONG = const(5)
T_DOUBLE_LONG_UNSIGNED = const(6)
T_OCTET_STRING = const(9)
T_VISIBLE_STRING = const(10)
T_UTF8_STRING = const(12)
T_BCD = const(13)
T_INTEGER = const(15)
T_LONG = const(16)
T_UNSIGNED = const(17)
T_LONG_UNSIGNED = const(18)
T_COMPACT_ARRAY = const(19)
T_LONG64 = const(20)
T_LONG64_UNSIGNED = const(21)
T_ENUM = const(22)
T_FLOAT32 = const(23)
T_FLOAT64 = const(24)
T_DATE_TIME = const(25)
T_DATE = const(26)
T_TIME = const(27)
T_DONT_CARE = const(255)

# (tag, fixed size in octets or -1 for a length-prefixed type or -2 for a container, signed
# integer?): the codec's table of DLMS Data types (IEC 62056-6-2 / Green Book "Data" CHOICE). Their
# names are in smets.wire.dlms_text.TYPE_NAMES.
_TYPES = (
    (T_NULL, 0, False),
    (T_ARRAY, -2, False),
    (T_STRUCTURE, -2, False),
    (T_BOOLEAN, 1, False),
    (T_BIT_STRING, -1, False),
    (T_DOUBLE_LONG, 4, True),
    (T_DOUBLE_LONG_UNSIGNED, 4, False),
    (T_OCTET_STRING, -1, False),
    (T_VISIBLE_STRING, -1, False),
    (T_UTF8_STRING, -1, False),
    (T_BCD, 1, False),
    (T_INTEGER, 1, True),
    (T_LONG, 2, True),
    (T_UNSIGNED, 1, False),
    (T_LONG_UNSIGNED, 2, False),
    (T_COMPACT_ARRAY, -2, False),
    (T_LONG64, 8, True),
    (T_LONG64_UNSIGNED, 8, False),
    (T_ENUM, 1, False),
    (T_FLOAT32, 4, False),
    (T_FLOAT64, 8, False),
    (T_DATE_TIME, 12, False),
    (T_DATE, 5, False),
    (T_TIME, 4, False),
    (T_DONT_CARE, 0, False),
)

# _TYPES by tag, one octet each (256 octets where three dicts took 3 KB of a board's heap): 0 for
# an unknown tag, else the size + 3 (fixed size, or -1 / -2 as in _TYPES), with 0x80 set when
# signed. The table itself is dropped once this is built.
_info = bytearray(256)
for _t, _s, _sg in _TYPES:
    _info[_t] = (_s + 3) | (0x80 if _sg else 0)
_INFO = bytes(_info)
del _info, _TYPES, _t, _s, _sg


def _size(tag):
    """The size of a Data tag as in _TYPES, or None for an unknown tag."""
    i = _INFO[tag] if 0 <= tag < 256 else 0
    return (i & 0x7F) - 3 if i else None


# Fixed-size types whose value is kept as raw octets rather than an int.
_RAW = (T_FLOAT32, T_FLOAT64, T_DATE_TIME, T_DATE, T_TIME)
_INT_TYPES = (
    T_DOUBLE_LONG,
    T_DOUBLE_LONG_UNSIGNED,
    T_BCD,
    T_INTEGER,
    T_LONG,
    T_UNSIGNED,
    T_LONG_UNSIGNED,
    T_LONG64,
    T_LONG64_UNSIGNED,
    T_ENUM,
)
_STRINGS = (T_OCTET_STRING, T_VISIBLE_STRING, T_UTF8_STRING)


# ---- lengths -------------------------------------------------------------------------------


# read_length and length_bytes come from smets.wire.ber (shared with the frame codec).


# ---- scalar bodies ---------------------------------------------------------------------------


def _decode_body(buf, pos, end, tag):
    """Decode the body of a non-container value (the tag already read); return (value, pos)."""
    size = _size(tag)
    if size is None or size == -2:
        raise DecodeError("unknown or unsupported data tag %d (0x%02X)" % (tag, tag), pos - 1)
    if size == 0:
        return None, pos
    if size == -1:
        n, start = read_length(buf, pos, end, "bit-string" if tag == T_BIT_STRING else "string")
        count = (n + 7) >> 3 if tag == T_BIT_STRING else n
        if start + count > end:
            raise DecodeError(
                "data tag %d: %d octets run past the end (%d left)" % (tag, count, end - start), pos
            )
        octets = bytes(buf[start : start + count])
        if tag == T_BIT_STRING:
            return (n, octets), start + count
        return octets, start + count
    if pos + size > end:
        raise DecodeError("truncated data tag %d (need %d octets, have %d)" % (tag, size, end - pos), pos)
    raw = buf[pos : pos + size]
    if tag in _RAW:
        return bytes(raw), pos + size
    if tag == T_BOOLEAN:
        # 00 and FF (what RTDS sends) are False and True; any other non-zero octet means true
        # too but is kept as its int so that it rebuilds to the same octet.
        b = raw[0]
        return (False if b == 0 else True if b == 0xFF else b), pos + 1
    value = int_from_be(raw)
    if _INFO[tag] & 0x80 and value >= 1 << (8 * size - 1):
        value -= 1 << (8 * size)
    return value, pos + size


def _encode_body(tag, value, out):
    """Append the body of a non-container value (no tag) to out."""
    size = _size(tag)
    if size is None or size == -2:
        raise EncodeError("cannot encode data tag %r here" % (tag,))
    if size == 0:
        if value is not None:
            raise EncodeError("data tag %d takes no value, got %r" % (tag, value))
        return
    if tag in _STRINGS:
        if not isinstance(value, (bytes, bytearray)):
            raise EncodeError("data tag %d needs bytes, got %r" % (tag, value))
        out.append(length_bytes(len(value)))
        out.append(bytes(value))
        return
    if tag == T_BIT_STRING:
        if not isinstance(value, tuple) or len(value) != 2:
            raise EncodeError("bit-string needs (number of bits, bytes), got %r" % (value,))
        nbits, octets = value
        if not isinstance(nbits, int) or nbits < 0 or len(octets) != (nbits + 7) >> 3:
            raise EncodeError("bit-string of %r bits cannot have %d octets" % (nbits, len(octets)))
        out.append(length_bytes(nbits))
        out.append(bytes(octets))
        return
    if tag in _RAW:
        if not isinstance(value, (bytes, bytearray)) or len(value) != size:
            raise EncodeError("data tag %d needs %d octets, got %r" % (tag, size, value))
        out.append(bytes(value))
        return
    if tag == T_BOOLEAN:
        if value is True:
            out.append(b"\xff")
        elif value is False:
            out.append(b"\x00")
        elif isinstance(value, int) and 0 <= value <= 255:
            out.append(bytes((value,)))
        else:
            raise EncodeError("boolean needs True/False, got %r" % (value,))
        return
    if not isinstance(value, int) or isinstance(value, bool):
        raise EncodeError("data tag %d needs an int, got %r" % (tag, value))
    bits = 8 * size
    if _INFO[tag] & 0x80:
        lo = -(1 << (bits - 1))
        hi = (1 << (bits - 1)) - 1
    else:
        lo = 0
        hi = (1 << bits) - 1
    if value < lo or value > hi:
        raise EncodeError("data tag %d out of range: %d" % (tag, value))
    if value < 0:
        value += 1 << bits
    out.append(int_to_be(value, size))


# ---- compact-array type descriptions ---------------------------------------------------------


def _decode_description(buf, pos, end):
    """Read a compact-array type description; return (description, minimum element size, pos).

    Pending containers are lists [tag, count, members, remaining, minimum size].
    """
    stack = []
    while True:
        if pos >= end:
            raise DecodeError("compact-array type description truncated", pos)
        tag = buf[pos]
        at = pos
        pos += 1
        if tag == T_ARRAY:
            if pos + 2 > end:
                raise DecodeError("compact-array type description: truncated array count", pos)
            count = (buf[pos] << 8) | buf[pos + 1]
            pos += 2
            stack.append([T_ARRAY, count, [], 1, 0])
            continue
        if tag == T_STRUCTURE:
            n, pos = read_length(buf, pos, end, "compact-array structure description")
            if n == 0:
                raise DecodeError("compact-array type description: empty structure", at)
            if n > end - pos:
                raise DecodeError("compact-array type description: %d members cannot fit" % n, at)
            stack.append([T_STRUCTURE, n, [], n, 0])
            continue
        size = _size(tag)
        if size is None or size == -2 or size == 0:
            raise DecodeError("compact-array type description: unsupported tag %d" % tag, at)
        desc = tag
        minsize = 1 if size == -1 else size
        while True:
            if not stack:
                if minsize == 0:
                    raise DecodeError("compact-array element has no content", at)
                return desc, minsize, pos
            top = stack[-1]
            top[2].append(desc)
            top[4] += minsize
            top[3] -= 1
            if top[3]:
                break
            stack.pop()
            if top[0] == T_ARRAY:
                # count copies of the element; an element of size 0 is an empty array, which is
                # only allowed with count 0 so that contents always consume octets.
                if top[4] == 0 and top[1]:
                    raise DecodeError("compact-array description: array of empty elements", at)
                desc = (T_ARRAY, top[1], top[2][0])
                minsize = top[1] * top[4]
            else:
                desc = (T_STRUCTURE, top[2])
                minsize = top[4]


def _encode_description(desc, out):
    stack = [desc]
    while stack:
        d = stack.pop()
        if isinstance(d, int):
            size = _size(d)
            if size is None or size <= 0 and size != -1:
                raise EncodeError("compact-array description: unsupported tag %r" % (d,))
            out.append(bytes((d,)))
        elif isinstance(d, tuple) and len(d) == 3 and d[0] == T_ARRAY:
            if not 0 <= d[1] <= 0xFFFF:
                raise EncodeError("compact-array description: array count %r" % (d[1],))
            out.append(bytes((T_ARRAY, d[1] >> 8, d[1] & 0xFF)))
            stack.append(d[2])
        elif isinstance(d, tuple) and len(d) == 2 and d[0] == T_STRUCTURE and d[1]:
            out.append(bytes((T_STRUCTURE,)))
            out.append(length_bytes(len(d[1])))
            members = d[1]
            for i in range(len(members) - 1, -1, -1):
                stack.append(members[i])
        else:
            raise EncodeError("bad compact-array type description %r" % (d,))


def _decode_typed(buf, pos, end, desc):
    """Decode one compact-array element (no tags) following desc; return (value, pos).

    Frames are [output list, member descriptions or None, repeated description, index, count].
    """
    root = []
    frame = [root, None, desc, 0, 1]
    stack = []
    while True:
        d = frame[1][frame[3]] if frame[1] is not None else frame[2]
        frame[3] += 1
        if isinstance(d, int):
            v, pos = _decode_body(buf, pos, end, d)
            frame[0].append((d, v))
        else:
            items = []
            frame[0].append((d[0], items))
            if d[0] == T_ARRAY:
                child = [items, None, d[2], 0, d[1]]
            else:
                child = [items, d[1], None, 0, len(d[1])]
            if child[4]:
                stack.append(frame)
                frame = child
                continue
        while frame[3] == frame[4]:
            if not stack:
                return root[0], pos
            frame = stack.pop()


def _encode_typed(value, desc, out):
    stack = [(value, desc)]
    while stack:
        v, d = stack.pop()
        if not isinstance(v, tuple) or len(v) != 2:
            raise EncodeError("compact-array element is not a (tag, value) pair: %r" % (v,))
        if isinstance(d, int):
            if v[0] != d:
                raise EncodeError("compact-array element has tag %r, description says %d" % (v[0], d))
            _encode_body(d, v[1], out)
            continue
        if v[0] != d[0] or not isinstance(v[1], list):
            raise EncodeError("compact-array element %r does not match description %r" % (v, d))
        items = v[1]
        if d[0] == T_ARRAY:
            if len(items) != d[1]:
                raise EncodeError("compact-array element array has %d items, not %d" % (len(items), d[1]))
            for i in range(len(items) - 1, -1, -1):
                stack.append((items[i], d[2]))
        else:
            if len(items) != len(d[1]):
                raise EncodeError(
                    "compact-array element structure has %d members, not %d" % (len(items), len(d[1]))
                )
            for i in range(len(items) - 1, -1, -1):
                stack.append((items[i], d[1][i]))


def _decode_compact(buf, pos, end):
    desc, minsize, pos = _decode_description(buf, pos, end)
    n, start = read_length(buf, pos, end, "compact-array contents")
    if start + n > end:
        raise DecodeError(
            "compact-array contents of %d octets run past the end (%d left)" % (n, end - start), pos
        )
    cend = start + n
    elements = []
    p = start
    while p < cend:
        e, p = _decode_typed(buf, p, cend, desc)
        elements.append(e)
    return (desc, elements), cend


# ---- Data ----------------------------------------------------------------------------------


def decode(buf, pos=0, end=None):
    """Decode one tagged Data value at pos; return (value, next position). Raises DecodeError."""
    if end is None:
        end = len(buf)
    root = []
    cur = root
    remaining = 1
    stack = []
    while True:
        if pos >= end:
            raise DecodeError("data truncated: expected a data tag", pos)
        tag = buf[pos]
        pos += 1
        if tag == T_ARRAY or tag == T_STRUCTURE:
            at = pos
            what = "array" if tag == T_ARRAY else "structure"
            n, pos = read_length(buf, pos, end, what)
            if n > end - pos:
                raise DecodeError("%s of %d elements cannot fit in %d octets" % (what, n, end - pos), at)
            items = []
            cur.append((tag, items))
            remaining -= 1
            if n:
                stack.append((cur, remaining))
                cur = items
                remaining = n
                continue
        else:
            if tag == T_COMPACT_ARRAY:
                v, pos = _decode_compact(buf, pos, end)
            else:
                v, pos = _decode_body(buf, pos, end, tag)
            cur.append((tag, v))
            remaining -= 1
        while remaining == 0:
            if not stack:
                return root[0], pos
            cur, remaining = stack.pop()


def decode_all(buf):
    """Decode a buffer holding exactly one Data value."""
    value, pos = decode(buf, 0, len(buf))
    if pos != len(buf):
        raise DecodeError("%d unexpected octets after the data" % (len(buf) - pos), pos)
    return value


def encode_into(value, out):
    """Append the encoding of a Data value to the list out (of bytes pieces)."""
    stack = [value]
    while stack:
        v = stack.pop()
        if not isinstance(v, tuple) or len(v) != 2:
            raise EncodeError("data value must be a (tag, value) pair, got %r" % (v,))
        tag, val = v
        if not isinstance(tag, int) or not 0 <= tag <= 255:
            raise EncodeError("bad data tag %r" % (tag,))
        if tag == T_ARRAY or tag == T_STRUCTURE:
            if not isinstance(val, list):
                raise EncodeError("array or structure needs a list, got %r" % (val,))
            out.append(bytes((tag,)))
            out.append(length_bytes(len(val)))
            for i in range(len(val) - 1, -1, -1):
                stack.append(val[i])
        elif tag == T_COMPACT_ARRAY:
            if not isinstance(val, tuple) or len(val) != 2 or not isinstance(val[1], list):
                raise EncodeError("compact-array needs (description, list of elements), got %r" % (val,))
            out.append(bytes((tag,)))
            _encode_description(val[0], out)
            contents = []
            for e in val[1]:
                _encode_typed(e, val[0], contents)
            contents = b"".join(contents)
            out.append(length_bytes(len(contents)))
            out.append(contents)
        else:
            out.append(bytes((tag,)))
            _encode_body(tag, val, out)


def encode(value):
    """The A-XDR encoding of one Data value. Raises EncodeError."""
    out = []
    encode_into(value, out)
    return b"".join(out)


# ---- DLMS date-time (12 octets) ------------------------------------------------------------
#
# year(2) month day day-of-week hour minute second hundredths deviation(2, signed minutes)
# clock-status. 0xFF (0xFFFF for the year) means "not specified", and so does deviation 0x8000;
# those unpack to None. Month 0xFD/0xFE and day 0xFD/0xFE (DST end/begin, second last/last day)
# stay as ints.

DATETIME_LENGTH = const(12)
DEVIATION_UNSPECIFIED = const(0x8000)


def datetime_unpack(octets):
    """12 octets -> (year, month, day, weekday, hour, minute, second, hundredths, deviation, status).

    Not-specified fields are None; deviation is signed minutes (local time = UTC + deviation).
    """
    if len(octets) != DATETIME_LENGTH:
        raise DecodeError("date-time must be 12 octets, not %d" % len(octets), 0)
    year = (octets[0] << 8) | octets[1]
    dev = (octets[9] << 8) | octets[10]
    if dev == DEVIATION_UNSPECIFIED:
        dev = None
    elif dev >= 0x8000:
        dev -= 0x10000
    fields = [None if year == 0xFFFF else year]
    for i in range(2, 9):
        fields.append(None if octets[i] == 0xFF else octets[i])
    fields.append(dev)
    fields.append(None if octets[11] == 0xFF else octets[11])
    return tuple(fields)


def datetime_pack(fields):
    """The inverse of datetime_unpack(): a 10-tuple (None = not specified) -> 12 octets."""
    if len(fields) != 10:
        raise EncodeError("date-time needs 10 fields")
    year, month, day, wday, hour, minute, second, hundredths, dev, status = fields
    out = bytearray(12)
    year = 0xFFFF if year is None else year
    if not 0 <= year <= 0xFFFF:
        raise EncodeError("date-time year out of range: %r" % (year,))
    out[0] = year >> 8
    out[1] = year & 0xFF
    i = 2
    for v in (month, day, wday, hour, minute, second, hundredths):
        v = 0xFF if v is None else v
        if not 0 <= v <= 0xFF:
            raise EncodeError("date-time field %d out of range: %r" % (i, v))
        out[i] = v
        i += 1
    if dev is None:
        dev = DEVIATION_UNSPECIFIED
    elif -720 <= dev <= 720:
        dev &= 0xFFFF
    else:
        raise EncodeError("date-time deviation out of range: %r" % (dev,))
    out[9] = dev >> 8
    out[10] = dev & 0xFF
    status = 0xFF if status is None else status
    if not 0 <= status <= 0xFF:
        raise EncodeError("clock status out of range: %r" % (status,))
    out[11] = status
    return bytes(out)


_DAYS_1970_TO_2000 = const(10957)


def _days_from_civil(y, m, d):
    """Days since 1970-01-01 (the core's calendar counts from 2000; DLMS helpers speak Unix time)."""
    return days_from_civil(y, m, d) + _DAYS_1970_TO_2000


def _civil_from_days(z):
    return civil_from_days(z - _DAYS_1970_TO_2000)


_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def datetime_to_utc(octets):
    """Seconds since 1970-01-01T00:00:00Z of a fully specified date-time (hundredths dropped).

    A not-specified deviation is taken as UTC (GBCS times are UTC); a specified one is applied as
    local = UTC + deviation. Raises DecodeError (offset within the 12 octets) for a field that is
    not specified or out of range.
    """
    f = datetime_unpack(octets)
    year, month, day = f[0], f[1], f[2]
    limits = ((0, 1, 9999), (2, 1, 12), (3, 1, 31), (5, 0, 23), (6, 0, 59), (7, 0, 59))
    values = (year, month, day, f[4], f[5], f[6])
    for i in range(6):
        v = values[i]
        if v is None or not limits[i][1] <= v <= limits[i][2]:
            raise DecodeError("date-time field is not a usable value: %r" % (v,), limits[i][0])
    if day > _MONTH_DAYS[month - 1]:
        raise DecodeError("date-time day %d is past the end of month %d" % (day, month), 3)
    seconds = _days_from_civil(year, month, day) * 86400 + f[4] * 3600 + f[5] * 60 + f[6]
    if f[8] is not None:
        seconds -= f[8] * 60
    return seconds


def datetime_from_utc(seconds, deviation=None, status=None, weekday=False, hundredths=0):
    """12 octets for a UTC instant. With a deviation, the fields are local time (UTC + deviation).

    weekday=False writes 0xFF (not specified), as RTDS does; True writes 1 (Monday) .. 7.
    """
    local = seconds + (deviation * 60 if deviation is not None else 0)
    days = local // 86400
    rem = local - days * 86400
    y, m, d = _civil_from_days(days)
    wday = ((days + 3) % 7) + 1 if weekday else None  # 1970-01-01 was a Thursday
    return datetime_pack(
        (y, m, d, wday, rem // 3600, (rem // 60) % 60, rem % 60, hundredths, deviation, status)
    )
