"""Every difference between MicroPython and CPython that the core cares about, in one place.

Other modules import these names from here instead of probing the interpreter themselves.
"""

import sys

IS_MICROPYTHON = sys.implementation.name == "micropython"

try:
    from micropython import const
except ImportError:  # pragma: no cover - CPython

    def const(x):  # type: ignore[misc]
        return x


def hex_text(data):
    """Octets as lower-case hex text (for messages, reprs and JSON renderings; .upper() where a
    format shows upper case)."""
    import binascii

    return binascii.hexlify(data).decode()


def print_exception(exc, file=None):
    """Print an exception with its traceback on either interpreter."""
    if IS_MICROPYTHON:  # pragma: no cover
        sys.print_exception(exc, file or sys.stdout)  # type: ignore[attr-defined]
    else:
        import traceback  # type: ignore[import-not-found]  # CPython only

        traceback.print_exception(type(exc), exc, exc.__traceback__, file=file)


def int_from_be(data):
    """Unsigned big-endian bytes to int (MicroPython takes no keywords here)."""
    return int.from_bytes(data, "big")


def int_to_be(value, length):
    """Unsigned int to big-endian bytes of a fixed length."""
    return value.to_bytes(length, "big")


def constant_time_eq(a, b):
    """Compare two byte strings without stopping at the first difference."""
    if len(a) != len(b):
        return False
    diff = 0
    for x, y in zip(a, b):
        diff |= x ^ y
    return diff == 0
