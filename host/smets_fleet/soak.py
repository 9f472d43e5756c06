"""``smets-fleet soak``: drive a mix of service requests at a rate over a fleet for a duration, check
every response, and say whether the money adds up.

Theory of operation. By default the fleet runs in this process (in-process transport, or each CHF
its own MQTT client with ``broker``) on a SoakClock (smets_fleet.soakclock: the scenario's ``xN``
speed, held when the soak needs to know the simulated time). ``external`` drives the premises of a
fleet run elsewhere (``smets-fleet run --broker``) over the same broker instead.

1. Setup: every ``[[setup]]`` request of the scenario goes once to every meter it names, in order
   (pipelined; a sleepy GSME takes them at its next wake-up, to which a held clock jumps).
2. Before: a read of every meter's prepayment registers.
3. Soak: open-loop arrivals at ``rate`` per second (evenly spaced, so the offered load does not
   depend on how fast answers come) for ``duration`` seconds of real time; each picks a mix entry by
   weight, a premises at random (seeded) and a meter that takes the request. At most
   ``concurrency`` requests are in flight, and at most ``PER_DEVICE`` per meter (a GSME's queue
   holds 16): an arrival beyond either is not sent and counted as ``overload``. Latency is measured
   from the arrival's scheduled time (no coordinated omission) to its validated response.
4. After: the registers again, at a held time away from charge boundaries.
5. The money check (smets_fleet.money) per meter, the report (smets_fleet.report) and a summary.

Every response is validated by the HeadEnd (signature or MAC, correlation, counter) and by the
fields its decoder must yield; what fails is counted by kind. Alerts are counted by code.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from smets import topics
from smets.timeutil import HOUR
from smets_fleet import identity, money, srv
from smets_fleet.clock import wall_core_time
from smets_fleet.latency import LatencyRecorder
from smets_fleet.scenario import MixEntry, Scenario

PER_DEVICE = 8
SETTLE_TIMEOUT = 30.0
FAR = 100 * 365 * 86400  # the fleet's run has no end of its own: the soak stops it
READ = "read-registers"
NEUTRAL = {"read-balance", "read-registers", "read-top-up-log", "read-log", "read-supply"}
REQUIRED_VALUES = {"read-balance": ("balance",), "read-registers": ("balance", "tdr1", "tdr2", "pdr")}


class SoakError(Exception):
    """The soak cannot go on (one line: why)."""


@dataclass
class SoakOptions:
    broker: str | None = None
    external: bool = False
    fleet_name: str = topics.DEFAULT_FLEET
    checkpoint_dir: str | None = None
    resume_dir: str | None = None
    arrivals_seed: int = 1
    on_progress: Callable[[SoakStats], None] | None = None


@dataclass
class SoakStats:
    """The soak phase's figures (and, for the report, the setup's and reads' errors)."""

    duration: float = 0.0
    offered: int = 0
    sent: int = 0
    ok: int = 0
    device_errors: int = 0
    timeouts: int = 0
    transport_errors: int = 0
    invalid_values: int = 0
    overload: int = 0
    in_flight: int = 0
    elapsed: float = 0.0
    by_sr: dict[str, dict[str, int]] = field(default_factory=dict)
    alerts: dict[int, int] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    latency: LatencyRecorder = field(default_factory=LatencyRecorder)
    sim_time: int = 0

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1

    def count(self, sr: str, outcome: str) -> None:
        row = self.by_sr.setdefault(sr, {})
        row[outcome] = row.get(outcome, 0) + 1

    @property
    def lost(self) -> int:
        """Requests sent that got no validated, well-formed response."""
        return self.timeouts + self.transport_errors + self.invalid_values

    def snapshot(self) -> dict[str, Any]:
        """The figures in smets_fleet.prom's shape."""
        return {
            "counters": {
                "soak_offered": self.offered,
                "soak_sent": self.sent,
                "soak_ok": self.ok,
                "soak_device_errors": self.device_errors,
                "soak_timeouts": self.timeouts,
                "soak_transport_errors": self.transport_errors,
                "soak_invalid_values": self.invalid_values,
                "soak_overload": self.overload,
            },
            "gauges": {"soak_in_flight": self.in_flight, "soak_sim_time_seconds": self.sim_time},
            "labelled": {
                "soak_alerts": ("code", {"0x%04X" % c: n for c, n in self.alerts.items()}),
                "soak_errors": ("kind", dict(self.errors)),
            },
            "latency": self.latency.all,
        }


@dataclass
class SoakResult:
    stats: SoakStats
    windows: list[money.Window]
    verdicts: list[money.Verdict]
    terms: dict[str, money.Terms]
    fleet_metrics: dict[str, Any] | None
    client: dict[str, Any]
    wall: float
    sim_start: int | None = None
    sim_end: int | None = None

    @property
    def money(self) -> dict[str, Any]:
        return money.summarise(self.verdicts)


@dataclass
class Target:
    kind: str
    number: int
    eui: bytes


def params_for(entry: MixEntry, kind: str) -> dict[str, Any]:
    """The entry's parameters as the head end will send them to a `kind` (defaults filled in);
    raises srv.SrError for a request or parameter the meter does not take."""
    return srv.check_params(srv.find(entry.sr, kind), entry.params)


def kinds_for(entry: MixEntry, meters: tuple[str, ...]) -> list[str]:
    if entry.device is not None:
        return [entry.device]
    return [k for k in srv.kinds_for(entry.sr) if k in meters]


def check_scenario(sc: Scenario) -> None:
    """Every mix and setup entry is a request some meter of the fleet takes, with good parameters
    (raises srv.SrError with one line)."""
    for section, entries in (("setup", sc.setup), ("mix", sc.mix)):
        for i, entry in enumerate(entries):
            kinds = kinds_for(entry, sc.meters)
            if not kinds:
                raise srv.SrError(
                    "%s[%d]: %s is not sent to any meter of this fleet (%s)"
                    % (section, i, entry.sr, ", ".join(sc.meters))
                )
            for kind in kinds:
                try:
                    params_for(entry, kind)
                except srv.SrError as exc:
                    raise srv.SrError("%s[%d]: %s" % (section, i, exc)) from None


def terms_of(sc: Scenario, kind: str) -> money.Terms:
    """What the scenario's setup configures on a meter of `kind` (the last of each request)."""
    tariff = debt = None
    cap = None
    disablement = 0
    for entry in sc.setup:
        if kind not in kinds_for(entry, sc.meters):
            continue
        p = params_for(entry, kind)
        if entry.sr == "set-tariff":
            tariff = p
        elif entry.sr == "update-debt":
            debt = p
        elif entry.sr == "prepay-config":
            cap = int(p["debt_cap"])
        elif entry.sr == "payment-mode" and p["mode"] == "prepayment":
            disablement = int(p["disablement_threshold"]) * money.PENCE
    return replace(money.Terms.from_params(tariff, debt, cap), disablement=disablement)


def safe_time(t: int) -> int:
    """The first time from `t` on at least EDGE_MARGIN seconds from a whole hour (every charge of
    the meters falls on one)."""
    while money.near_boundary(t, HOUR):
        t += 1
    return t


def core_start(sc: Scenario) -> int:
    t = srv.core_time(sc.start, "fleet.start")  # None for none given and for "now"
    return t if t is not None else int(wall_core_time())


class Soak:
    """One soak run (see the module's docstring); ``await run()`` returns a SoakResult."""

    def __init__(self, sc: Scenario, opts: SoakOptions) -> None:
        self.sc = sc
        self.opts = opts
        self.stats = SoakStats(duration=sc.duration)
        self.targets = [
            Target(kind, n, identity.device_eui(kind, n)) for n in sc.premises_numbers() for kind in sc.meters
        ]
        self.fleet: Any = None
        self.clock: Any = None
        self.client: Any = None
        self.transport: Any = None
        self.windows: dict[bytes, money.Window] = {}
        self.terms: dict[str, money.Terms] = {}
        self.busy: dict[bytes, int] = {}
        self._run_task: asyncio.Task[bool] | None = None

    # -- building --------------------------------------------------------------------------------
    async def _start_fleet(self, provider: Any, state: dict[str, Any] | None) -> None:
        from smets_fleet.clock import parse_speed
        from smets_fleet.fleet import Fleet, FleetConfig
        from smets_fleet.soakclock import SoakClock

        sc = self.sc
        _mode, factor = parse_speed(sc.speed)
        if state is not None:
            config = FleetConfig.from_dict(state["config"])
            start = int(state["clock"]["now"])
        else:
            config = FleetConfig(
                seed=sc.seed, meters=sc.meters, fleet=self.opts.fleet_name, wakes="every", outages_per_day=0.0
            )
            start = safe_time(core_start(sc))
        self.clock = SoakClock(start, factor)
        self.fleet = Fleet(sc.premises_numbers(), config, provider, self.clock, self.transport)
        try:
            await self.fleet.build(state)
        except (ValueError, KeyError, TypeError) as exc:
            raise SoakError("cannot resume the fleet: %s" % exc) from None
        await self.fleet.connect()
        self._run_task = asyncio.ensure_future(self.fleet.run(start + FAR))

    async def run(self) -> SoakResult:
        from smets_fleet import headend
        from smets_fleet.client import HeadEndClient
        from smets_fleet.crypto_host import HostCrypto
        from smets_fleet.runner import open_transport
        from smets_fleet.transport import TransportError

        t0 = time.monotonic()
        sc, opts = self.sc, self.opts
        provider = HostCrypto()
        saved = load_checkpoint(Path(opts.resume_dir)) if opts.resume_dir else None
        self.transport = open_transport(opts.broker)
        sim_start = None
        try:
            if not opts.external:
                await self._start_fleet(provider, saved.get("fleet") if saved else None)
                sim_start = self.clock.now()
            if saved is not None:
                he = headend.HeadEnd.for_seed(provider, sc.seed, 0, saved["headend"])
                self.terms = {k: money.Terms(**_terms_args(v)) for k, v in saved["terms"].items()}
            else:
                floor = headend.wallclock_counter_floor() if opts.external else 0
                he = headend.HeadEnd.for_seed(provider, sc.seed, floor)
                self.terms = {kind: terms_of(sc, kind) for kind in sc.meters}
            self.client = HeadEndClient(self.transport, he, fleet=opts.fleet_name, on_alert=self._alert)
            await self.client.start()
            if opts.broker:
                await asyncio.sleep(0.3)  # the head end's subscription is in place at the broker
            if saved is None:
                await self._setup()
            before = await self._read_all()
            for tg in self.targets:
                self.windows[tg.eui] = self._window(tg, before[tg.eui])
            await self._soak()
            sim_end = None
            if self.clock is not None:
                end = safe_time(self.clock.now() + 1)
                self.clock.stop_at(end)
                await self._settle(end)
                sim_end = end
            after = await self._read_all()
            for tg in self.targets:
                w = self.windows[tg.eui]
                w.after, w.t_after = after[tg.eui]
                w.consume_to = w.t_after + 1 if tg.kind == "esme" else w.t_after
            if opts.checkpoint_dir:
                await self._checkpoint(Path(opts.checkpoint_dir), he)
        except TransportError as exc:
            raise SoakError(str(exc)) from None
        finally:
            await self._close()
        verdicts = self._verdicts()
        metrics = self.fleet.metrics.as_dict() if self.fleet is not None else None
        cs = self.client.stats if self.client is not None else None
        client = {} if cs is None else {"sent": cs.sent, "retries": cs.retries, "invalid": dict(cs.invalid)}
        return SoakResult(
            self.stats,
            [self.windows[tg.eui] for tg in self.targets],
            verdicts,
            self.terms,
            metrics,
            client,
            time.monotonic() - t0,
            sim_start,
            sim_end,
        )

    async def _close(self) -> None:
        if self.fleet is not None:
            self.fleet.request_stop()
            if self._run_task is not None:
                try:
                    await self._run_task
                except Exception:
                    pass
            await self.fleet.flush(5.0)
            await self.fleet.close()
        if self.client is not None:
            await self.client.close()
        if self.transport is not None:
            await self.transport.close()

    # -- held phases -----------------------------------------------------------------------------
    async def _settle(self, at: int) -> None:
        """Wait until the fleet stands at `at` with every event up to it run and published."""
        fleet = self.fleet
        deadline = time.monotonic() + SETTLE_TIMEOUT + (at - self.clock.now()) / self.clock.factor
        while True:
            nxt = fleet.sched.next_time()
            if (
                self.clock.now() >= at
                and (nxt is None or nxt > at)
                and not fleet.outbox
                and not self.transport.inflight()
            ):
                return
            if time.monotonic() > deadline:
                raise SoakError("the fleet did not reach simulated time %d" % at)
            await asyncio.sleep(0.002)

    async def _phase(self, jobs: list[tuple[Target, str, dict[str, Any]]]) -> list[Any]:
        """Send every job (pipelined, in order per meter) and await the answers; on the soak's own
        fleet, wait until every command has arrived, then let sleepy meters wake."""
        from smets_fleet.client import RequestTimeout

        sc = self.sc
        fleet = self.fleet
        arrived = fleet.metrics.frames_in if fleet is not None else 0
        timeout = sc.timeout if fleet is None else SETTLE_TIMEOUT
        request = self.client.request
        tasks = [asyncio.ensure_future(request(sr, tg.eui, p, timeout, sc.retries)) for tg, sr, p in jobs]
        if fleet is not None:
            deadline = time.monotonic() + SETTLE_TIMEOUT
            while fleet.metrics.frames_in < arrived + len(jobs) and time.monotonic() < deadline:
                await asyncio.sleep(0.002)
            first = fleet.numbers.start
            wakes = [fleet.premises[tg.number - first].next_wake for tg, _, _ in jobs if tg.kind == "gsme"]
            if wakes:
                self.clock.jump(safe_time(max(wakes)))
        out: list[Any] = []
        for task in tasks:
            try:
                out.append(await task)
            except RequestTimeout as exc:
                out.append(exc)
        return out

    async def _setup(self) -> None:
        jobs: list[tuple[Target, str, dict[str, Any]]] = []
        for tg in self.targets:
            for entry in self.sc.setup:
                if tg.kind in kinds_for(entry, self.sc.meters):
                    jobs.append((tg, entry.sr, params_for(entry, tg.kind)))
        if not jobs:
            return
        for (tg, sr, _), r in zip(jobs, await self._phase(jobs)):
            if not getattr(r, "ok", False):
                why = getattr(r, "error", None) or str(r)
                raise SoakError("setup: %s to %s %s failed: %s" % (sr, tg.kind, tg.eui.hex(), why))

    async def _read_all(self) -> dict[bytes, tuple[dict[str, int], int]]:
        """Every meter's prepayment registers and the simulated time it read them (0 when the
        fleet is elsewhere)."""
        times = {}
        jobs: list[tuple[Target, str, dict[str, Any]]] = [(tg, READ, {}) for tg in self.targets]
        if self.fleet is not None:
            now = self.clock.now()
            await self._settle(now)
            for tg in self.targets:
                pr = self.fleet.premises[tg.number - self.fleet.numbers.start]
                times[tg.eui] = pr.next_wake if tg.kind == "gsme" else now
        out = {}
        for (tg, _, _), r in zip(jobs, await self._phase(jobs)):
            if not getattr(r, "ok", False):
                why = getattr(r, "error", None) or str(r)
                raise SoakError("%s from %s %s failed: %s" % (READ, tg.kind, tg.eui.hex(), why))
            regs = {k: int(r.values[k]) for k in ("balance", "tdr1", "tdr2", "pdr")}
            out[tg.eui] = (regs, times.get(tg.eui, 0))
        return out

    def _window(self, tg: Target, read: tuple[dict[str, int], int]) -> money.Window:
        regs, t = read
        start = t + 1 if tg.kind == "esme" else t
        return money.Window(tg.kind, tg.number, t, t, start, start, before=regs)

    async def _checkpoint(self, folder: Path, he: Any) -> None:
        data: dict[str, Any] = {
            "headend": he.state(),
            "terms": {k: asdict(t) for k, t in self.terms.items()},
        }
        if self.fleet is not None:
            data["fleet"] = self.fleet.state()
        save_checkpoint(folder, data)

    # -- the soak --------------------------------------------------------------------------------
    def _alert(self, alert: Any) -> None:
        code = alert.code if alert.code is not None else -1
        self.stats.alerts[code] = self.stats.alerts.get(code, 0) + 1

    async def _soak(self) -> None:
        sc, st = self.sc, self.stats
        rng = random.Random(self.opts.arrivals_seed)
        entries = list(sc.mix)
        weights = [e.weight for e in entries]
        kinds = [kinds_for(e, sc.meters) for e in entries]
        params = [{k: params_for(e, k) for k in ks} for e, ks in zip(entries, kinds)]
        numbers = sc.premises_numbers()
        loop = asyncio.get_running_loop()
        tasks: set[asyncio.Task[None]] = set()
        if self.clock is not None:
            self.clock.release()
        t0 = loop.time()
        if not st.latency.all.total:
            st.latency.start = t0  # plots count seconds from the start of the mix
        last_report = 0.0
        n = 0
        while True:
            at = t0 + n / sc.rate
            if at - t0 >= sc.duration:
                break
            delay = at - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            n += 1
            st.offered += 1
            i = rng.choices(range(len(entries)), weights)[0]
            kind = rng.choice(kinds[i])
            number = rng.choice(numbers)
            eui = identity.device_eui(kind, number)
            if len(tasks) >= sc.concurrency or self.busy.get(eui, 0) >= PER_DEVICE:
                st.overload += 1
                continue
            task = asyncio.ensure_future(self._one(entries[i].sr, kind, number, eui, params[i][kind], at))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            st.in_flight = len(tasks)
            now = loop.time()
            if now - last_report >= 0.25:
                last_report = now
                self._progress(now - t0)
        while tasks:
            st.in_flight = len(tasks)
            self._progress(loop.time() - t0)
            await asyncio.wait(set(tasks), timeout=0.25)
        st.in_flight = 0
        self._progress(loop.time() - t0)

    def _progress(self, elapsed: float) -> None:
        self.stats.elapsed = elapsed
        if self.clock is not None:
            self.stats.sim_time = self.clock.now()
        if self.opts.on_progress is not None:
            self.opts.on_progress(self.stats)

    async def _one(self, sr: str, kind: str, number: int, eui: bytes, p: dict[str, Any], at: float) -> None:
        from smets_fleet.client import RequestTimeout
        from smets_fleet.transport import TransportError

        st = self.stats
        loop = asyncio.get_running_loop()
        self.busy[eui] = self.busy.get(eui, 0) + 1
        w = self.windows[eui]
        try:
            st.sent += 1
            r = await self.client.request(sr, eui, p, self.sc.timeout, self.sc.retries)
        except RequestTimeout:
            st.timeouts += 1
            st.count(sr, "timeout")
            st.error("timeout: " + sr)
            w.changed.append("%s timed out (outcome unknown)" % sr)
            return
        except TransportError as exc:
            st.transport_errors += 1
            st.count(sr, "transport")
            st.error("transport: %s" % exc)
            w.changed.append("%s not delivered" % sr)
            return
        finally:
            self.busy[eui] -= 1
        now = loop.time()
        st.latency.add(now, now - at)
        if not r.ok:
            st.device_errors += 1
            st.count(sr, "device-error")
            st.error("device error: %s: %s" % (sr, r.error))
            return
        missing = [k for k in REQUIRED_VALUES.get(sr, ()) if not isinstance(r.values.get(k), int)]
        if missing:
            st.invalid_values += 1
            st.count(sr, "invalid")
            st.error("invalid response: %s without %s" % (sr, ", ".join(missing)))
            return
        st.ok += 1
        st.count(sr, "ok")
        self._ledger(w, sr, p)

    def _ledger(self, w: money.Window, sr: str, p: dict[str, Any]) -> None:
        """What an accepted request does to the meter's money."""
        terms = self.terms[w.kind]
        if sr in NEUTRAL:
            return
        if sr == "top-up":
            w.top_ups.append(int(p["amount"]) * money.PENCE)
        elif sr == "adjust-balance":
            w.adjustments.append(int(p["amount"]) * money.PENCE)
        elif sr == "reset-debt":
            w.resets.add(p["register"])
        elif sr == "update-debt":
            same = money.Terms.from_params(None, p, None)
            if (same.tdr_rate, same.tdr_period, same.pdr_percent) != (
                terms.tdr_rate,
                terms.tdr_period,
                terms.pdr_percent,
            ) or min(p["tdr1"], p["tdr2"], p["pdr"]) < 0:
                w.changed.append("update-debt with other recovery settings or a negative amount")
            for name in money.DEBTS:
                w.debt_added[name] += int(p[name]) * money.PENCE
        elif sr == "set-tariff":
            if (p["price"], p["standing_charge"], p["at"]) != (terms.price, terms.standing, None):
                w.changed.append("set-tariff with another tariff")
        else:
            w.changed.append(sr)

    def _verdicts(self) -> list[money.Verdict]:
        from smets_fleet.consumption import DemandModel

        demand = DemandModel(self.sc.seed)
        out = []
        for tg in self.targets:
            w = self.windows.get(tg.eui)
            if w is None or not w.after:
                continue
            terms = self.terms[tg.kind]
            if self.fleet is None:
                timed = terms.price or terms.standing or any(terms.tdr_rate)
                if timed:
                    out.append(
                        money.Verdict(
                            tg.kind,
                            tg.number,
                            "indeterminate",
                            None,
                            None,
                            "external fleet: when the reads landed is unknown, and the terms charge by time",
                        )
                    )
                    continue
                phase = 0
            else:
                phase = self.fleet.consume_phase[tg.number - self.fleet.numbers.start]
            out.append(money.check(w, terms, demand, phase))
        return out


def _terms_args(d: dict[str, Any]) -> dict[str, Any]:
    d = dict(d)
    d["tdr_rate"] = tuple(d["tdr_rate"])
    d["tdr_period"] = tuple(d["tdr_period"])
    return d


CHECKPOINT_FILE = "soak.pkl"


def save_checkpoint(folder: Path, data: dict[str, Any]) -> None:
    """The head-end counters, the terms and (in-process) the fleet, atomically in FOLDER/soak.pkl."""
    import pickle

    from smets_fleet.atomic import write_atomic

    write_atomic(folder / CHECKPOINT_FILE, lambda f: pickle.dump(data, f, protocol=pickle.HIGHEST_PROTOCOL))


def load_checkpoint(folder: Path) -> dict[str, Any]:
    """The soak state saved by ``--checkpoint``; SoakError (one line) when there is none."""
    import pickle

    path = folder / CHECKPOINT_FILE
    try:
        with open(path, "rb") as f:
            state = pickle.load(f)
    except FileNotFoundError:
        raise SoakError("%s holds no soak checkpoint (no %s)" % (folder, CHECKPOINT_FILE)) from None
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError) as exc:
        raise SoakError("cannot read %s: %s" % (path, exc)) from None
    if not isinstance(state, dict) or "headend" not in state or "terms" not in state:
        raise SoakError("%s is not a soak checkpoint" % path)
    return state


def snapshot(soak: Soak) -> dict[str, Any]:
    """The soak's figures and (in-process) the fleet's, in smets_fleet.prom's shape."""
    snap = soak.stats.snapshot()
    if soak.fleet is not None:
        fs = soak.fleet.metrics.snapshot()
        snap["counters"].update(fs["counters"])
        snap["gauges"].update(fs["gauges"])
        snap["labelled"].update(fs["labelled"])
    return snap


def record(result: SoakResult, scenario: str) -> Any:
    """The report's RunRecord: summary, latencies, balances and debts read after the soak (pence),
    alerts by code, errors by kind."""
    from smets_fleet.report import RunRecord

    st = result.stats
    summary: dict[str, Any] = {
        "scenario": scenario,
        "wall_seconds": round(result.wall, 3),
        "soak_seconds": st.duration,
        "offered": st.offered,
        "sent": st.sent,
        "ok": st.ok,
        "device_errors": st.device_errors,
        "timeouts": st.timeouts,
        "transport_errors": st.transport_errors,
        "invalid_values": st.invalid_values,
        "overload": st.overload,
        "lost": st.lost,
        "commands_per_second": round((st.ok + st.device_errors) / st.duration, 2) if st.duration else None,
        "by_service_request": st.by_sr,
        "client": result.client,
        "money": result.money,
        "sim_start": result.sim_start,
        "sim_end": result.sim_end,
    }
    if result.fleet_metrics is not None:
        summary["fleet"] = {k: v for k, v in result.fleet_metrics.items() if not isinstance(v, dict)}
    balances = [round(w.after["balance"] / money.PENCE) for w in result.windows if w.after]
    debts = [round(sum(w.after[k] for k in money.DEBTS) / money.PENCE) for w in result.windows if w.after]
    return RunRecord(summary, st.latency, balances, debts, dict(st.alerts), dict(st.errors))


def summary_lines(result: SoakResult) -> list[str]:
    st = result.stats
    lat = st.latency.all

    def ms(p: float) -> str:
        v = lat.percentile(p)
        return "-" if v is None else "%.2f" % (v * 1000)

    m = result.money
    lines = [
        "soak: %d offered in %.0f s, %d sent: %d ok, %d device errors, %d timed out, %d transport errors, "
        "%d invalid; %d not sent (overload)"
        % (st.offered, st.duration, st.sent, st.ok, st.device_errors, st.timeouts, st.transport_errors,
           st.invalid_values, st.overload),
        "answered %.1f commands/s; round trip p50 %s ms, p99 %s ms, p99.9 %s ms, max %s ms"
        % ((st.ok + st.device_errors) / st.duration if st.duration else 0, ms(50), ms(99), ms(99.9),
           "%.2f" % (lat.max * 1000) if lat.total else "-"),
        "money check: %d meters, %d ok, %d mismatched, %d indeterminate"
        % (m["meters"], m["ok"], m["mismatch"], m["indeterminate"]),
    ]  # fmt: skip
    lines += ["  " + p for p in m["problems"][:10]]
    if st.alerts:
        from smets_fleet.report import alert_name

        counts = sorted(st.alerts.items())
        lines.append("alerts: " + ", ".join("%s: %d" % (alert_name(c), n) for c, n in counts))
    for kind, n in sorted(st.errors.items())[:10]:
        lines.append("  %s: %d" % (kind, n))
    return lines


def run(sc: Scenario, opts: SoakOptions) -> SoakResult:
    return asyncio.run(Soak(sc, opts).run())
