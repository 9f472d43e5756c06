"""Helpers shared by the core tests on both interpreters: skipping, RTDS vectors, hex.

The RTDS 4.5.0 set is read from $SMETS_RTDS_DIR, defaulting to ../shared/rtds beside the
project; it is never copied into the project. Tests that need it skip with a clear message
when it is absent.
"""

import os

try:
    import pytest

    def skip(reason):
        pytest.skip(reason)

except ImportError:  # MicroPython: tools/mptest.py counts SkipTest as skipped

    class SkipTest(Exception):
        pass

    def skip(reason):
        raise SkipTest(reason)


def _isdir(path):
    try:
        return (os.stat(path)[0] & 0o170000) == 0o040000
    except OSError:
        return False


def _here():
    f = __file__
    i = f.rfind("/")
    return f[:i] if i >= 0 else "."


def rtds_dir():
    """The RTDS root (holding RTDS-4.5.0/, keystore/, decoded/), or None."""
    path = os.getenv("SMETS_RTDS_DIR")
    if not path:
        path = _here() + "/../../shared/rtds"
    if _isdir(path + "/RTDS-4.5.0"):
        return path
    return None


def require_rtds():
    path = rtds_dir()
    if path is None:
        skip(
            "RTDS 4.5.0 vectors not found: set SMETS_RTDS_DIR to the folder holding RTDS-4.5.0/ and keystore/"
        )
    return path


def list_frames(root=None):
    """Every (folder, filename) of a *_GBCS.HEX frame, sorted."""
    root = root or require_rtds()
    base = root + "/RTDS-4.5.0"
    out = []
    for folder in sorted(os.listdir(base)):
        for name in sorted(os.listdir(base + "/" + folder)):
            if name.endswith("_GBCS.HEX"):
                out.append((folder, name))
    return out


def read_frame(folder, name, root=None):
    root = root or require_rtds()
    with open(root + "/RTDS-4.5.0/" + folder + "/" + name) as f:
        return unhex(f.read())


def unhex(text):
    import binascii

    return binascii.unhexlify("".join(text.split()))


def keystore_path(root=None):
    root = root or require_rtds()
    return root + "/keystore"


class _LazyRing:
    """A KeyRing that reads each RTDS key file the first time it is asked for (435 files at once
    do not fit a small MicroPython heap)."""

    def __init__(self, base):
        from smets.security.keyring import KeyRing

        self._base = base
        self._ring = KeyRing()
        self._names = set(os.listdir(base))
        self._all = frozenset(self._names)

    def _load(self, eui, usage, ext):
        import binascii

        from smets.security import keys

        name = "%s-%s.%s" % (binascii.hexlify(eui).decode(), usage, ext)
        if name not in self._names:
            return None
        self._names.discard(name)
        with open(self._base + "/" + name, "rb") as f:
            data = f.read()
        if ext == "key":
            self._ring.add_private(eui, usage, keys.private_scalar(data))
        else:
            self._ring.add_public(eui, usage, keys.public_point(data))
        return True

    def private(self, eui, usage):
        value = self._ring.private(eui, usage)
        if value is None and self._load(eui, usage, "key"):
            value = self._ring.private(eui, usage)
        return value

    def public(self, eui, usage):
        value = self._ring.public(eui, usage)
        if value is None and self._load(eui, usage, "pem"):
            value = self._ring.public(eui, usage)
        return value

    def private_euis(self, usage):
        import binascii

        suffix = "-%s.key" % usage
        return sorted(binascii.unhexlify(n[:16]) for n in self._all if n.endswith(suffix))


_KEYRING = None


def rtds_keyring():
    """The RTDS keystore as a KeyRing, read with the core's own PEM reader, file by file."""
    global _KEYRING
    if _KEYRING is None:
        _KEYRING = _LazyRing(keystore_path())
    return _KEYRING


def mutations(payload, seed, count):
    """Deterministic single-octet changes, deletions and cuts (a small LCG, same on both interpreters)."""
    state = seed
    out = []
    for _ in range(count):
        state = (state * 1103515245 + 12345) & 0x7FFFFFFF
        i = state % len(payload)
        op = (state >> 8) % 3
        if op == 0:
            out.append(payload[:i] + bytes(((payload[i] + 1 + (state >> 16)) & 0xFF,)) + payload[i + 1 :])
        elif op == 1:
            out.append(payload[:i] + payload[i + 1 :])
        else:
            out.append(payload[:i])
    return out


def raised(exc_type, fn, *args, **kw):
    """True when fn(*args, **kw) raises exc_type, False when it returns (for a check either way)."""
    try:
        fn(*args, **kw)
    except exc_type:
        return True
    return False


def raises(exc_type, fn, *args):
    """Assert that fn(*args) raises exc_type (pytest.raises is not on MicroPython)."""
    try:
        fn(*args)
    except exc_type:
        return
    raise AssertionError("%s not raised" % exc_type.__name__)


def key_file(name):
    """The text of one RTDS keystore file."""
    with open(keystore_path() + "/" + name) as f:
        return f.read()
