"""Typed arrays from raw little-endian octets, the same way on both interpreters (the behaviour's
logs and registers, and their saved form).

Kept apart from the snapshot codec (smets.behaviour.snapshot) so that a board that never takes a
meter snapshot does not load the codec: each module imported is RAM taken on a board.
"""

import sys
from array import array

from smets.compat import IS_MICROPYTHON

if sys.byteorder != "little":  # pragma: no cover - no big-endian target exists today
    raise ImportError("smets.behaviour.arrays assumes a little-endian host")

_ITEMSIZE = {"b": 1, "B": 1, "h": 2, "H": 2, "i": 4, "I": 4, "q": 8, "Q": 8}


def zeros(typecode, n):
    """A zero-filled array of n items without building an n-item list first."""
    raw = bytearray(n * _ITEMSIZE[typecode])
    if IS_MICROPYTHON:  # pragma: no cover - MicroPython copies a bytes-like initializer as raw memory
        return array(typecode, raw)
    a = array(typecode)
    a.frombytes(raw)
    return a


def array_from_bytes(typecode, raw):
    if IS_MICROPYTHON:  # pragma: no cover
        return array(typecode, raw)
    a = array(typecode)
    a.frombytes(raw)
    return a
