"""BER-style lengths as GBCS frames and DLMS A-XDR use them: one octet below 0x80, else 0x8n
followed by n octets. Only the shortest form is accepted, so every parse rebuilds to the same
octets (DER keeps its own reader: RTDS certificates carry non-minimal lengths there)."""

from smets.compat import int_from_be
from smets.wire.errors import DecodeError, EncodeError


def read_length(buf, pos, end, what="length"):
    """Read a length or count at pos; return (value, next position)."""
    if pos >= end:
        raise DecodeError("%s: length missing" % what, pos)
    first = buf[pos]
    if first < 0x80:
        return first, pos + 1
    n = first & 0x7F
    if n == 0 or n > 4:
        raise DecodeError("%s: unsupported length form 0x%02X" % (what, first), pos)
    if pos + 1 + n > end:
        raise DecodeError("%s: truncated length" % what, pos)
    if buf[pos + 1] == 0 or (n == 1 and buf[pos + 1] < 0x80):
        raise DecodeError("%s: length not in its shortest form" % what, pos)
    return int_from_be(buf[pos + 1 : pos + 1 + n]), pos + 1 + n


def length_bytes(n):
    """A length or count in its shortest form."""
    if n < 0:
        raise EncodeError("negative length")
    if n < 0x80:
        return bytes((n,))
    if n < 0x100:
        return bytes((0x81, n))
    if n < 0x10000:
        return bytes((0x82, n >> 8, n & 0xFF))
    if n < 0x1000000:
        return bytes((0x83, n >> 16, (n >> 8) & 0xFF, n & 0xFF))
    raise EncodeError("length too large: %d" % n)
