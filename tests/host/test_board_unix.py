"""The unix board end to end: `micropython boards/unix/main.py` as a real process, a real mosquitto
on a free 127.0.0.1 port, the host's MQTT transport as the head end's link.

* The board answers a top-up (CS01a), a balance read (ECS82), a debt register reset (ECS07R1) and a
  firmware activation (CS06), each frame byte for byte what a fleet device built on CPython from the
  same configuration sends for the same command at the same time; and the answers mean what the
  commands asked (checked against the command, not the device).
* Power cut: the board is killed (SIGKILL) in the middle of writing its state and restarted; the
  last acknowledged top-up is still there and the state file is never corrupt.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
from pathlib import Path
from typing import Any

from board_support import BoardProcess, Broker, HeadEnd, image_hash, ota_image

from smets import topics
from smets.build import build_premises
from smets.security import protect
from smets.usecases.esme_model import TIME_DEBT_1
from smets.wire import der, dlms
from smets.wire import dlms_axdr as ax
from smets.wire import frame as wire
from smets_fleet import identity
from smets_fleet.board import board_config
from smets_fleet.crypto_host import HostCrypto
from smets_fleet.mqtt import MqttTransport

SEED = "board-test"
NUMBER = 42
IMAGE = ota_image(0x00020001, b"new meter firmware " * 6)
IN_LINE = re.compile(r"in: ([0-9a-f]{16}) at (\d+), (\d+) frame\(s\) out")


def _config(tmp: Path, port: int, **extra: Any) -> tuple[dict[str, Any], Path]:
    cfg = board_config(NUMBER, SEED, "unix", ("esme",), broker="127.0.0.1", port=port)
    cfg["firmware_image"] = IMAGE.hex()
    cfg["tick_interval"] = 1
    cfg.update(extra)
    path = tmp / "board.json"
    path.write_text(json.dumps(cfg))
    return cfg, path


class Listener:
    """The head end's side of the broker: every frame on smets/<fleet>/+/up."""

    def __init__(self) -> None:
        self.frames: list[bytes] = []
        self.event = asyncio.Event()

    def __call__(self, topic: str, payload: bytes) -> None:
        self.frames.append(payload)
        self.event.set()

    async def response_to(self, counter: int, timeout: float = 30.0) -> wire.Frame:
        async def wait() -> wire.Frame:
            while True:
                for b in self.frames:
                    f = wire.parse(b)
                    if f.cra == wire.CRA_RESPONSE and f.counter == counter:
                        return f
                self.event.clear()
                await self.event.wait()

        return await asyncio.wait_for(wait(), timeout)


async def _head_end(port: int, listener: Listener) -> tuple[MqttTransport, Any]:
    transport = MqttTransport("mqtt://127.0.0.1:%d" % port)
    link = await transport.connect("head-end-test", [topics.up_wildcard()], listener)
    await asyncio.sleep(0.2)  # the SUBSCRIBE is not awaited by the transport; let the broker take it
    return transport, link


def _handled(board: BoardProcess) -> list[tuple[str, int, int]]:
    return [(m.group(1), int(m.group(2)), int(m.group(3))) for m in IN_LINE.finditer(board.text())]


async def test_the_unix_board_answers_the_head_end_like_a_fleet_device(tmp_path: Path) -> None:
    broker = Broker(tmp_path)
    board = None
    transport = None
    try:
        cfg, path = _config(tmp_path, broker.port)
        board = BoardProcess(tmp_path, path)
        board.start()
        log = board.wait_for("mqtt: connected")
        built_at = int(re.search(r"state: new premises at (\d+)", log).group(1))

        host = HostCrypto()
        he = HeadEnd(host, identity.parties(host, SEED), cfg["premises"], "esme")
        chf = bytes.fromhex(cfg["premises"]["chf"]["eui"])
        listener = Listener()
        transport, link = await _head_end(broker.port, listener)

        c = 5 << 32
        commands = [
            he.top_up(c + 1, 25),
            he.read_balance(c + 2),
            he.reset_debt("ECS07R1", TIME_DEBT_1, c + 3),
            he.activate_firmware(image_hash(IMAGE), c + 4),
        ]
        answers = []
        for i, cmd in enumerate(commands):
            await link.publish(topics.down(chf), cmd)
            answers.append(await listener.response_to(c + 1 + i))

        # What each answer says, from the command and the GBCS rules (not from the device).
        top_up, balance, reset, activation = answers
        assert dlms.parse_payload(top_up.payload).results == [(dlms.ACTION, 0)]
        assert dlms.parse_payload(balance.payload).data == [(ax.T_DOUBLE_LONG, 25 * 100000)]
        assert dlms.parse_payload(reset.payload).results == [(dlms.ACTION, 0)]
        outcome = der.parse_payload(activation.payload)  # activated now: {0, the new running version}
        assert der.to_int(outcome[0]) == 0 and der.to_bytes(outcome[1]) == bytes.fromhex("00020001")
        supplier = he.supplier
        for f in answers:
            assert f.originator == he.eui and f.recipient == supplier.eui
            if f.signature:  # critical: signed with the device's DS key
                assert protect.verify_signature(host, f, he.ds_pub)
            else:  # non-critical: MACed to the supplier
                assert protect.verify_mac(host, f, supplier.ka.private, he.ka_pub)
        assert reset.signature and not balance.signature

        # Byte for byte what the same configuration built on CPython sends at the same times.
        handled = _handled(board)
        assert len(handled) == len(commands)
        ref = build_premises(cfg["premises"], host, built_at)
        ref.esme.meter.firmware.receive(IMAGE)
        for cmd, answer, (_digest, at, n_out) in zip(commands, answers, handled):
            expected = ref.receive(cmd, at)
            assert len(expected) == n_out
            responses = [f for f in expected if wire.parse(f).cra == wire.CRA_RESPONSE]
            assert responses == [wire.build(answer)]
        assert ref.esme.meter.firmware_version() == 0x00020001

        # The meter display (status file of the unix HAL) shows the credit.
        await asyncio.sleep(0.5)
        status = json.loads((tmp_path / "status.json").read_text())
        assert status["supply"] is True
        assert any("25.00" in line for line in status["display"])
    finally:
        if transport is not None:
            await transport.close()
        if board is not None:
            board.stop()
        broker.stop()


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
    transport = None
    try:
        # Slow writes (the store's test hook): a state write takes over half a second.
        cfg, path = _config(tmp_path, broker.port, store_write_delay_ms=25)
        board = BoardProcess(tmp_path, path)
        board.start()
        board.wait_for("mqtt: connected")
        host = HostCrypto()
        he = HeadEnd(host, identity.parties(host, SEED), cfg["premises"], "esme")
        down = topics.down(bytes.fromhex(cfg["premises"]["chf"]["eui"]))
        listener = Listener()
        transport, link = await _head_end(broker.port, listener)

        c = 7 << 32
        await link.publish(down, he.top_up(c, 10))
        r = await listener.response_to(c)
        assert dlms.parse_payload(r.payload).results == [(dlms.ACTION, 0)]
        total = 10
        tmp = tmp_path / "state.json.tmp"
        cuts_mid_write = 0
        for k in range(1, 5):
            counter, pounds = c + k, k
            await link.publish(down, he.top_up(counter, pounds))
            while not tmp.exists():  # the board has begun saving the state this top-up made
                await asyncio.sleep(0.002)
            await asyncio.sleep(rng.uniform(0.0, 0.25))
            board.kill()
            mid_write = tmp.exists()
            acknowledged = any(wire.parse(b).counter == counter for b in listener.frames)
            # What survives the cut is a committed state, whole: the one before this top-up if the
            # cut fell inside its write, never one without a top-up the head end has had an answer to.
            committed = _committed_balance(tmp_path, cfg)
            assert committed in (total * 100000, (total + pounds) * 100000)
            if mid_write:
                cuts_mid_write += 1
                assert committed == total * 100000 and not acknowledged
            if acknowledged:
                assert committed == (total + pounds) * 100000
            board.start()
            board.wait_for("mqtt: connected")
            # The broker delivers the unacknowledged command again; it is answered and credited once.
            r = await listener.response_to(counter)
            assert dlms.parse_payload(r.payload).results == [(dlms.ACTION, 0)]
            total += pounds
        assert cuts_mid_write >= 3  # the cuts did fall inside writes
        await link.publish(down, he.read_balance(c + 10))
        r = await listener.response_to(c + 10)
        assert dlms.parse_payload(r.payload).data == [(ax.T_DOUBLE_LONG, total * 100000)]
        assert "state: restored save" in board.text()
    finally:
        if transport is not None:
            await transport.close()
        if board is not None:
            board.stop()
        broker.stop()
