"""``smets-fleet run``: a fleet for a span of simulated time, in one process or K worker processes,
one shard of a fleet shared by several hosts, with checkpoints and resume.

Slicing. Premises numbers ``first .. first + premises - 1`` make the fleet. ``--shard i/n`` (0-based,
as Kubernetes Indexed Jobs number their pods) takes slice i of n equal slices; ``--workers K`` splits
that slice again among K processes, each with its own scheduler, clock, crypto provider and
transport (its own in-process broker, or its own connections to a real one). Identities and keys
derive from (seed, premises number), so a restarted shard comes back as the same devices.

Checkpoints (smets_fleet.checkpoint). With ``--checkpoint DIR`` the run writes DIR/run.json at the
start, and each worker its state every ``--checkpoint-every`` real seconds, at the end, and when it
is stopped by SIGINT or SIGTERM. On a stop a worker stops taking frames, writes its state (what it
accepted is in it, with the frames not yet published), then publishes what it holds and closes:
nothing accepted is lost. ``--resume DIR`` continues each worker from its file (the premises,
configuration, shard and workers come from run.json). A run stopped by a signal exits 128 + the
signal's number (130, 143), so a supervisor sees it did not finish.

Progress and figures: every worker reports its FleetMetrics every half second; the parent shows the
merged figures and prints a summary at the end.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import queue as queue_mod
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from smets_fleet import checkpoint as ck
from smets_fleet.clock import Clock, parse_speed
from smets_fleet.fleet import Fleet, FleetConfig
from smets_fleet.metrics import FleetMetrics
from smets_fleet.transport import Transport, TransportError

REPORT_EVERY = 0.5  # seconds between a worker's reports
EXIT_DONE = 0
EXIT_FAILED = 1

Report = Callable[[tuple[Any, ...]], None]


class RunError(Exception):
    """The run cannot go on (one line: why)."""


@dataclass
class RunPlan:
    """Everything a run is; the same plan on the same seed gives the same fleet."""

    premises: int = 100
    first: int = 0
    config: FleetConfig = field(default_factory=FleetConfig)
    shard: tuple[int, int] = (0, 1)
    workers: int = 1
    start: int = 0  # simulated start, core seconds (realtime: the wall clock when the run began)
    end: int = 0
    speed: str = "fast"
    broker: str | None = None
    checkpoint_dir: str | None = None
    checkpoint_every: float = 300.0
    resume: bool = False
    monitor: bool = True  # in-process runs: a head-end monitor checks the alerts

    def shard_range(self) -> range:
        i, n = self.shard
        return range(self.first + self.premises * i // n, self.first + self.premises * (i + 1) // n)

    def worker_range(self, k: int) -> range:
        s = self.shard_range()
        size = len(s)
        return range(s.start + size * k // self.workers, s.start + size * (k + 1) // self.workers)

    def to_json(self) -> dict[str, Any]:
        return {
            "premises": self.premises,
            "first": self.first,
            "config": self.config.to_dict(),
            "shard": list(self.shard),
            "workers": self.workers,
            "start": self.start,
            "end": self.end,
            "speed": self.speed,
        }

    @staticmethod
    def from_json(d: dict[str, Any]) -> RunPlan:
        return RunPlan(
            premises=int(d["premises"]),
            first=int(d["first"]),
            config=FleetConfig.from_dict(d["config"]),
            shard=(int(d["shard"][0]), int(d["shard"][1])),
            workers=int(d["workers"]),
            start=int(d["start"]),
            end=int(d["end"]),
            speed=str(d["speed"]),
        )


def plan_resume(folder: str, **overrides: Any) -> RunPlan:
    """The plan stored in a checkpoint folder, with the given fields replaced."""
    stored = RunPlan.from_json(ck.load_run(Path(folder)))
    return replace(stored, resume=True, **{k: v for k, v in overrides.items() if v is not None})


# -- one worker ---------------------------------------------------------------------------------------
def open_transport(broker: str | None) -> Transport:
    """MQTT to `broker` (mqtt://host:port), or the in-process transport when None."""
    if broker:
        from smets_fleet.mqtt import MqttTransport

        return MqttTransport(broker)
    from smets_fleet.transport import InProcessTransport

    return InProcessTransport()


async def run_worker(plan: RunPlan, k: int, report: Report) -> tuple[str, int | None, dict[str, Any]]:
    """Run worker k of the plan; returns ("done" | "stopped", the stopping signal, its figures).
    Raises RunError for what stops it (broker unreachable, unreadable checkpoint)."""
    from smets_fleet.crypto_host import HostCrypto

    folder = Path(plan.checkpoint_dir) if plan.checkpoint_dir else None
    state = None
    if plan.resume and folder is not None:
        try:
            state = ck.load_worker(folder, k)
        except ck.CheckpointError as exc:
            raise RunError(str(exc)) from None
    numbers = plan.worker_range(k)
    mode, factor = parse_speed(plan.speed)
    start = int(state["clock"]["now"]) if state is not None else plan.start
    clock = Clock(mode, start, factor)
    provider = HostCrypto()
    metrics = FleetMetrics()
    metrics.sim_start = plan.start
    transport = open_transport(plan.broker)
    fleet = Fleet(numbers, plan.config, provider, clock, transport, metrics)
    stopped_by: list[int] = []
    loop = asyncio.get_running_loop()

    def stop(signum: int) -> None:
        stopped_by.append(signum)
        fleet.request_stop()

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop, sig)

    async def reporter() -> None:
        while True:
            report(("metrics", k, metrics.as_dict()))
            await asyncio.sleep(REPORT_EVERY)

    def save() -> None:
        if folder is not None:
            ck.save_worker(folder, k, fleet.state())
            metrics.checkpoints += 1

    async def checkpointer() -> None:
        while True:
            await asyncio.sleep(plan.checkpoint_every)
            save()

    tasks = [asyncio.ensure_future(reporter())]
    monitor = None
    try:
        try:
            await fleet.build(state)
        except (ValueError, KeyError, TypeError) as exc:
            raise RunError("cannot resume worker %d: %s" % (k, exc)) from None
        if plan.monitor and not plan.broker:
            from smets_fleet.monitor import make_monitor

            monitor = make_monitor(provider, plan.config.seed, metrics, plan.config.fleet)
            if monitor is not None:
                await monitor.connect(transport)
        try:
            await fleet.connect()
        except TransportError as exc:
            raise RunError(str(exc)) from None
        if folder is not None:
            tasks.append(asyncio.ensure_future(checkpointer()))
        clock.restart()
        done = False
        if not stopped_by:
            done = await fleet.run(plan.end)
        for t in tasks[1:]:
            t.cancel()
        save()  # before publishing: what was accepted is on disk first
        await fleet.flush()
        report(("metrics", k, metrics.as_dict()))
        return ("done" if done else "stopped"), (stopped_by[0] if stopped_by else None), metrics.as_dict()
    finally:
        for t in tasks:
            t.cancel()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        await fleet.close()
        if monitor is not None:
            await monitor.close()
        await transport.close()


def _worker_entry(plan: RunPlan, k: int, q: Any) -> None:
    """A worker process: run, report to the parent through `q`, exit."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # until the loop installs its own handlers
    try:
        status, signum, figures = asyncio.run(run_worker(plan, k, q.put))
        q.put(("done", k, status, signum, figures))
    except RunError as exc:
        q.put(("error", k, str(exc)))
    except Exception as exc:
        q.put(("error", k, "worker %d failed: %s: %s" % (k, type(exc).__name__, exc)))


# -- the parent ---------------------------------------------------------------------------------------
@dataclass
class Outcome:
    status: str  # "done", "stopped" or "failed"
    exit_code: int
    metrics: FleetMetrics
    wall_seconds: float
    error: str | None = None


class Progress(Protocol):
    """What the parent shows while a run goes (smets_fleet.runcli has the rich one)."""

    def update(self, metrics: FleetMetrics) -> None: ...

    def close(self) -> None: ...


class NoProgress:
    def update(self, metrics: FleetMetrics) -> None:
        pass

    def close(self) -> None:
        pass


def run(plan: RunPlan, progress: Progress | None = None) -> Outcome:
    """Run the plan to the end (or to a signal) and return the outcome."""
    progress = progress or NoProgress()
    if plan.checkpoint_dir and not plan.resume:
        ck.save_run(Path(plan.checkpoint_dir), plan.to_json())
    t0 = time.monotonic()
    if plan.workers == 1:
        return _run_here(plan, progress, t0)
    return _run_workers(plan, progress, t0)


def _run_here(plan: RunPlan, progress: Progress, t0: float) -> Outcome:
    latest: dict[str, Any] = {}

    def report(msg: tuple[Any, ...]) -> None:
        if msg[0] == "metrics":
            latest["m"] = msg[2]

    async def main() -> tuple[str, int | None, dict[str, Any]]:
        async def show() -> None:
            while True:
                if "m" in latest:
                    progress.update(FleetMetrics.merged([latest["m"]]))
                await asyncio.sleep(0.25)

        shower = asyncio.ensure_future(show())
        try:
            return await run_worker(plan, 0, report)
        finally:
            shower.cancel()

    try:
        status, signum, figures = asyncio.run(main())
    except (RunError, Exception) as exc:
        progress.close()
        m = FleetMetrics.merged([latest["m"]]) if "m" in latest else FleetMetrics()
        why = str(exc) if isinstance(exc, RunError) else "failed: %s: %s" % (type(exc).__name__, exc)
        return Outcome("failed", EXIT_FAILED, m, time.monotonic() - t0, why)
    m = FleetMetrics.merged([figures])
    progress.update(m)
    progress.close()
    code = EXIT_DONE if status == "done" else 128 + (signum or signal.SIGTERM)
    return Outcome(status, code, m, time.monotonic() - t0)


def _run_workers(plan: RunPlan, progress: Progress, t0: float) -> Outcome:
    ctx = multiprocessing.get_context("spawn")
    q = ctx.Queue()
    procs = [ctx.Process(target=_worker_entry, args=(plan, k, q), daemon=True) for k in range(plan.workers)]
    for p in procs:
        p.start()
    latest: dict[int, dict[str, Any]] = {}
    finished: dict[int, tuple[str, int | None]] = {}
    errors: list[str] = []
    signals: list[int] = []

    def forward(signum: int, _frame: Any) -> None:
        signals.append(signum)
        for p in procs:
            if p.is_alive() and p.pid is not None:
                try:
                    p.kill() if len(signals) > 2 else p.terminate()  # a third signal: stop at once
                except OSError:
                    pass

    old = {s: signal.signal(s, forward) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        while len(finished) + len(errors) < plan.workers:
            try:
                msg = q.get(timeout=0.25)
            except queue_mod.Empty:
                if not any(p.is_alive() for p in procs) and q.empty():
                    break
                msg = None
            if msg is not None:
                if msg[0] == "metrics":
                    latest[msg[1]] = msg[2]
                elif msg[0] == "done":
                    latest[msg[1]] = msg[4]
                    finished[msg[1]] = (msg[2], msg[3])
                elif msg[0] == "error":
                    errors.append(msg[2])
                    for p in procs:  # one worker cannot go on: stop the others cleanly
                        if p.is_alive():
                            p.terminate()
            if latest:
                progress.update(FleetMetrics.merged(list(latest.values())))
        for p in procs:
            p.join(timeout=30)
    finally:
        for s, h in old.items():
            signal.signal(s, h)
    m = FleetMetrics.merged(list(latest.values()))
    progress.update(m)
    progress.close()
    wall = time.monotonic() - t0
    if errors:
        return Outcome("failed", EXIT_FAILED, m, wall, errors[0])
    if len(finished) < plan.workers:
        return Outcome("failed", EXIT_FAILED, m, wall, "a worker process ended without reporting")
    if all(status == "done" for status, _ in finished.values()):
        return Outcome("done", EXIT_DONE, m, wall)
    signum = signals[0] if signals else next((s for _, s in finished.values() if s), signal.SIGTERM)
    return Outcome("stopped", 128 + signum, m, wall)
