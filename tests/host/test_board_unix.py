"""The unix board end to end: `micropython boards/unix/main.py` as a real process, a real mosquitto
on a free 127.0.0.1 port, and the host head end (smets_fleet.headend over the host MQTT transport)
driving it exactly as it drives a fleet device.

* The board answers a top-up (CS01a), a balance read (ECS82), a debt register reset (ECS07R1) and a
  firmware activation (CS06): every frame it sends validates at the head end (authentic, correlated,
  decoded) and is byte for byte what the same configuration built on CPython sends for the same
  command at the same time; the answers mean what the commands asked (the balance is the amount
  topped up, the running firmware is the image's version).
* Power cut: the board is killed (SIGKILL) in the middle of writing its state and restarted, again
  and again; every committed state file restores, and no top-up the head end had an answer to is
  lost (nor is any credited twice).
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import time
from pathlib import Path
from typing import Any

from board_support import BoardProcess, Broker, image_hash, ota_image

from smets import topics
from smets.build import build_premises
from smets.wire import frame as wire
from smets_fleet.board import board_config
from smets_fleet.crypto_host import HostCrypto
from smets_fleet.headend import Alert, HeadEnd, Invalid, Response
from smets_fleet.mqtt import MqttTransport

SEED = "board-test"
NUMBER = 42
VERSION = 0x00020001
IMAGE = ota_image(VERSION, b"new meter firmware " * 6)
IN_LINE = re.compile(r"in: ([0-9a-f]{16}) at (\d+), (\d+) frame\(s\) out")
PENCE = 1000  # the meter's money unit is 10^-5 GBP


def _config(tmp: Path, port: int, **extra: Any) -> tuple[dict[str, Any], Path]:
    cfg = board_config(NUMBER, SEED, "unix", ("esme",), broker="127.0.0.1", port=port)
    cfg["firmware_image"] = IMAGE.hex()
    cfg["tick_interval"] = 1
    cfg.update(extra)
    path = tmp / "board.json"
    path.write_text(json.dumps(cfg))
    return cfg, path


class HeadEndSide:
    """The head end on the broker: builds commands, and checks every frame the board sends."""

    def __init__(self, cfg: dict[str, Any]) -> None:
        self.he = HeadEnd.for_seed(HostCrypto(), SEED)
        self.esme = bytes.fromhex(cfg["premises"]["esme"]["eui"])
        self.down = topics.down(bytes.fromhex(cfg["premises"]["chf"]["eui"]))
        self.frames: list[bytes] = []
        self.results: dict[int, list[Response]] = {}  # command counter -> its answers
        self.alerts: list[Alert] = []
        self.invalid: list[Invalid] = []  # frames the head end refuses
        self.event = asyncio.Event()
        self.transport: MqttTransport | None = None
        self.link: Any = None

    async def connect(self, port: int) -> None:
        self.transport = MqttTransport("mqtt://127.0.0.1:%d" % port)
        self.link = await self.transport.connect("head-end-test", [topics.up_wildcard()], self.on_message)
        await asyncio.sleep(0.2)  # the transport does not await the SUBACK; let the broker take it

    def on_message(self, topic: str, payload: bytes) -> None:
        self.frames.append(payload)
        result = self.he.receive(payload, time.time())
        if isinstance(result, Response):
            self.results.setdefault(result.pending.counter, []).append(result)
        elif isinstance(result, Alert):
            self.alerts.append(result)
        else:
            self.invalid.append(result)
        self.event.set()

    async def send(self, sr: str, params: dict[str, Any]) -> tuple[bytes, int]:
        frame, pending = self.he.build(sr, self.esme, params, time.time())
        await self.link.publish(self.down, frame)
        return frame, pending.counter

    async def answer(self, counter: int, timeout: float = 30.0) -> Response:
        async def wait() -> Response:
            while counter not in self.results:
                self.event.clear()
                await self.event.wait()
            return self.results[counter][0]

        return await asyncio.wait_for(wait(), timeout)

    def answered(self, counter: int) -> bool:
        return any(wire.parse(b).counter == counter for b in self.frames)

    async def close(self) -> None:
        if self.transport is not None:
            await self.transport.close()


async def _shut_down(side: HeadEndSide | None, board: BoardProcess | None, broker: Broker) -> None:
    """What each test's `finally` ends: the head end's connection, the board process, the broker."""
    if side is not None:
        await side.close()
    if board is not None:
        board.stop()
    broker.stop()


def _handled(board: BoardProcess) -> list[tuple[str, int, int]]:
    return [(m.group(1), int(m.group(2)), int(m.group(3))) for m in IN_LINE.finditer(board.text())]


async def test_the_unix_board_answers_the_head_end_like_a_fleet_device(tmp_path: Path) -> None:
    broker = Broker(tmp_path)
    board = None
    side = None
    try:
        cfg, path = _config(tmp_path, broker.port)
        board = BoardProcess(tmp_path, path)
        board.start()
        log = board.wait_for("mqtt: connected")
        match = re.search(r"state: new premises at (\d+)", log)
        assert match is not None
        built_at = int(match.group(1))
        side = HeadEndSide(cfg)
        await side.connect(broker.port)

        requests: list[tuple[str, dict[str, Any]]] = [
            ("top-up", {"amount": 2500}),
            ("read-balance", {}),
            ("reset-debt", {"register": "tdr1"}),
            ("activate-firmware", {"image_hash": image_hash(IMAGE).hex()}),
        ]
        sent = []
        answers = []
        for sr, params in requests:
            frame, counter = await side.send(sr, params)
            sent.append(frame)
            answers.append(await side.answer(counter))

        # Every answer validates at the head end, and says what the command asked for.
        for r in answers:
            assert r.ok, (r.pending.sr, r.error)
        assert answers[1].values["balance"] == 2500 * PENCE
        assert answers[3].values == {"outcome": "success", "version": "%08x" % VERSION}
        # Byte for byte what the same configuration built on CPython sends at the same times: every
        # response and alert, in order.
        handled = _handled(board)
        assert len(handled) == len(sent)
        ref = build_premises(cfg["premises"], HostCrypto(), built_at)
        ref.esme.meter.firmware.receive(IMAGE)
        expected = []
        for frame, (_digest, at, n_out) in zip(sent, handled):
            out = ref.receive(frame, at)
            assert len(out) == n_out
            expected += out
        deadline = time.monotonic() + 10
        while len(side.frames) < len(expected) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert side.frames == expected
        assert side.invalid == []  # every frame the board sent validates at the head end
        # The activation changed the running version: the meter's alert says so, authentic.
        assert [a.code for a in side.alerts] == [0x8F43]

        # The meter display (the unix HAL's status file) shows the credit; the relay is on.
        await asyncio.sleep(0.5)
        status = json.loads((tmp_path / "status.json").read_text())
        assert status["supply"] is True
        assert any("25.00" in line for line in status["display"])
    finally:
        await _shut_down(side, board, broker)


def _committed_balance(folder: Path, cfg: dict[str, Any]) -> int:
    """The ESME balance in the committed state file, read and restored on CPython (a corrupt or
    half-written file fails here)."""
    from smets import persist

    saved = persist.from_json((folder / "state.json").read_bytes())
    assert saved["v"] == 1 and isinstance(saved["seq"], int)
    premises = persist.load_premises(cfg["premises"], saved["state"], HostCrypto())
    return int(premises.esme.meter.account.balance)


async def test_a_power_cut_during_a_state_write_loses_nothing_acknowledged(tmp_path: Path) -> None:
    rng = random.Random(6)
    broker = Broker(tmp_path)
    board = None
    side = None
    try:
        # Slow writes (the store's test hook): a state write takes over half a second.
        cfg, path = _config(tmp_path, broker.port, store_write_delay_ms=25)
        board = BoardProcess(tmp_path, path)
        board.start()
        board.wait_for("mqtt: connected")
        side = HeadEndSide(cfg)
        await side.connect(broker.port)

        _, counter = await side.send("top-up", {"amount": 1000})
        assert (await side.answer(counter)).ok
        total = 1000
        tmp = tmp_path / "state.json.tmp"
        cuts_mid_write = 0
        for k in range(1, 5):
            pence = 100 * k
            _, counter = await side.send("top-up", {"amount": pence})
            while not tmp.exists():  # the board has begun saving the state this top-up made
                await asyncio.sleep(0.002)
            await asyncio.sleep(rng.uniform(0.0, 0.25))
            board.kill()
            mid_write = tmp.exists()
            acknowledged = side.answered(counter)
            # What survives the cut is a committed state, whole: the one before this top-up if the
            # cut fell inside its write, never one without a top-up the head end has had an answer to.
            committed = _committed_balance(tmp_path, cfg)
            assert committed in (total * PENCE, (total + pence) * PENCE)
            if mid_write:
                cuts_mid_write += 1
                assert committed == total * PENCE and not acknowledged
            if acknowledged:
                assert committed == (total + pence) * PENCE
            board.start()
            board.wait_for("mqtt: connected")
            # The broker delivers the unacknowledged command again: answered, and credited once.
            assert (await side.answer(counter)).ok
            total += pence
        assert cuts_mid_write >= 3  # the cuts did fall inside writes
        _, counter = await side.send("read-balance", {})
        assert (await side.answer(counter)).values["balance"] == total * PENCE
        assert "state: restored save" in board.text()
        # At least once, never lost: a response sent again after a cut (saved, published, cut before
        # the .ack) is a duplicate the head end recognises; nothing else is refused.
        for extra in side.invalid:
            assert extra.reason.startswith("no command pending") and extra.counter in side.results
    finally:
        await _shut_down(side, board, broker)


async def test_the_board_keeps_its_connection_alive_and_comes_back_after_a_broker_restart(
    tmp_path: Path,
) -> None:
    broker = Broker(tmp_path)
    board = None
    side = None
    try:
        cfg, path = _config(tmp_path, broker.port)
        cfg["broker"]["keepalive"] = 2  # mosquitto drops a client silent for 1.5 keepalives
        path.write_text(json.dumps(cfg))
        board = BoardProcess(tmp_path, path)
        board.start()
        board.wait_for("mqtt: connected")
        await asyncio.sleep(5)  # idle: only pings keep the connection
        assert "connection lost" not in board.text()

        port = broker.port
        broker.stop()
        board.wait_for("mqtt: connection lost")
        broker = Broker(tmp_path, port)  # same port, no session kept: the board subscribes again
        deadline = time.monotonic() + 30
        while board.text().count("mqtt: connected") < 2:
            assert time.monotonic() < deadline, board.text()
            await asyncio.sleep(0.1)
        side = HeadEndSide(cfg)
        await side.connect(broker.port)
        _, counter = await side.send("top-up", {"amount": 700})
        assert (await side.answer(counter)).ok
    finally:
        await _shut_down(side, board, broker)
