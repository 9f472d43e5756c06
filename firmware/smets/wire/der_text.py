"""DER trees (smets.wire.der) as plain JSON-able data, for people: the CLI's decode and the tests.
Apart from the codec so that a device, which never shows a tree to anyone, never loads it (on a
board every function and string constant of an imported module is heap).
"""

from smets.compat import hex_text
from smets.wire.der import (
    BIT_STRING,
    BOOLEAN,
    CLASS_APPLICATION,
    CLASS_CONTEXT,
    CLASS_PRIVATE,
    ENUMERATED,
    GENERALIZED_TIME,
    IA5_STRING,
    INTEGER,
    NULL,
    OCTET_STRING,
    OID,
    PRINTABLE_STRING,
    SEQUENCE,
    SET,
    UTC_TIME,
    UTF8_STRING,
    VISIBLE_STRING,
    Node,
    _first_octet,
    to_bit_string,
    to_bool,
    to_int,
    to_oid,
    to_text,
)
from smets.wire.errors import DecodeError, EncodeError

_TEXT_TAGS = (UTF8_STRING, PRINTABLE_STRING, IA5_STRING, VISIBLE_STRING, UTC_TIME, GENERALIZED_TIME)

# Universal tag names for readable output.
TAG_NAMES = (
    (BOOLEAN, "BOOLEAN"),
    (INTEGER, "INTEGER"),
    (BIT_STRING, "BIT STRING"),
    (OCTET_STRING, "OCTET STRING"),
    (NULL, "NULL"),
    (OID, "OBJECT IDENTIFIER"),
    (ENUMERATED, "ENUMERATED"),
    (UTF8_STRING, "UTF8String"),
    (PRINTABLE_STRING, "PrintableString"),
    (IA5_STRING, "IA5String"),
    (UTC_TIME, "UTCTime"),
    (GENERALIZED_TIME, "GeneralizedTime"),
    (VISIBLE_STRING, "VisibleString"),
    (SEQUENCE, "SEQUENCE"),
    (SET, "SET"),
)


def tag_name(tag):
    for t, name in TAG_NAMES:
        if t == tag:
            return name
    cls = _first_octet(tag) & 0xC0
    number = Node(tag).tag_number()
    if cls == CLASS_CONTEXT:
        return "[%d]" % number
    if cls == CLASS_APPLICATION:
        return "[APPLICATION %d]" % number
    if cls == CLASS_PRIVATE:
        return "[PRIVATE %d]" % number
    return "[UNIVERSAL %d]" % number


def _primitive_json(node):
    out = {"tag": "%02X" % node.tag, "type": tag_name(node.tag), "hex": hex_text(node.value).upper()}
    tag = node.tag
    try:
        if tag == INTEGER or tag == ENUMERATED:
            out["value"] = to_int(node)
        elif tag == BOOLEAN:
            out["value"] = to_bool(node)
        elif tag == NULL:
            out["value"] = None
        elif tag == OID:
            out["value"] = to_oid(node)
        elif tag == BIT_STRING:
            unused, octets = to_bit_string(node)
            out["unused_bits"] = unused
            out["value"] = hex_text(octets).upper()
        elif tag in _TEXT_TAGS:
            out["value"] = to_text(node)
    except DecodeError:
        pass  # malformed content: the hex is still there
    return out


def to_json(node):
    """Plain JSON-able dicts: {"tag", "type", "children"} or {"tag", "type", "hex", ["value"]}."""
    if not isinstance(node, Node):
        raise EncodeError("expected a der.Node")
    root = None
    # Each frame: (node, list its JSON children go to, or None for the root).
    stack = [(node, None)]
    while stack:
        n, out = stack.pop()
        if n.children is None:
            j = _primitive_json(n)
        else:
            j = {"tag": "%02X" % n.tag, "type": tag_name(n.tag), "children": []}
            # Reverse so that popping visits the children in order.
            for child in reversed(n.children):
                stack.append((child, j["children"]))
        if out is None:
            root = j
        else:
            out.append(j)
    return root
