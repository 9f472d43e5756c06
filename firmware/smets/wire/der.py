"""The minimal ASN.1 DER the GBCS security, join, firmware and GPF-log payloads use.

CS02*, CS03*, CS04*, CS06, CS07, CS08, CS09, CCS08, GCS59 and GCS62 payloads (and their
responses and alerts) are one DER TLV each: usually a SEQUENCE, sometimes a bare primitive
(`02 01 00` a result, `05 00` NULL, `04 08 ...` an EUI-64). See ../shared/spec/SMETS-GBCS.md §3.4.

`parse(data)` gives a tree of `Node`s: a primitive node holds its content octets in `value`, a
constructed node (identifier bit 6 set) holds its children in `children`. `build(node)` writes the
tree back. The walk uses an explicit stack, never recursion, so deep nesting cannot exhaust a small
C stack. Certificates inside a payload are ordinary subtrees: `build(node)` of a parsed subtree
gives the exact octets it was parsed from (e.g. a TBSCertificate for a signature check).

DER lengths are minimal, but RTDS has CS02b/CS02g/CS02a/CS02f certificates with `82 00 xx`
lengths, so a node remembers a non-minimal long form in `lform` (the number of length octets) and
`build` repeats it; `lform` None means the minimal form.

Helpers read and make the universal types: INTEGER, ENUMERATED, BOOLEAN, NULL, OCTET STRING,
BIT STRING, OBJECT IDENTIFIER (dotted string), the string types, UTCTime/GeneralizedTime (the
text as sent), SEQUENCE/SET and context-specific tags.
"""

from smets.compat import const, hex_text
from smets.wire.errors import DecodeError, EncodeError

BOOLEAN = const(0x01)
INTEGER = const(0x02)
BIT_STRING = const(0x03)
OCTET_STRING = const(0x04)
NULL = const(0x05)
OID = const(0x06)
ENUMERATED = const(0x0A)
UTF8_STRING = const(0x0C)
PRINTABLE_STRING = const(0x13)
IA5_STRING = const(0x16)
UTC_TIME = const(0x17)
GENERALIZED_TIME = const(0x18)
VISIBLE_STRING = const(0x1A)
SEQUENCE = const(0x30)
SET = const(0x31)

CLASS_UNIVERSAL = const(0x00)
CLASS_APPLICATION = const(0x40)
CLASS_CONTEXT = const(0x80)
CLASS_PRIVATE = const(0xC0)
_CONSTRUCTED = const(0x20)

MAX_DEPTH = const(32)  # deepest nesting accepted (an X.509 certificate needs about 8)


# Universal tags whose content is text, with the name to_json uses.
class Node:
    """One TLV. `tag` is the identifier octet(s) as an int (0x30, 0xA2, 0x83 ...).

    Primitive: `value` holds the content octets and `children` is None.
    Constructed: `children` is a list of Nodes and `value` is None.
    `lform`: None for the minimal length form, else the number of long-form length octets seen.
    `offset`: where the TLV started in the parsed buffer (None for a built node).
    """

    __slots__ = ("tag", "value", "children", "lform", "offset")

    def __init__(self, tag, value=None, children=None, lform=None, offset=None):
        self.tag = tag
        self.value = value
        self.children = children
        self.lform = lform
        self.offset = offset

    def is_constructed(self):
        return bool(_first_octet(self.tag) & _CONSTRUCTED)

    def tag_class(self):
        return _first_octet(self.tag) & 0xC0

    def tag_number(self):
        """The tag number within its class (context tag [3] -> 3)."""
        t = self.tag
        if t <= 0xFF:
            return t & 0x1F
        n = 0
        shift = 0
        while t > 0xFF:
            n |= (t & 0x7F) << shift
            shift += 7
            t >>= 8
        return n

    def __len__(self):
        return len(self.children) if self.children is not None else len(self.value)

    def __getitem__(self, i):
        if self.children is None:
            raise DecodeError("tag 0x%X is primitive, it has no element %d" % (self.tag, i), self.offset)
        if not -len(self.children) <= i < len(self.children):
            raise DecodeError(
                "element %d missing: tag 0x%X has %d elements" % (i, self.tag, len(self.children)),
                self.offset,
            )
        return self.children[i]

    def __eq__(self, other):
        return isinstance(other, Node) and build(self) == build(other)

    def __repr__(self):
        if self.children is not None:
            return "Node(0x%X, %d children)" % (self.tag, len(self.children))
        return "Node(0x%X, %s)" % (self.tag, hex_text(self.value).upper())


def _first_octet(tag):
    while tag > 0xFF:
        tag >>= 8
    return tag


# ---- parse ---------------------------------------------------------------------------------


def _read_header(data, pos, end):
    """(tag, content start, content length, lform) of the TLV at pos; content must fit in end."""
    start = pos
    if pos >= end:
        raise DecodeError("DER tag missing", pos)
    first = data[pos]
    tag = first
    pos += 1
    if first & 0x1F == 0x1F:  # high tag number form: base-128 octets, last one without bit 8
        n = 0
        while True:
            if pos >= end:
                raise DecodeError("truncated DER high tag number", start)
            b = data[pos]
            tag = (tag << 8) | b
            pos += 1
            n += 1
            if n > 3:
                raise DecodeError("DER tag number too large", start)
            if not b & 0x80:
                break
    if pos >= end:
        raise DecodeError("DER length missing after tag 0x%X" % tag, pos)
    first = data[pos]
    lpos = pos
    pos += 1
    lform = None
    if first < 0x80:
        length = first
    else:
        n = first & 0x7F
        if n == 0:
            raise DecodeError("indefinite DER length is not allowed", lpos)
        if n > 4:
            raise DecodeError("DER length of %d octets is too large" % n, lpos)
        if pos + n > end:
            raise DecodeError("truncated DER length", lpos)
        length = 0
        for i in range(n):
            length = (length << 8) | data[pos + i]
        pos += n
        if length < 0x80 or n != _length_octets(length):
            lform = n  # not the minimal form: remember it so the octets round-trip
    if length > end - pos:
        raise DecodeError(
            "DER length %d of tag 0x%X overruns the %d octets available" % (length, tag, end - pos), lpos
        )
    return tag, pos, length, lform


def parse_all(data, start=0, end=None):
    """Every TLV in data[start:end], in order, as a list of Nodes. Raises DecodeError."""
    if end is None:
        end = len(data)
    roots = []
    # Each frame: (end of the enclosing content, list receiving the nodes found there).
    stack = [(end, roots)]
    pos = start
    while True:
        cend, out = stack[-1]
        if pos == cend:
            if len(stack) == 1:
                break
            stack.pop()
            continue
        offset = pos
        tag, pos, length, lform = _read_header(data, pos, cend)
        if _first_octet(tag) & _CONSTRUCTED:
            node = Node(tag, None, [], lform, offset)
            out.append(node)
            if len(stack) > MAX_DEPTH:
                raise DecodeError("DER nesting deeper than %d" % MAX_DEPTH, offset)
            stack.append((pos + length, node.children))
        else:
            out.append(Node(tag, bytes(data[pos : pos + length]), None, lform, offset))
            pos += length
    return roots


def parse(data):
    """Exactly one TLV filling all of data. Raises DecodeError."""
    data = bytes(data)
    if not data:
        raise DecodeError("empty DER payload", 0)
    _, pos, length, _ = _read_header(data, 0, len(data))
    end = pos + length
    node = parse_all(data, 0, end)[0]  # content errors first: they are nearer the cause
    if end != len(data):
        raise DecodeError("%d octets after the DER element" % (len(data) - end), end)
    return node


def parse_payload(payload):
    """A GBCS DER payload (one TLV) as a Node tree."""
    return parse(payload)


# ---- build ---------------------------------------------------------------------------------


def _length_octets(n):
    count = 0
    while n:
        count += 1
        n >>= 8
    return count


def length_bytes(n, lform=None):
    """A DER length: minimal, or the long form with lform octets when that was what was seen."""
    if n < 0:
        raise EncodeError("negative DER length")
    need = _length_octets(n)
    if lform is None:
        if n < 0x80:
            return bytes((n,))
        lform = need
    elif lform < need:
        lform = need  # a remembered form that no longer fits grows to the minimal one
    if lform > 4:
        raise EncodeError("DER length too large: %d" % n)
    out = bytearray(1 + lform)
    out[0] = 0x80 | lform
    for i in range(lform):
        out[lform - i] = (n >> (8 * i)) & 0xFF
    return bytes(out)


def _tag_bytes(tag):
    if not 0 <= tag <= 0xFFFFFFFF:
        raise EncodeError("DER tag out of range: %r" % tag)
    out = []
    while True:
        out.append(tag & 0xFF)
        tag >>= 8
        if not tag:
            break
    out.reverse()
    return bytes(out)


def build(node):
    """The DER octets of a Node tree (iterative post-order walk)."""
    if not isinstance(node, Node):
        raise EncodeError("expected a der.Node, got %r" % type(node).__name__)
    # Each frame: [node, index of the next child, encoded children so far].
    stack = [[node, 0, []]]
    result = None
    depth_limit = MAX_DEPTH + 1
    while stack:
        frame = stack[-1]
        n = frame[0]
        if n.children is None:
            if n.value is None:
                raise EncodeError("primitive DER node 0x%X has no value" % n.tag)
            content = bytes(n.value)
        elif frame[1] < len(n.children):
            child = n.children[frame[1]]
            frame[1] += 1
            if not isinstance(child, Node):
                raise EncodeError("child of DER node 0x%X is not a Node" % n.tag)
            if len(stack) > depth_limit:
                raise EncodeError("DER nesting deeper than %d" % MAX_DEPTH)
            stack.append([child, 0, []])
            continue
        else:
            content = b"".join(frame[2])
        if (n.children is not None) != bool(_first_octet(n.tag) & _CONSTRUCTED):
            raise EncodeError("DER tag 0x%X constructed bit does not match its content" % n.tag)
        encoded = _tag_bytes(n.tag) + length_bytes(len(content), n.lform) + content
        stack.pop()
        if stack:
            stack[-1][2].append(encoded)
        else:
            result = encoded
    return result


def build_payload(node):
    return build(node)


# ---- universal types: read -----------------------------------------------------------------


def expect(node, tag, what="element"):
    """node, after checking its tag; DecodeError naming `what` and the node's offset otherwise."""
    if not isinstance(node, Node):
        raise DecodeError("%s missing" % what, None)
    if node.tag != tag:
        raise DecodeError("%s: expected tag 0x%X, found 0x%X" % (what, tag, node.tag), node.offset)
    return node


def _primitive(node, what):
    if node.children is not None:
        raise DecodeError("%s must be primitive (tag 0x%X)" % (what, node.tag), node.offset)
    return node.value


def to_int(node):
    """INTEGER / ENUMERATED (or an implicitly tagged integer) as a signed int."""
    v = _primitive(node, "integer")
    if not v:
        raise DecodeError("empty integer", node.offset)
    n = int.from_bytes(v, "big")
    if v[0] & 0x80:
        n -= 1 << (8 * len(v))
    return n


def to_bool(node):
    v = _primitive(node, "BOOLEAN")
    if len(v) != 1:
        raise DecodeError("BOOLEAN must be one octet", node.offset)
    return v[0] != 0


def to_bytes(node):
    """The content octets of a primitive (OCTET STRING, or any implicitly tagged primitive)."""
    return _primitive(node, "octet string")


def to_bit_string(node):
    """BIT STRING as (unused bits, octets)."""
    v = _primitive(node, "BIT STRING")
    if not v or v[0] > 7 or (len(v) == 1 and v[0]):
        raise DecodeError("malformed BIT STRING", node.offset)
    return v[0], v[1:]


def to_text(node):
    """A string or time type's content as str (UTCTime/GeneralizedTime as sent, e.g. 20150101000000Z)."""
    v = _primitive(node, "string")
    try:
        return bytes(v).decode()
    except UnicodeError:
        raise DecodeError("string is not UTF-8", node.offset) from None


def oid_to_str(content):
    """OBJECT IDENTIFIER content octets to dotted form: 2A8648CE3D0201 -> '1.2.840.10045.2.1'."""
    if not content:
        raise DecodeError("empty OBJECT IDENTIFIER", None)
    arcs = []
    value = 0
    pending = False
    for b in content:
        if not pending and b == 0x80:
            raise DecodeError("OBJECT IDENTIFIER arc has a leading 0x80", None)
        value = (value << 7) | (b & 0x7F)
        pending = bool(b & 0x80)
        if not pending:
            arcs.append(value)
            value = 0
    if pending:
        raise DecodeError("truncated OBJECT IDENTIFIER arc", None)
    first = arcs[0]
    if first < 40:
        head = [0, first]
    elif first < 80:
        head = [1, first - 40]
    else:
        head = [2, first - 80]
    return ".".join(str(a) for a in head + arcs[1:])


def to_oid(node):
    v = _primitive(node, "OBJECT IDENTIFIER")
    try:
        return oid_to_str(v)
    except DecodeError as exc:
        raise DecodeError(str(exc), node.offset) from None


def generalized_time(node):
    """GeneralizedTime YYYYMMDDHHMMSSZ as (year, month, day, hour, minute, second)."""
    text = to_text(expect(node, GENERALIZED_TIME, "GeneralizedTime"))
    if len(text) != 15 or text[14] != "Z":
        raise DecodeError("GeneralizedTime must be YYYYMMDDHHMMSSZ", node.offset)
    try:
        return (
            int(text[0:4]),
            int(text[4:6]),
            int(text[6:8]),
            int(text[8:10]),
            int(text[10:12]),
            int(text[12:14]),
        )
    except ValueError:
        raise DecodeError("GeneralizedTime has non-digits", node.offset) from None


# ---- universal types: make -----------------------------------------------------------------


def make_int(value, tag=INTEGER):
    """INTEGER (or ENUMERATED, or an implicit context tag) in the minimal two's complement form."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise EncodeError("integer expected, got %r" % (value,))
    n = 1
    while not -(1 << (8 * n - 1)) <= value < (1 << (8 * n - 1)):
        n += 1
    if value < 0:
        value += 1 << (8 * n)
    return Node(tag, value.to_bytes(n, "big"))


def make_enumerated(value):
    return make_int(value, ENUMERATED)


def make_bool(value):
    return Node(BOOLEAN, b"\xff" if value else b"\x00")


def make_null():
    return Node(NULL, b"")


def make_octets(value, tag=OCTET_STRING):
    return Node(tag, bytes(value))


def make_bit_string(octets, unused=0):
    if not 0 <= unused <= 7 or (unused and not octets):
        raise EncodeError("BIT STRING unused bits must be 0..7 and need content")
    return Node(BIT_STRING, bytes((unused,)) + bytes(octets))


def make_text(text, tag=UTF8_STRING):
    return Node(tag, text.encode())


def make_generalized_time(year, month, day, hour=0, minute=0, second=0):
    text = "%04d%02d%02d%02d%02d%02dZ" % (year, month, day, hour, minute, second)
    return Node(GENERALIZED_TIME, text.encode())


def oid_content(dotted):
    """Dotted OID string to content octets."""
    try:
        arcs = [int(p) for p in dotted.split(".")]
    except ValueError:
        raise EncodeError("malformed OID %r" % (dotted,)) from None
    if len(arcs) < 2 or arcs[0] > 2 or (arcs[0] < 2 and arcs[1] >= 40) or min(arcs) < 0:
        raise EncodeError("malformed OID %r" % (dotted,))
    arcs = [arcs[0] * 40 + arcs[1]] + arcs[2:]
    out = bytearray()
    for a in arcs:
        chunk = [a & 0x7F]
        a >>= 7
        while a:
            chunk.append(0x80 | (a & 0x7F))
            a >>= 7
        chunk.reverse()
        out.extend(bytes(chunk))
    return bytes(out)


def make_oid(dotted):
    return Node(OID, oid_content(dotted))


def make_sequence(children, tag=SEQUENCE):
    return Node(tag, None, list(children))


def make_set(children):
    return Node(SET, None, list(children))


def context(number, value=None, children=None):
    """A context-specific tag [number]: constructed when children are given, else primitive."""
    if not 0 <= number < 31:
        raise EncodeError("context tag number must be 0..30")
    if children is not None:
        return Node(CLASS_CONTEXT | _CONSTRUCTED | number, None, list(children))
    return Node(CLASS_CONTEXT | number, bytes(value or b""))
