"""DLMS APDUs and A-XDR values as plain JSON-able data and text lines, for people: the CLI's decode,
tests, reports; nothing on a device decides on these.

to_json() turns a parsed APDU (smets.wire.dlms) or a Data value (smets.wire.dlms_axdr) into plain
dicts/lists of ints and strings (octets as hex), with OBIS codes as "a-b:c.d.e.f", COSEM class and
object names (smets.wire.cosem_names) and decoded date-times; describe() gives text lines.

Kept apart from the codec because on a MicroPython board every string constant and function of an
imported module takes heap: a device imports dlms and dlms_axdr, never this module (the board
import test in tests/host/test_board_imports.py checks that).
"""

from smets.compat import const, hex_text
from smets.wire import cosem_names, dlms
from smets.wire import dlms_axdr as axdr
from smets.wire.errors import DecodeError, EncodeError

# The Green Book name of each DLMS Data tag (IEC 62056-6-2 "Data" CHOICE); the codec's sizes of
# the same tags are in dlms_axdr.
TYPE_NAMES = (
    (axdr.T_NULL, "null-data"),
    (axdr.T_ARRAY, "array"),
    (axdr.T_STRUCTURE, "structure"),
    (axdr.T_BOOLEAN, "boolean"),
    (axdr.T_BIT_STRING, "bit-string"),
    (axdr.T_DOUBLE_LONG, "double-long"),
    (axdr.T_DOUBLE_LONG_UNSIGNED, "double-long-unsigned"),
    (axdr.T_OCTET_STRING, "octet-string"),
    (axdr.T_VISIBLE_STRING, "visible-string"),
    (axdr.T_UTF8_STRING, "utf8-string"),
    (axdr.T_BCD, "bcd"),
    (axdr.T_INTEGER, "integer"),
    (axdr.T_LONG, "long"),
    (axdr.T_UNSIGNED, "unsigned"),
    (axdr.T_LONG_UNSIGNED, "long-unsigned"),
    (axdr.T_COMPACT_ARRAY, "compact-array"),
    (axdr.T_LONG64, "long64"),
    (axdr.T_LONG64_UNSIGNED, "long64-unsigned"),
    (axdr.T_ENUM, "enum"),
    (axdr.T_FLOAT32, "float32"),
    (axdr.T_FLOAT64, "float64"),
    (axdr.T_DATE_TIME, "date-time"),
    (axdr.T_DATE, "date"),
    (axdr.T_TIME, "time"),
    (axdr.T_DONT_CARE, "dont-care"),
)

# Access-Request-Specification / Access-Response-Specification choices.
SPEC_KIND_NAMES = (
    (dlms.GET, "get"),
    (dlms.SET, "set"),
    (dlms.ACTION, "action"),
    (dlms.GET_WITH_SELECTION, "get-with-selection"),
    (dlms.SET_WITH_SELECTION, "set-with-selection"),
)

# Data-Access-Result (get and set) and Action-Result codes seen in GBCS, and the rest of the
# Green Book list for display. The one table of DLMS result codes.
RESULT_NAMES = (
    (0, "success"),
    (1, "hardware-fault"),
    (2, "temporary-failure"),
    (3, "read-write-denied"),
    (4, "object-undefined"),
    (9, "object-class-inconsistent"),
    (11, "object-unavailable"),
    (12, "type-unmatched"),
    (13, "scope-of-access-violated"),
    (14, "data-block-unavailable"),
    (15, "long-get-aborted"),
    (16, "no-long-get-in-progress"),
    (17, "long-set-aborted"),
    (18, "no-long-set-in-progress"),
    (19, "data-block-number-invalid"),
    (250, "other-reason"),
)

_STRINGS = (axdr.T_OCTET_STRING, axdr.T_VISIBLE_STRING, axdr.T_UTF8_STRING)


def _lookup(table, key):
    for k, name in table:
        if k == key:
            return name
    return None


def type_name(tag):
    """The Green Book name of a Data tag ("double-long"), or "tag N" for an unknown one."""
    name = _lookup(TYPE_NAMES, tag)
    return "tag %d" % tag if name is None else name


def text_of(value):
    """The text of a visible-string, utf8-string or octet-string value, or None if not text."""
    tag, v = value
    if tag not in _STRINGS:
        return None
    if tag != axdr.T_UTF8_STRING:
        # checked by hand: MicroPython's decode() ignores the codec name
        for b in v:
            if b > 0x7F:
                return None
    try:
        return bytes(v).decode("utf-8")
    except (UnicodeError, ValueError):
        return None


# ---- DLMS date-time --------------------------------------------------------------------------


def datetime_text(octets):
    """An ISO-8601-like rendering; not-specified fields print as '*' ("2015-01-01T00:00:00.00Z")."""
    f = axdr.datetime_unpack(octets)

    def part(v, width):
        if v is None:
            return "*" * width
        s = str(v)
        return "0" * (width - len(s)) + s if len(s) < width else s

    text = "%s-%s-%sT%s:%s:%s.%s" % (
        part(f[0], 4),
        part(f[1], 2),
        part(f[2], 2),
        part(f[4], 2),
        part(f[5], 2),
        part(f[6], 2),
        part(f[7], 2),
    )
    dev = f[8]
    if dev is None:
        return text + "Z"
    sign = "+" if dev >= 0 else "-"
    dev = abs(dev)
    return text + sign + part(dev // 60, 2) + ":" + part(dev % 60, 2)


def looks_like_datetime(octets):
    """True if 12 octets are plausibly a DLMS date-time (for display hints only)."""
    if len(octets) != axdr.DATETIME_LENGTH:
        return False
    m, d, wd, h, mi, s, hs = octets[2], octets[3], octets[4], octets[5], octets[6], octets[7], octets[8]
    if not (1 <= m <= 12 or m >= 0xFD) or not (1 <= d <= 31 or d >= 0xFD):
        return False
    if not (1 <= wd <= 7 or wd == 0xFF) or not (h <= 23 or h == 0xFF):
        return False
    if not (mi <= 59 or mi == 0xFF) or not (s <= 59 or s == 0xFF) or not (hs <= 99 or hs == 0xFF):
        return False
    dev = (octets[9] << 8) | octets[10]
    return dev == axdr.DEVIATION_UNSPECIFIED or dev <= 720 or dev >= 0x10000 - 720


# ---- JSON-able rendering ---------------------------------------------------------------------


def _scalar_json(tag, value):
    d = {"type": type_name(tag)}
    if tag in (axdr.T_NULL, axdr.T_DONT_CARE):
        return d
    if tag == axdr.T_BIT_STRING:
        nbits, octets = value
        bits = []
        for i in range(nbits):
            bits.append("1" if octets[i >> 3] & (0x80 >> (i & 7)) else "0")
        d["bits"] = "".join(bits)
        return d
    if tag in _STRINGS:
        d["hex"] = hex_text(value)
        text = text_of((tag, value))
        if text is not None and tag != axdr.T_OCTET_STRING:
            d["value"] = text
        elif text is not None and value and _printable(value):
            d["text"] = text
        if tag == axdr.T_OCTET_STRING:
            if len(value) == 12 and looks_like_datetime(value):
                d["datetime"] = datetime_text(value)
            elif len(value) == 6:
                d["obis"] = cosem_names.obis_text(value)
                name = cosem_names.object_name(value)
                if name is not None:
                    d["name"] = name
        return d
    if tag == axdr.T_DATE_TIME:
        d["hex"] = hex_text(value)
        d["datetime"] = datetime_text(value)
        return d
    if tag in (axdr.T_FLOAT32, axdr.T_FLOAT64, axdr.T_DATE, axdr.T_TIME):
        d["hex"] = hex_text(value)
        return d
    d["value"] = value
    return d


def _printable(octets):
    for b in octets:
        if b < 0x20 or b > 0x7E:
            return False
    return True


def _description_json(desc):
    # Type descriptions nest too; walk them with a stack. A target is (list, None) to append to
    # or (dict, key) to set.
    root = []
    stack = [(desc, root, None)]
    while stack:
        d, target, key = stack.pop()
        if isinstance(d, int):
            node = type_name(d)
        elif d[0] == axdr.T_ARRAY:
            node = {"type": "array", "count": d[1], "element": None}
            stack.append((d[2], node, "element"))
        else:
            members = []
            node = {"type": "structure", "members": members}
            for i in range(len(d[1]) - 1, -1, -1):
                stack.append((d[1][i], members, None))
        if key is None:
            target.append(node)
        else:
            target[key] = node
    return root[0]


def data_json(value):
    """A Data value as plain JSON-able dicts: {"type": ..., "value"/"hex"/... }."""
    root = []
    stack = [(value, root)]
    while stack:
        v, target = stack.pop()
        tag, val = v
        if tag == axdr.T_ARRAY or tag == axdr.T_STRUCTURE:
            items = []
            target.append({"type": type_name(tag), "value": items})
            for i in range(len(val) - 1, -1, -1):
                stack.append((val[i], items))
        elif tag == axdr.T_COMPACT_ARRAY:
            items = []
            target.append({"type": "compact-array", "description": _description_json(val[0]), "value": items})
            elements = val[1]
            for i in range(len(elements) - 1, -1, -1):
                stack.append((elements[i], items))
        else:
            target.append(_scalar_json(tag, val))
    return root[0]


def _datetime_json(dt):
    if dt is None:
        return None
    return {"hex": hex_text(dt), "datetime": datetime_text(dt)}


def _spec_json(s):
    d = {
        "kind": _lookup(SPEC_KIND_NAMES, s.kind),
        "class_id": s.class_id,
        "class": cosem_names.class_name(s.class_id),
        "obis": cosem_names.obis_text(s.instance),
    }
    name = cosem_names.object_name(s.instance)
    if name is not None:
        d["object"] = name
    is_method = s.kind == dlms.ACTION
    d["method" if is_method else "attribute"] = s.member
    member = cosem_names.member_name(s.class_id, s.member, is_method)
    if member is not None:
        d["method_name" if is_method else "attribute_name"] = member
    if s.selector is not None:
        d["selector"] = s.selector
        d["selection"] = data_json(s.selection)
    return d


def to_json(obj):
    """Any parsed DLMS APDU (or a bare Data value) as plain dicts/lists of ints and strings."""
    if isinstance(obj, tuple):
        return data_json(obj)
    if isinstance(obj, (dlms.AccessRequest, dlms.AccessResponse, dlms.DataNotification)):
        d = {
            "invoke_id": dlms.invoke_id_number(obj.invoke_id),
            "invoke_flags": obj.invoke_id >> 24,
            "date_time": _datetime_json(obj.date_time),
        }
    else:
        raise EncodeError("not a DLMS APDU: %r" % (obj,))
    if isinstance(obj, dlms.AccessRequest):
        d["apdu"] = "access-request"
        d["specs"] = [_spec_json(s) for s in obj.specs]
        d["data"] = [data_json(v) for v in obj.data]
    elif isinstance(obj, dlms.AccessResponse):
        d["apdu"] = "access-response"
        if obj.specs is not None:
            d["specs"] = [_spec_json(s) for s in obj.specs]
        d["data"] = [data_json(v) for v in obj.data]
        d["results"] = [
            {"kind": _lookup(SPEC_KIND_NAMES, k), "result": r, "name": _lookup(RESULT_NAMES, r)}
            for k, r in obj.results
        ]
    else:
        d["apdu"] = "data-notification"
        d["body"] = data_json(obj.body)
        code = obj.alert_code()
        if code is not None:
            d["alert_code"] = code
    try:
        parts = dlms.protected_parts(obj) if not isinstance(obj, dlms.AccessRequest) else None
    except DecodeError as exc:
        # Looks like protected data but is not the GBCS shape: show the data, note the problem.
        d["protected"] = {"error": str(exc)}
        parts = None
    if parts is not None:
        d["protected"] = {
            "transaction_id": hex_text(parts[0]),
            "originator": hex_text(parts[1]),
            "recipient": hex_text(parts[2]),
            "security_header": hex_text(parts[3]),
            "ciphertext_and_tag": hex_text(parts[4]),
        }
    return d


def describe(obj):
    """Human-readable lines for a parsed APDU or Data value (the CLI's non-JSON decode)."""
    lines = []
    if isinstance(obj, tuple):
        _describe_data(obj, 0, lines, "")
        return lines
    j = to_json(obj)
    head = "%s invoke %d (flags 0x%02X)" % (j["apdu"], j["invoke_id"], j["invoke_flags"])
    if j["date_time"] is not None:
        head += " at " + j["date_time"]["datetime"]
    lines.append(head)
    specs = getattr(obj, "specs", None) or []
    for i in range(len(specs)):
        s = j["specs"][i]
        member = s.get("method_name") or s.get("attribute_name") or ""
        lines.append(
            "  [%d] %s %s (%d) %s%s %s %d %s"
            % (
                i,
                s["kind"],
                s["class"] or "class",
                s["class_id"],
                s["obis"],
                " " + s["object"] if "object" in s else "",
                "method" if "method" in s else "attribute",
                s.get("method", s.get("attribute")),
                member,
            )
        )
        if specs[i].selection is not None:
            lines.append("    selector %d:" % specs[i].selector)
            _describe_data(specs[i].selection, 3, lines, "")
    if isinstance(obj, dlms.DataNotification):
        _describe_data(obj.body, 1, lines, "body: ")
    else:
        for i in range(len(obj.data)):
            _describe_data(obj.data[i], 1, lines, "data[%d]: " % i)
    if isinstance(obj, dlms.AccessResponse):
        for r in j["results"]:
            lines.append("  result %s: %d %s" % (r["kind"], r["result"], r["name"] or ""))
    return lines


_MAX_INDENT = const(32)


def _describe_data(value, indent, lines, label):
    stack = [(value, indent, label)]
    while stack:
        v, ind, lab = stack.pop()
        tag, val = v
        # Indentation is capped so that absurdly deep input cannot need memory quadratic in depth.
        pad = "  " * ind if ind <= _MAX_INDENT else "  " * _MAX_INDENT + "(depth %d) " % ind
        if tag in (axdr.T_ARRAY, axdr.T_STRUCTURE) or tag == axdr.T_COMPACT_ARRAY:
            items = val if tag != axdr.T_COMPACT_ARRAY else val[1]
            lines.append("%s%s%s (%d)" % (pad, lab, type_name(tag), len(items)))
            for i in range(len(items) - 1, -1, -1):
                stack.append((items[i], ind + 1, "[%d] " % i))
            continue
        j = _scalar_json(tag, val)
        shown = []
        for key in ("value", "bits", "hex", "text", "datetime", "obis", "name"):
            if key in j:
                shown.append("%s=%s" % (key, j[key]) if key != "value" else str(j[key]))
        lines.append(("%s%s%s %s" % (pad, lab, j["type"], " ".join(shown))).rstrip())
