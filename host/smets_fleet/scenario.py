"""Soak scenarios: a small TOML file saying which fleet to run, how hard to drive it and with which
mix of service requests. ``load(path, known_srs)`` returns a checked ``Scenario`` or raises
``ScenarioError`` with one line naming the file and the field.

Example (docs/soak-example.toml)::

    [fleet]
    premises = 100            # premises numbers 0..99 (or first = 1000 to start elsewhere)
    meters = ["esme", "gsme"]
    seed = "smets-fleet"
    speed = "x3600"           # the fleet's clock (xN or realtime); default x3600
    start = "2025-01-06T06:15:00Z"   # simulated start (UTC) or "now"

    [soak]
    duration = "60s"          # how long requests are offered (s, m, h suffixes)
    rate = 200                # service requests per second, across the fleet
    timeout = 5.0             # seconds to wait for a response before a retry
    retries = 2
    concurrency = 1000        # at most this many requests in flight

    [[setup]]                 # sent once to every meter it names, in order, before the soak
    sr = "payment-mode"
    params = { mode = "prepayment" }

    [[mix]]
    sr = "top-up"             # a name from `smets-fleet send --list`
    weight = 2
    device = "esme"           # optional: which meter of the premises
    params = { amount = 1000 }

    [[mix]]
    sr = "read-balance"
    weight = 8
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from smets_fleet.clock import ClockError, parse_speed

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DEFAULT_SPEED = "x3600"  # a sleepy GSME wakes every half-hour: every 0.5 s of real time
DEFAULT_START = "2025-01-06T06:15:00Z"
_UNITS = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


class ScenarioError(ValueError):
    pass


@dataclass(frozen=True)
class MixEntry:
    sr: str
    weight: float
    device: str | None = None
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Scenario:
    premises: int
    first: int
    meters: tuple[str, ...]
    seed: str
    duration: float
    rate: float
    timeout: float
    retries: int
    concurrency: int
    mix: tuple[MixEntry, ...]
    setup: tuple[MixEntry, ...] = ()  # sent once to every meter (of `device`) before the soak
    speed: str = DEFAULT_SPEED  # the fleet's clock: xN or realtime (smets_fleet.clock)
    start: str | None = DEFAULT_START  # simulated start, UTC (None: now)

    def premises_numbers(self) -> range:
        return range(self.first, self.first + self.premises)


def duration_seconds(value: Any, where: str) -> float:
    """60, 60.0, "60s", "10m", "2h", "1d" -> seconds."""
    if isinstance(value, bool):
        raise ScenarioError("%s: expected a duration, not a boolean" % where)
    if isinstance(value, (int, float)):
        seconds = float(value)
    elif isinstance(value, str):
        text = value.strip().lower()
        unit = text[-1:] if text[-1:] in _UNITS and not text[-1:].isdigit() else ""
        number = text[: len(text) - len(unit)] if unit else text
        try:
            seconds = float(number) * _UNITS[unit]
        except ValueError:
            raise ScenarioError('%s: %r is not a duration (e.g. 90, "90s", "10m")' % (where, value)) from None
    else:
        raise ScenarioError("%s: expected a duration" % where)
    if not seconds > 0:
        raise ScenarioError("%s: must be positive" % where)
    return seconds


def _number(table: dict[str, Any], key: str, default: Any, where: str, kind: type, minimum: float) -> Any:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ScenarioError("%s.%s: expected a number" % (where, key))
    if kind is int and value != int(value):
        raise ScenarioError("%s.%s: expected a whole number" % (where, key))
    if value < minimum:
        raise ScenarioError("%s.%s: must be at least %s" % (where, key, minimum))
    return kind(value)


def parse(data: dict[str, Any], known_srs: Iterable[str] | None = None) -> Scenario:
    known = set(known_srs) if known_srs is not None else None
    for key in data:
        if key not in ("fleet", "soak", "mix", "setup"):
            raise ScenarioError("unknown section [%s] (fleet, soak, mix, setup)" % key)
    fleet = data.get("fleet", {})
    soak = data.get("soak", {})
    if not isinstance(fleet, dict) or not isinstance(soak, dict):
        raise ScenarioError("[fleet] and [soak] must be tables")
    meters = fleet.get("meters", ["esme", "gsme"])
    if not isinstance(meters, list) or not meters or any(m not in ("esme", "gsme") for m in meters):
        raise ScenarioError('fleet.meters: a list of "esme" and/or "gsme"')
    mix_rows = data.get("mix")
    if not isinstance(mix_rows, list) or not mix_rows:
        raise ScenarioError("[[mix]]: at least one service request")
    mix = _entries(mix_rows, "mix", known, meters)
    setup_rows = data.get("setup", [])
    if not isinstance(setup_rows, list):
        raise ScenarioError("[[setup]]: must be an array of tables")
    setup = _entries(setup_rows, "setup", known, meters)
    speed = fleet.get("speed", DEFAULT_SPEED)
    try:
        if not isinstance(speed, str) or parse_speed(speed)[0] == "fast":
            raise ClockError(speed)
    except ClockError:
        raise ScenarioError('fleet.speed: "realtime" or "xN" (N times real time), not %r' % speed) from None
    start = fleet.get("start", DEFAULT_START)
    if not isinstance(start, str):
        raise ScenarioError('fleet.start: a UTC date-time string such as "2025-01-06T06:15:00Z", or "now"')
    if not sum(m.weight for m in mix) > 0:
        raise ScenarioError("[[mix]]: the weights add up to zero")
    seed = fleet.get("seed", "smets-fleet")
    if not isinstance(seed, str):
        raise ScenarioError("fleet.seed: expected a string")
    return Scenario(
        premises=_number(fleet, "premises", 10, "fleet", int, 1),
        first=_number(fleet, "first", 0, "fleet", int, 0),
        meters=tuple(meters),
        seed=seed,
        duration=duration_seconds(soak.get("duration", 60), "soak.duration"),
        rate=_number(soak, "rate", 10, "soak", float, 0.001),
        timeout=_number(soak, "timeout", 5.0, "soak", float, 0.001),
        retries=_number(soak, "retries", 2, "soak", int, 0),
        concurrency=_number(soak, "concurrency", 1000, "soak", int, 1),
        mix=tuple(mix),
        setup=tuple(setup),
        speed=speed.strip().lower(),
        start=None if start.strip().lower() == "now" else start,
    )


def _entries(rows: list[Any], section: str, known: set[str] | None, meters: list[str]) -> list[MixEntry]:
    out = []
    for i, row in enumerate(rows):
        where = "%s[%d]" % (section, i)
        if not isinstance(row, dict) or not isinstance(row.get("sr"), str):
            raise ScenarioError("%s.sr: the service request's name is missing" % where)
        sr = row["sr"]
        if known is not None and sr not in known:
            raise ScenarioError(
                "%s.sr: unknown service request %r (known: %s)" % (where, sr, ", ".join(sorted(known)))
            )
        params = row.get("params", {})
        if not isinstance(params, dict):
            raise ScenarioError("%s.params: must be a table" % where)
        device = row.get("device")
        if device is not None and device not in meters:
            raise ScenarioError("%s.device: %r is not one of fleet.meters" % (where, device))
        out.append(MixEntry(sr, _number(row, "weight", 1, where, float, 0), device, dict(params)))
    return out


def load(path: Path | str, known_srs: Iterable[str] | None = None) -> Scenario:
    path = Path(path)
    try:
        text = path.read_bytes()
    except OSError as exc:
        raise ScenarioError("%s: cannot read (%s)" % (path, exc.strerror or exc)) from None
    try:
        data = tomllib.loads(text.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ScenarioError("%s: not valid TOML (%s)" % (path, exc)) from None
    try:
        return parse(data, known_srs)
    except ScenarioError as exc:
        raise ScenarioError("%s: %s" % (path, exc)) from None
