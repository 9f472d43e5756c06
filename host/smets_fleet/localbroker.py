"""A mosquitto of our own on a free 127.0.0.1 port, for tests and benchmarks.

``LocalMosquitto(folder)`` writes a small configuration (anonymous access on 127.0.0.1 only,
TCP_NODELAY on — mosquitto's default is off — no connection limit, a deep queue) into `folder`,
starts the broker and waits until it listens. ``find_mosquitto()`` is None when the binary is
absent, so callers can skip with a clear reason.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType

SYSTEM_PATHS = ("/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto", "/opt/homebrew/sbin/mosquitto")


def find_mosquitto() -> str | None:
    exe = shutil.which("mosquitto")
    if exe:
        return exe
    for path in SYSTEM_PATHS:
        if os.path.exists(path):
            return path
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), 0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("nothing listens on 127.0.0.1:%d" % port)


class LocalMosquitto:
    def __init__(self, folder: Path, port: int | None = None, exe: str | None = None) -> None:
        exe = exe or find_mosquitto()
        if exe is None:
            raise FileNotFoundError("no mosquitto binary (apt-get install mosquitto)")
        self.port = port if port is not None else free_port()
        self.url = "mqtt://127.0.0.1:%d" % self.port
        folder.mkdir(parents=True, exist_ok=True)
        conf = folder / "mosquitto.conf"
        conf.write_text(
            "listener %d 127.0.0.1\nallow_anonymous true\nset_tcp_nodelay true\n"
            "max_connections -1\nmax_queued_messages 100000\n" % self.port
        )
        self.log = open(folder / "mosquitto.log", "a")
        self.proc = subprocess.Popen([exe, "-c", str(conf)], stdout=self.log, stderr=self.log)
        try:
            wait_port(self.port)
        except RuntimeError:
            self.stop()
            raise

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    def __enter__(self) -> LocalMosquitto:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
