"""The ``smets-fleet run`` command: options, the live progress bar and the summary
(smets_fleet.runner does the running)."""

from __future__ import annotations

import sys
import time
from typing import Any

import click

from smets.timeutil import DAY, UNIX_OFFSET, civil_from_days, days_from_civil
from smets_fleet.metrics import FleetMetrics, RateMeter

EXIT_USAGE = 2


def _fail(message: str) -> None:
    from smets_fleet.cli import fail

    fail(message, EXIT_USAGE)


def parse_time(text: str, what: str) -> int:
    """``YYYY-MM-DD[THH:MM[:SS]][Z]`` (UTC) -> core seconds."""
    t = text.strip().rstrip("Zz").replace(" ", "T")
    date, _, clock = t.partition("T")
    try:
        y, mo, d = (int(x) for x in date.split("-"))
        parts = [int(x) for x in clock.split(":")] if clock else []
        if len(parts) > 3 or not 1 <= mo <= 12 or not 1 <= d <= 31 or y < 2000:
            raise ValueError
        hh, mm, ss = (parts + [0, 0, 0])[:3]
        if not (0 <= hh < 24 and 0 <= mm < 60 and 0 <= ss < 60):
            raise ValueError
    except ValueError:
        _fail(f"{what} must be a UTC date-time YYYY-MM-DD[THH:MM[:SS]] from 2000 on, got {text!r}")
        raise
    return days_from_civil(y, mo, d) * DAY + hh * 3600 + mm * 60 + ss


def format_time(t: int) -> str:
    y, mo, d = civil_from_days(t // DAY)
    s = t % DAY
    return "%04d-%02d-%02d %02d:%02d" % (y, mo, d, s // 3600, s // 60 % 60)


def parse_shard(text: str) -> tuple[int, int]:
    try:
        i_text, n_text = text.split("/")
        i, n = int(i_text), int(n_text)
        if n < 1 or not 0 <= i < n:
            raise ValueError
    except ValueError:
        _fail(f"--shard must be i/n with 0 <= i < n (e.g. 0/4), got {text!r}")
        raise
    return i, n


def parse_meters(text: str) -> tuple[str, ...]:
    kinds = tuple(k.strip().lower() for k in text.split(",") if k.strip())
    if not kinds or any(k not in ("esme", "gsme") for k in kinds) or len(set(kinds)) != len(kinds):
        _fail(f"--meters must be esme, gsme or esme,gsme, got {text!r}")
    return kinds


class RichProgress:
    """A live bar: simulated time done, premises up, commands/s, errors; plain lines off a terminal."""

    def __init__(self, start: int, end: int, quiet: bool = False) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

        self.start, self.end = start, end
        self.quiet = quiet
        self.console = Console(stderr=True)
        self.rate = RateMeter()
        self.bar: Any = None
        self._last_line = 0.0
        if not quiet and self.console.is_terminal:
            self.bar = Progress(
                TextColumn("[bold]fleet"),
                BarColumn(),
                TaskProgressColumn(),
                TextColumn("{task.fields[info]}"),
                TimeElapsedColumn(),
                console=self.console,
                refresh_per_second=4,
            )
            self.task = self.bar.add_task("run", total=max(1, end - start), info="building premises")
            self.bar.start()

    def info(self, m: FleetMetrics) -> str:
        cps = self.rate.update(time.monotonic(), m.frames_in)
        up = (
            "%d/%d premises up" % (m.premises_up, m.premises)
            if m.premises_up
            else "%d premises built" % m.devices
        )
        sim = format_time(m.sim_time) if m.sim_time else "-"
        return "%s | %s | %.0f cmd/s | %d errors" % (up, sim, cps, m.errors)

    def update(self, m: FleetMetrics) -> None:
        if self.quiet:
            return
        info = self.info(m)
        done = max(0, min(self.end, m.sim_time) - self.start) if m.sim_time else 0
        if self.bar is not None:
            self.bar.update(self.task, completed=done, info=info)
        elif time.monotonic() - self._last_line >= 10:
            self._last_line = time.monotonic()
            pct = 100.0 * done / max(1, self.end - self.start)
            self.console.print("fleet %5.1f%% %s" % (pct, info), highlight=False)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


def summary_lines(m: FleetMetrics, start: int, end: int, wall: float, status: str) -> list[str]:
    from smets.wire import alert_codes

    span = max(0, (m.sim_time or start) - start)
    lines = [
        "run %s: %d premises, %d devices; simulated %s -> %s (%.2f days) in %.1f s wall (x%.0f)"
        % (
            status,
            m.premises,
            m.devices,
            format_time(start),
            format_time(m.sim_time or start),
            span / DAY,
            wall,
            span / wall if wall > 0 else 0,
        ),
        "meter half-hours %d (%.0f/s), energy %.1f kWh; events %d"
        % (m.half_hours, m.half_hours / wall if wall > 0 else 0, m.consumption_wh / 1000, m.events),
        "frames in %d (commands answered %d, refused %d), out %d (responses %d, alerts %d)"
        % (m.frames_in, m.commands, m.refused, m.frames_out, m.responses_out, m.alerts_out),
        "clock re-syncs %d (largest error %d s), ESME outages %d, checkpoints %d"
        % (m.clock_syncs, m.clock_drift_max_s, m.outages, m.checkpoints),
    ]
    if m.monitor_alerts or m.monitor_invalid:
        lines.append(
            "head-end monitor: %d authentic alerts, %d refused" % (m.monitor_alerts, m.monitor_invalid)
        )
    for code, n in sorted(m.alerts.items()):
        lines.append("  alert 0x%04X %s: %d" % (code, alert_codes.name(code) or "", n))
    lines.append("errors %d" % m.errors)
    for kind, n in sorted(m.error_kinds.items()):
        lines.append("  %s: %d" % (kind, n))
    return lines


@click.command("run")
@click.option("--premises", type=int, help="Premises in the whole fleet [100].")
@click.option("--first", type=int, help="Number of the first premises [0].")
@click.option("--meters", help="Meters per premises: esme,gsme (a GSME brings its GPF) [esme,gsme].")
@click.option("--days", type=float, help="Simulated days to run [1].")
@click.option("--start", "start_text", metavar="DATETIME", help="Simulated start, UTC (fast/xN) [now].")
@click.option("--until", "until_text", metavar="DATETIME", help="Run until this UTC time instead of --days.")
@click.option("--speed", help="realtime, xN (N times real time) or fast (event-driven) [fast].")
@click.option("--seed", help="Seed of identities, keys and demand [smets-fleet].")
@click.option("--broker", metavar="URL", help="mqtt://host:port (default: in-process, no broker).")
@click.option("--fleet-name", "fleet_name", help="Topic namespace smets/<name>/... [fleet].")
@click.option("--workers", type=int, help="Worker processes [1].")
@click.option("--shard", "shard_text", metavar="I/N", help="Run slice I (0-based) of N of the premises.")
@click.option("--checkpoint", "checkpoint_dir", metavar="DIR", help="Write checkpoints to DIR.")
@click.option(
    "--checkpoint-every", type=float, metavar="SECONDS", help="Real seconds between checkpoints [300]."
)
@click.option("--resume", "resume_dir", metavar="DIR", help="Continue the run checkpointed in DIR.")
@click.option("--outages-per-day", type=float, help="ESME mains outages per premises per day [0.001].")
@click.option(
    "--log-sizes", type=click.Choice(["full", "board"]), help="SMETS log sizes or the small board set."
)
@click.option("--report", "report_dir", metavar="DIR", help="Write report.json and PNG plots to DIR.")
@click.option("--metrics-port", type=int, metavar="PORT", help="Serve Prometheus metrics on 127.0.0.1:PORT.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def run(**opts: Any) -> None:
    """Run N premises (CHF + ESME + GSME/GPF) for a span of simulated time.

    In-process by default (no broker needed); --broker connects every CHF to a real MQTT broker
    (topics smets/<fleet>/<chf-eui>/down|up, raw GBCS frames, QoS 1). Exit status: 0 done, 1 failed
    (broker unreachable, unreadable checkpoint), 2 bad arguments, 128+N stopped by signal N (the
    checkpoint, if any, was written).
    """
    from smets_fleet import runner
    from smets_fleet.clock import ClockError, parse_speed
    from smets_fleet.fleet import FleetConfig
    from smets_fleet.transport import TransportError

    plan = _plan(opts, runner, FleetConfig, parse_speed, ClockError)
    if plan.broker:
        from smets_fleet.mqtt import parse_broker_url

        try:
            parse_broker_url(plan.broker)
        except TransportError as exc:
            _fail(str(exc))
    progress: Any = RichProgress(plan.start, plan.end, opts["quiet"])
    server = None
    if opts["metrics_port"] is not None:
        progress, server = _serve_metrics(opts["metrics_port"], progress)
    try:
        outcome = runner.run(plan, progress)
    finally:
        if server is not None:
            server.shutdown()
    for line in summary_lines(outcome.metrics, plan.start, plan.end, outcome.wall_seconds, outcome.status):
        click.echo(line)
    if opts["report_dir"]:
        _report(opts["report_dir"], outcome, plan)
    if outcome.error:
        click.echo(f"smets-fleet: {outcome.error}", err=True)
    if plan.checkpoint_dir and outcome.status != "failed":
        click.echo(f"checkpoint: {plan.checkpoint_dir}")
    sys.exit(outcome.exit_code)


class _Latest:
    """Passes progress on and keeps the latest merged figures for the Prometheus endpoint."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.metrics = FleetMetrics()

    def update(self, m: FleetMetrics) -> None:
        self.metrics = m
        self.inner.update(m)

    def close(self) -> None:
        self.inner.close()


def _serve_metrics(port: int, progress: Any) -> tuple[Any, Any]:
    from smets_fleet.prom import serve

    if not 0 < port < 65536:
        _fail("--metrics-port must be 1..65535, got %d" % port)
    latest = _Latest(progress)
    try:
        server = serve(port, lambda: latest.metrics.snapshot())
    except OSError as exc:
        progress.close()
        _fail("cannot serve metrics on 127.0.0.1:%d: %s" % (port, exc.strerror or exc))
    return latest, server


def _report(folder: str, outcome: Any, plan: Any) -> None:
    """The run's report: its figures, alerts by code and errors by kind (no head end: no latencies)."""
    from pathlib import Path

    from smets_fleet.report import RunRecord, write_report

    m = outcome.metrics
    summary = {k: v for k, v in m.as_dict().items() if not isinstance(v, dict)}
    summary.update(status=outcome.status, wall_seconds=round(outcome.wall_seconds, 3), end=plan.end)
    try:
        write_report(RunRecord(summary, alerts=dict(m.alerts), errors=dict(m.error_kinds)), Path(folder))
    except OSError as exc:
        click.echo("smets-fleet: cannot write the report: %s" % exc, err=True)
        return
    click.echo("report: %s" % folder)


def _plan(opts: dict[str, Any], runner: Any, FleetConfig: Any, parse_speed: Any, ClockError: Any) -> Any:
    for name in ("premises", "workers"):
        if opts[name] is not None and opts[name] < 1:
            _fail(f"--{name} must be at least 1, got {opts[name]}")
    if opts["first"] is not None and opts["first"] < 0:
        _fail(f"--first must be 0 or more, got {opts['first']}")
    if opts["days"] is not None and not opts["days"] > 0:
        _fail(f"--days must be more than 0, got {opts['days']}")
    if opts["checkpoint_every"] is not None and not opts["checkpoint_every"] > 0:
        _fail(f"--checkpoint-every must be more than 0 seconds, got {opts['checkpoint_every']}")
    if opts["outages_per_day"] is not None and opts["outages_per_day"] < 0:
        _fail(f"--outages-per-day must be 0 or more, got {opts['outages_per_day']}")
    if opts["days"] is not None and opts["until_text"] is not None:
        _fail("give --days or --until, not both")
    if opts["speed"] is not None:
        try:
            parse_speed(opts["speed"])
        except ClockError as exc:
            _fail(str(exc))
    shard = parse_shard(opts["shard_text"]) if opts["shard_text"] else None
    if opts["resume_dir"]:
        fixed = (
            "premises",
            "first",
            "meters",
            "seed",
            "workers",
            "shard_text",
            "fleet_name",
            "outages_per_day",
            "log_sizes",
        )
        given = [n for n in fixed if opts[n] is not None] + (["start_text"] if opts["start_text"] else [])
        if given:
            names = ", ".join("--" + n.replace("_text", "").replace("_", "-") for n in given)
            _fail(f"{names}: taken from the checkpoint when resuming")
        from smets_fleet.checkpoint import CheckpointError

        try:
            plan = runner.plan_resume(opts["resume_dir"])
        except CheckpointError as exc:
            _fail(str(exc))
        plan.checkpoint_dir = opts["checkpoint_dir"] or opts["resume_dir"]
        if opts["speed"]:
            plan.speed = opts["speed"]
        if opts["until_text"]:
            plan.end = parse_time(opts["until_text"], "--until")
        elif opts["days"]:
            plan.end = plan.start + int(opts["days"] * DAY)
    else:
        meters = parse_meters(opts["meters"]) if opts["meters"] else ("esme", "gsme")
        base = FleetConfig()
        config = FleetConfig(
            seed=opts["seed"] or base.seed,
            meters=meters,
            fleet=opts["fleet_name"] or base.fleet,
            log_sizes=opts["log_sizes"] or base.log_sizes,
            outages_per_day=base.outages_per_day
            if opts["outages_per_day"] is None
            else opts["outages_per_day"],
        )
        speed = opts["speed"] or "fast"
        mode, _ = parse_speed(speed)
        now = int(time.time()) - UNIX_OFFSET
        if opts["start_text"]:
            if mode == "realtime":
                _fail("--start cannot be given with --speed realtime (simulated time is the wall clock)")
            start = parse_time(opts["start_text"], "--start")
        else:
            start = now
        if opts["until_text"]:
            end = parse_time(opts["until_text"], "--until")
        else:
            end = start + int((opts["days"] if opts["days"] is not None else 1.0) * DAY)
        if end <= start:
            _fail("--until must be after the start of the run")
        plan = runner.RunPlan(
            premises=opts["premises"] or 100,
            first=opts["first"] or 0,
            config=config,
            shard=shard or (0, 1),
            workers=opts["workers"] or 1,
            start=start,
            end=end,
            speed=speed,
            checkpoint_dir=opts["checkpoint_dir"],
        )
        if len(plan.shard_range()) < plan.workers:
            _fail(f"{plan.workers} workers for {len(plan.shard_range())} premises in this shard: use fewer")
    plan.broker = opts["broker"]
    if opts["checkpoint_every"] is not None:
        plan.checkpoint_every = opts["checkpoint_every"]
    if plan.end <= plan.start:
        _fail("--until must be after the start of the run")
    return plan
