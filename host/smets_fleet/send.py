"""`smets-fleet send` (one service request to one device, the decoded response printed) and
`smets-fleet keystore` (the test PKI's keystore for a seed and a range of premises).

Without --broker, `send` builds premises N in this process, fresh, at the wall clock's time, and
hands it the command (a GSME's command is answered at its next wake-up, which the premises is
moved to; a command to the GPF goes in after the first wake-up, when the GPF holds its mirror).
With --broker mqtt://host:port it sends to a running fleet over MQTT and waits on that premises'
up topic; its counters start from the wall clock (smets_fleet.headend), so they are
above anything an earlier `send` used.

Exit status: 0 validated success; 1 the device answered with an error (or refused the command
with an alert); 2 bad input (unknown service request, bad parameter, bad broker URL...), one line
on stderr; 3 no valid response (timeout, broker unreachable, nothing or nothing authentic back).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import click

from smets import topics

EXIT_OK = 0
EXIT_DEVICE_ERROR = 1
EXIT_BAD_INPUT = 2
EXIT_NO_RESPONSE = 3
MONEY_KEYS = ("balance", "ec_balance", "accumulated_debt", "pdr", "tdr1", "tdr2", "amount", "credited")


def _fail(message: str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    click.echo("smets-fleet: %s" % message, err=True)
    sys.exit(code)


def parse_params(pairs: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            _fail("--param expects NAME=VALUE, got %r" % pair)
        out[key.strip()] = value.strip()
    return out


def money(v: int) -> str:
    sign = "-" if v < 0 else ""
    return "%s£%d.%05d" % (sign, abs(v) // 100000, abs(v) % 100000)


def format_text(obj: dict[str, Any]) -> str:
    r = obj.get("response")
    lines = []
    if r is not None:
        status = "OK" if r["ok"] else "ERROR: %s" % r["error"]
        lines.append(
            "%s %s (0x%s, %s) to %s %s, counter %d: %s"
            % (
                r["sr"],
                r["use_case"],
                r["message_code"][2:],
                "critical" if r["critical"] else "non-critical",
                r["kind"].upper(),
                r["device"],
                r["counter"],
                status,
            )
        )
        for key, value in r["values"].items():
            if key in MONEY_KEYS and isinstance(value, int):
                value = "%s (%d)" % (money(value), value)
            elif isinstance(value, list):
                value = "%d entries" % len(value) + "".join("\n    %s" % json.dumps(v) for v in value)
            lines.append("  %s: %s" % (key, value))
    for a in obj.get("alerts", []):
        lines.append(
            "alert %s %s from %s (counter %d)" % (a["alert_code"], a["alert"], a["device"], a["counter"])
        )
    for i in obj.get("invalid", []):
        lines.append("refused frame: %s" % i["reason"])
    if obj.get("error"):
        lines.append(obj["error"])
    return "\n".join(lines)


def _device_eui(sr: str, number: int, kind: str | None) -> tuple[bytes, str]:
    from smets_fleet import identity, srv

    kinds = srv.kinds_for(sr)
    if not kinds:
        _fail("unknown service request %r (smets-fleet send --list shows them)" % sr)
    if kind is None:
        kind = kinds[0]
    elif kind not in kinds:
        _fail("%s is not sent to a %s (only to: %s)" % (srv.canonical(sr), kind, ", ".join(kinds)))
    try:
        return identity.device_eui(kind, number), kind
    except (ValueError, KeyError) as exc:
        _fail(str(exc))


def in_process(sr: str, eui: bytes, number: int, seed: str, params: dict[str, Any]) -> dict[str, Any]:
    """Send to a fresh premises built here; the result object (response, alerts, refused frames)."""
    from smets.behaviour.timeutil import UNIX_OFFSET
    from smets.build import build_premises
    from smets_fleet import headend, identity, srv
    from smets_fleet.crypto_host import HostCrypto

    provider = HostCrypto()
    now = int(time.time()) - UNIX_OFFSET
    he = headend.HeadEnd.for_seed(provider, seed, headend.wallclock_counter_floor())
    try:
        frame, pending = he.build(sr, eui, params, float(now))
    except srv.SrError as exc:
        _fail(str(exc))
    premises = build_premises(identity.premises_config(provider, number, seed), provider, now)
    if pending.kind == "gpf":  # the GPF answers from its mirror of the GSME, made at a wake-up
        now = premises.next_wake
        premises.tick(now)
    out = premises.receive(frame, now)
    if pending.key in he.pending and premises.gsme is not None and premises.gsme_queue:
        now = premises.next_wake  # the sleepy GSME takes its commands when it wakes
        out += premises.tick(now)
    return _collect([he.receive(f, float(now)) for f in out])


def _collect(results: list[Any]) -> dict[str, Any]:
    from smets_fleet.headend import Alert, Invalid, Response

    obj: dict[str, Any] = {"response": None, "alerts": [], "invalid": []}
    given = {id(r) for r in results}
    for r in results:
        if isinstance(r, Response):
            obj["response"] = r.to_json()
            if r.alert is not None and id(r.alert) not in given:  # the ECS100 that ended it
                obj["alerts"].append(r.alert.to_json())
        elif isinstance(r, Alert):
            obj["alerts"].append(r.to_json())
        elif isinstance(r, Invalid):
            obj["invalid"].append(r.to_json())
    return obj


async def over_mqtt(
    url: str, sr: str, eui: bytes, seed: str, params: dict[str, Any], fleet: str, timeout: float, retries: int
) -> dict[str, Any]:
    """Send to a running fleet through the broker; the result object."""
    from smets_fleet import headend, srv
    from smets_fleet.client import HeadEndClient, RequestTimeout
    from smets_fleet.crypto_host import HostCrypto
    from smets_fleet.transport import TransportError

    try:
        from smets_fleet.mqtt import MqttTransport
    except ImportError as exc:  # the MQTT transport is the fleet runtime's
        _fail("MQTT transport not available (smets_fleet.mqtt): %s" % exc, EXIT_NO_RESPONSE)
    provider = HostCrypto()
    he = headend.HeadEnd.for_seed(provider, seed, headend.wallclock_counter_floor())
    try:
        transport = MqttTransport(url)
    except TransportError as exc:
        _fail(str(exc))
    try:
        chf = he.device(eui).chf
    except srv.SrError as exc:
        _fail(str(exc))
    results: list[Any] = []
    client = HeadEndClient(
        transport,
        he,
        fleet=fleet,
        client_id="smets-fleet-send-%d" % os.getpid(),
        on_alert=results.append,
        on_invalid=results.append,
        subscriptions=[topics.up(chf, fleet)],
    )
    try:
        await client.start()
    except TransportError as exc:
        await transport.close()
        _fail(str(exc), EXIT_NO_RESPONSE)
    error = None
    try:
        results.append(await client.request(sr, eui, params, timeout, retries))
    except srv.SrError as exc:
        await transport.close()
        _fail(str(exc))
    except (RequestTimeout, TransportError) as exc:
        error = str(exc)
    finally:
        await client.close()
        await transport.close()
    obj = _collect(results)
    obj["error"] = error
    return obj


@click.command()
@click.argument("sr", required=False, metavar="SR")
@click.option("--premises", "number", type=int, metavar="N", help="Premises number (which devices).")
@click.option("--param", "pairs", multiple=True, metavar="NAME=VALUE", help="A parameter of the request.")
@click.option("--seed", default="smets-fleet", show_default=True, help="Seed the fleet's keys derive from.")
@click.option(
    "--device", "kind", metavar="KIND", help="esme, gsme or gpf (default: the first that takes SR)."
)
@click.option("--broker", metavar="URL", help="mqtt://host:port of a running fleet (default: in process).")
@click.option("--fleet", "fleet_name", default=topics.DEFAULT_FLEET, show_default=True, help="Fleet name.")
@click.option(
    "--timeout", type=float, default=10.0, show_default=True, help="Seconds per attempt (--broker)."
)
@click.option("--retries", type=int, default=2, show_default=True, help="Retries after a timeout (--broker).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--list", "show_list", is_flag=True, help="List the service requests and their parameters.")
def send(
    sr: str | None,
    number: int | None,
    pairs: tuple[str, ...],
    seed: str,
    kind: str | None,
    broker: str | None,
    fleet_name: str,
    timeout: float,
    retries: int,
    as_json: bool,
    show_list: bool,
) -> None:
    """Send one service request SR (a name from --list, or its SRV number) to a device of premises N
    and print the validated, decoded response.

    Exit status: 0 success, 1 the device answered with an error, 2 bad input, 3 no valid response.
    """
    from smets_fleet import srv

    if show_list:
        click.echo("\n".join(srv.listing()))
        sys.exit(EXIT_OK)
    if sr is None:
        _fail("give a service request (smets-fleet send --list shows them)")
    if number is None:
        _fail("give --premises N")
    if timeout <= 0 or retries < 0:
        _fail("--timeout must be positive and --retries at least 0")
    params = parse_params(pairs)
    eui, kind = _device_eui(sr, number, kind)
    if broker is None:
        obj = in_process(sr, eui, number, seed, params)
    else:
        obj = asyncio.run(over_mqtt(broker, sr, eui, seed, params, fleet_name, timeout, retries))
    response = obj.get("response")
    if response is None and not obj.get("error"):
        obj["error"] = "no response from the device"
    click.echo(json.dumps(obj) if as_json else format_text(obj))
    if response is None:
        sys.exit(EXIT_NO_RESPONSE)
    sys.exit(EXIT_OK if response["ok"] else EXIT_DEVICE_ERROR)


def parse_range(text: str) -> range:
    """ "N", "A-B" or "A..B" (inclusive) -> range."""
    t = text.strip()
    for sep in ("..", "-"):
        if sep in t:
            a, _, b = t.partition(sep)
            try:
                lo, hi = int(a), int(b)
            except ValueError:
                break
            if lo < 0 or hi < lo:
                break
            return range(lo, hi + 1)
    else:
        try:
            n = int(t)
        except ValueError:
            n = -1
        if n >= 0:
            return range(n, n + 1)
    _fail("--premises expects N, A-B or A..B (inclusive, A <= B), got %r" % text)


@click.command()
@click.argument("out_dir", metavar="OUT")
@click.option("--seed", default="smets-fleet", show_default=True, help="Seed the keys derive from.")
@click.option(
    "--premises", "premises_range", default="", metavar="RANGE", help="N, A-B or A..B: device certificates."
)
@click.option("--meters", default="esme,gsme", show_default=True, help="Meters of each premises.")
def keystore(out_dir: str, seed: str, premises_range: str, meters: str) -> None:
    """Write the test PKI's keystore into OUT: CA certificates, the remote parties' certificates and
    private keys (<eui>-ds|ka|pp-ka.pem/.key), each device's DS and KA certificates."""
    from smets_fleet import pki
    from smets_fleet.crypto_host import HostCrypto
    from smets_fleet.identity import MAX_PREMISES, PREMISES_KINDS

    numbers = parse_range(premises_range) if premises_range else range(0)
    if numbers and numbers.stop > MAX_PREMISES:
        _fail("--premises beyond the largest premises number %d" % (MAX_PREMISES - 1))
    mix = tuple(m.strip() for m in meters.split(",") if m.strip())
    bad = [m for m in mix if m not in PREMISES_KINDS]
    if bad or not mix:
        _fail("--meters: a comma-separated list of %s" % ", ".join(PREMISES_KINDS))
    try:
        written = pki.write_keystore(Path(out_dir), HostCrypto(), seed, numbers, mix)
    except OSError as exc:
        _fail("cannot write %s: %s" % (out_dir, exc.strerror or exc))
    click.echo("%d files written to %s (%d premises)" % (len(written), out_dir, len(numbers)))
