"""`smets-fleet send` and `smets-fleet keystore` as a user runs them (a subprocess): the decoded
response and exit 0, a device-level error and exit 1, one-line errors and exit 2 for bad input, and
`send --broker` against premises answering over a real mosquitto (skipped without the binary)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path

from board_support import Broker

from smets import topics
from smets.build import build_premises
from smets.security import utrn as ut
from smets.timeutil import UNIX_OFFSET
from smets_fleet import identity
from smets_fleet.crypto_host import HostCrypto
from smets_fleet.keystore import load_keystore
from smets_fleet.mqtt import MqttTransport

CLI = [sys.executable, "-c", "from smets_fleet.cli import main; main()"]
PENCE = 1000


def run(*args: str, timeout: float = 120) -> tuple[int, str, str]:
    p = subprocess.run(CLI + list(args), capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def one_line_error(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert lines[0].startswith("smets-fleet: ")
    return lines[0]


def test_send_top_up_prints_the_validated_response():
    code, out, err = run("send", "top-up", "--premises", "7", "--param", "amount=1250", "--json")
    assert code == 0, err
    obj = json.loads(out)
    r = obj["response"]
    assert r["ok"] and r["sr"] == "top-up" and r["use_case"] == "CS01a" and r["message_code"] == "0x0007"
    assert r["device"] == identity.device_eui("esme", 7).hex() and not r["critical"]
    assert r["values"]["amount"] == 1250 * PENCE
    assert ut.decode_utrn(r["values"]["utrn"]).value == 1250
    assert obj["invalid"] == []


def test_send_text_output_and_srv_number():
    code, out, err = run("send", "4.18", "--premises", "2", "--device", "gsme")
    assert code == 0, err
    assert "read-balance GCS60a" in out and identity.device_eui("gsme", 2).hex() in out and "OK" in out
    assert "balance: £0.00000 (0)" in out


def test_send_device_error_exits_1():
    # a fresh ESME is in credit mode: emergency credit cannot be activated (DLMS other-reason)
    code, out, err = run("send", "activate-ec", "--premises", "1", "--json")
    assert code == 1, err
    r = json.loads(out)["response"]
    assert not r["ok"] and "other-reason" in r["error"]


def test_bad_input_is_one_line_and_exit_2():
    cases = [
        (("send", "warp-drive", "--premises", "1"), "unknown service request 'warp-drive'"),
        (("send", "top-up", "--premises", "1", "--param", "amount=lots"), "expected an integer"),
        (("send", "top-up", "--premises", "1", "--param", "amount"), "NAME=VALUE"),
        (("send", "top-up", "--premises", "1"), "needs --param amount"),
        (("send", "read-log", "--premises", "1", "--device", "esme"), "not sent to a esme"),
        (
            ("send", "top-up", "--premises", "1", "--param", "amount=5", "--broker", "http://x"),
            "bad broker URL",
        ),
        (("send", "top-up"), "--premises"),
        (("keystore", "/tmp/x", "--premises", "9-3"), "--premises expects"),
    ]
    for args, message in cases:
        code, out, err = run(*args)
        assert code == 2, (args, out, err)
        assert message in one_line_error(err), (args, err)


def test_list_names_every_request():
    code, out, err = run("send", "--list")
    assert code == 0
    for name in ("top-up (SRV 2.2)", "read-balance (SRV 4.18)", "reset-debt", "activate-firmware (SRV 11.3)"):
        assert name in out


def test_keystore_command(tmp_path: Path):
    code, out, err = run("keystore", str(tmp_path / "ks"), "--seed", "cli-ks", "--premises", "3-4")
    assert code == 0, err
    ring = load_keystore(tmp_path / "ks")
    p = HostCrypto()
    assert (
        ring.public(identity.device_eui("gsme", 4), "ka") == identity.device(p, "cli-ks", "gsme", 4).ka.public
    )
    assert ring.private(identity.PARTY_EUIS["acb"], "ka") == identity.party(p, "cli-ks", "acb").ka.private


def test_send_over_mqtt_to_a_premises(tmp_path: Path):
    broker = Broker(tmp_path)  # skips the test when there is no mosquitto binary
    try:
        asyncio.run(_over_mqtt(broker.port))
    finally:
        broker.stop()


async def _over_mqtt(port: int) -> None:
    """A premises (number 5) on the broker, answering on its CHF topics the way the fleet does;
    `send --broker` from another process tops its ESME up."""
    p = HostCrypto()
    now = int(time.time()) - UNIX_OFFSET
    premises = build_premises(identity.premises_config(p, 5, "smets-fleet"), p, now)
    chf = identity.device_eui("chf", 5)
    transport = MqttTransport("mqtt://127.0.0.1:%d" % port)
    link = None

    def on_down(topic: str, payload: bytes) -> None:
        for frame in premises.receive(payload, now):
            asyncio.ensure_future(link.publish(topics.up(chf), frame))

    link = await transport.connect("chf-5", [topics.down(chf)], on_down)
    try:
        proc = await asyncio.create_subprocess_exec(
            *CLI,
            "send",
            "top-up",
            "--premises",
            "5",
            "--param",
            "amount=300",
            "--broker",
            "mqtt://127.0.0.1:%d" % port,
            "--timeout",
            "10",
            "--json",
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(proc.communicate(), 120)
        assert proc.returncode == 0, err.decode()
        r = json.loads(out)["response"]
        assert r["ok"] and r["use_case"] == "CS01a" and r["values"]["amount"] == 300 * PENCE
        assert premises.esme.meter.account.balance == 300 * PENCE
    finally:
        await transport.close()
