"""Device state in flash, replaced atomically: a power cut at any moment leaves either the old state
or the new one, never a mixture.

``save(obj)`` writes JSON to ``<path>.tmp`` (buffered, flushed, closed, ``os.sync()`` where the
port has it) and then renames it over ``<path>``. The rename is the commit: on LittleFS (the
ESP32 and RP2 default) and on POSIX (the unix port) it replaces the old file in one step. On boot
``load()`` prefers ``<path>``; a ``<path>.tmp`` left by a cut during a write is incomplete and is
removed, unless ``<path>`` itself is missing or unreadable, in which case a complete temp file (one
that parses) is the newest good state and is renamed into place. A state file that does not parse
is kept aside as ``<path>.bad`` rather than overwritten, so nothing is silently destroyed.

A saved object is a dict with ``"v"`` (format) and ``"seq"`` (a save counter). ``<path>.ack`` holds
the ``seq`` whose outbound frames the broker has acknowledged (see app.py): a small file written
the same way.
"""

import io
import json
import os
import time

FORMAT = 1
_CHUNK = 512


def _sync():
    s = getattr(os, "sync", None)
    if s is not None:
        s()


def _exists(path):
    try:
        os.stat(path)
        return True
    except OSError:
        return False


def _remove(path):
    try:
        os.remove(path)
    except OSError:
        pass


class _Buffered(io.IOBase):  # a stream object, as MicroPython's json.dump requires
    """A write-only stream for json.dump: collects the many small writes into `buf` (one block the
    store keeps, so a save allocates no buffer in a fragmented heap) and writes it when full.
    ``delay_ms`` (a test hook) sleeps after each block so a test can cut power mid-write."""

    def __init__(self, f, buf, delay_ms=0):
        self.f = f
        self.buf = memoryview(buf)
        self.n = 0
        self.delay_ms = delay_ms
        self.size = 0

    def write(self, data):
        if isinstance(data, str):
            data = data.encode()
        src = memoryview(data)
        i = 0
        while i < len(src):
            k = min(len(self.buf) - self.n, len(src) - i)
            self.buf[self.n : self.n + k] = src[i : i + k]
            self.n += k
            i += k
            if self.n == len(self.buf):
                self.flush()
        return len(data)

    def flush(self):
        if self.n:
            self.f.write(self.buf[: self.n])
            self.size += self.n
            self.n = 0
            if self.delay_ms:
                time.sleep_ms(self.delay_ms) if hasattr(time, "sleep_ms") else time.sleep(
                    self.delay_ms / 1000
                )


class Store:
    """``encode(obj, write)`` writes obj as JSON text through write(str) and ``decode(stream)``
    reads it back (smets.persist.write_json / from_json: bytes as base64, streamed); plain json
    when not given."""

    def __init__(self, path, write_delay_ms=0, log=None, encode=None, decode=None):
        self.path = path
        self.tmp = path + ".tmp"
        self.ack_path = path + ".ack"
        self.write_delay_ms = write_delay_ms
        self.log = log or (lambda msg: None)
        self.encode = encode
        self.decode = decode
        self.last_size = 0
        self.buf = bytearray(_CHUNK)

    # -- writing ---------------------------------------------------------------------------------
    def _write(self, path, obj):
        tmp = path + ".tmp"
        f = open(tmp, "wb")
        try:
            w = _Buffered(f, self.buf, self.write_delay_ms)
            if self.encode is not None:
                self.encode(obj, w.write)
            else:
                json.dump(obj, w)
            w.flush()
            f.flush()
            self.last_size = w.size
        finally:
            f.close()
        _sync()
        os.rename(tmp, path)  # the commit
        _sync()

    def save(self, obj):
        self._write(self.path, obj)

    def save_ack(self, seq):
        self._write(self.ack_path, {"v": FORMAT, "seq": seq})

    # -- reading ---------------------------------------------------------------------------------
    def _read(self, path):
        """The object in `path`, or None when it is missing or not a complete saved state."""
        try:
            f = open(path, "rb")
        except OSError:
            return None
        try:
            obj = self.decode(f) if self.decode is not None else json.load(f)
        except (ValueError, OSError, MemoryError):
            return False  # present but unreadable
        finally:
            f.close()
        if not isinstance(obj, dict) or obj.get("v") != FORMAT or not isinstance(obj.get("seq"), int):
            return False
        return obj

    def load(self):
        """The last committed state, or None on a first boot."""
        obj = self._read(self.path)
        if obj:
            if _exists(self.tmp):
                self.log("store: discarding an unfinished write (%s)" % self.tmp)
                _remove(self.tmp)
            return obj
        if obj is False:
            self.log("store: %s is unreadable; kept as %s.bad" % (self.path, self.path))
            _remove(self.path + ".bad")
            os.rename(self.path, self.path + ".bad")
        tmp = self._read(self.tmp)
        if tmp:
            # Only possible where a rename is not atomic (the old file went first): finish it.
            self.log("store: completing the interrupted replace from %s" % self.tmp)
            os.rename(self.tmp, self.path)
            _sync()
            return tmp
        if tmp is False:
            _remove(self.tmp)
        return None

    def load_ack(self):
        obj = self._read(self.ack_path)
        _remove(self.ack_path + ".tmp")
        return obj["seq"] if obj else 0
