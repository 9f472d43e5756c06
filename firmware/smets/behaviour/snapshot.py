"""State to bytes and back: a tiny little-endian writer and reader over ``struct``.

Every stateful part has ``dump(w)`` and a matching ``load(r)``; the meter writes a format version
byte first (``FORMAT_VERSION``) and refuses other versions. Values are written in a fixed field
order (never dict order). Arrays are written as their raw little-endian memory, which both
interpreters share on every supported host and board (x86-64, ARM, Xtensa are little-endian).
Only ``EsmeBehaviour.snapshot``/``restore`` use it (imported there, when called).
"""

import struct

from smets.compat import const

from .arrays import array_from_bytes
from .errors import BehaviourError

FORMAT_VERSION = const(1)


class Writer:
    __slots__ = ("parts",)

    def __init__(self):
        self.parts = []

    def u8(self, v):
        self.parts.append(struct.pack("<B", v))

    def bool(self, v):
        self.parts.append(b"\x01" if v else b"\x00")

    def u16(self, v):
        self.parts.append(struct.pack("<H", v))

    def u32(self, v):
        self.parts.append(struct.pack("<I", v))

    def i64(self, v):
        self.parts.append(struct.pack("<q", v))

    def ints(self, values):
        """A counted list of signed 64-bit integers."""
        self.u16(len(values))
        for v in values:
            self.i64(v)

    def opt_i64(self, v):
        if v is None:
            self.u8(0)
        else:
            self.u8(1)
            self.i64(v)

    def blob(self, b):
        self.u32(len(b))
        self.parts.append(bytes(b))

    def arr(self, a):
        self.blob(bytes(a))

    def getvalue(self):
        return b"".join(self.parts)


class Reader:
    __slots__ = ("buf", "pos")

    def __init__(self, buf):
        self.buf = buf
        self.pos = 0

    def _take(self, fmt, n):
        if self.pos + n > len(self.buf):
            raise BehaviourError("snapshot truncated at offset %d" % self.pos)
        v = struct.unpack_from(fmt, self.buf, self.pos)[0]
        self.pos += n
        return v

    def u8(self):
        return self._take("<B", 1)

    def bool(self):
        return self._take("<B", 1) != 0

    def u16(self):
        return self._take("<H", 2)

    def u32(self):
        return self._take("<I", 4)

    def i64(self):
        return self._take("<q", 8)

    def ints(self):
        n = self.u16()
        return [self.i64() for _ in range(n)]

    def opt_i64(self):
        return self.i64() if self.u8() else None

    def blob(self):
        n = self.u32()
        if self.pos + n > len(self.buf):
            raise BehaviourError("snapshot truncated at offset %d" % self.pos)
        b = bytes(self.buf[self.pos : self.pos + n])
        self.pos += n
        return b

    def arr(self, typecode, expect_len=None):
        a = array_from_bytes(typecode, self.blob())
        if expect_len is not None and len(a) != expect_len:
            raise BehaviourError("snapshot array has %d items, expected %d" % (len(a), expect_len))
        return a

    def end(self):
        if self.pos != len(self.buf):
            raise BehaviourError("snapshot has %d trailing bytes" % (len(self.buf) - self.pos))
