"""The ``smets-fleet soak`` command: options, the live progress line, the Prometheus endpoint, the
report and the summary (smets_fleet.soak does the soaking)."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import click

EXIT_FAILED = 1
EXIT_USAGE = 2


def _fail(message: str, code: int = EXIT_USAGE) -> None:
    from smets_fleet.cli import fail

    fail(message, code)


class SoakProgress:
    """One live line: seconds done, sent/ok/errors, in flight, p50/p99 so far; plain lines every 10 s
    off a terminal."""

    def __init__(self, duration: float, quiet: bool) -> None:
        from rich.console import Console

        self.duration = duration
        self.quiet = quiet
        self.console = Console(stderr=True)
        self.live: Any = None
        self._last = 0.0
        if not quiet and self.console.is_terminal:
            from rich.live import Live

            self.live = Live("", console=self.console, refresh_per_second=4, transient=False)
            self.live.start()

    def line(self, st: Any) -> str:
        lat = st.latency.all

        def ms(p: float) -> str:
            v = lat.percentile(p)
            return "-" if v is None else "%.1f" % (v * 1000)

        fmt = "soak %4.0f/%.0f s | sent %d ok %d errors %d timeouts %d overload %d | in flight %d"
        return (fmt + " | p50 %s p99 %s ms") % (
            min(st.elapsed, st.duration),
            st.duration,
            st.sent,
            st.ok,
            st.device_errors + st.transport_errors + st.invalid_values,
            st.timeouts,
            st.overload,
            st.in_flight,
            ms(50),
            ms(99),
        )

    def __call__(self, st: Any) -> None:
        if self.quiet:
            return
        if self.live is not None:
            self.live.update(self.line(st))
        elif time.monotonic() - self._last >= 10:
            self._last = time.monotonic()
            self.console.print(self.line(st), highlight=False)

    def close(self) -> None:
        if self.live is not None:
            self.live.stop()
            self.live = None


@click.command("soak")
@click.argument("scenario_path", metavar="SCENARIO")
@click.option("--broker", metavar="URL", help="mqtt://host:port (default: in-process, no broker).")
@click.option(
    "--external",
    is_flag=True,
    help="Drive the premises of a fleet run elsewhere (smets-fleet run --broker) instead of one here.",
)
@click.option("--fleet-name", "fleet_name", default="fleet", show_default=True, help="Topic namespace.")
@click.option("--report", "report_dir", metavar="DIR", help="Write report.json and PNG plots to DIR.")
@click.option("--metrics-port", type=int, metavar="PORT", help="Serve Prometheus metrics on 127.0.0.1:PORT.")
@click.option("--checkpoint", "checkpoint_dir", metavar="DIR", help="Save head-end counters, fleet to DIR.")
@click.option("--resume", "resume_dir", metavar="DIR", help="Continue from a --checkpoint DIR (no setup).")
@click.option("--quiet", is_flag=True, help="No progress line.")
def soak(**opts: Any) -> None:
    """Drive SCENARIO's mix of service requests over a fleet and check every response and the money.

    The fleet runs in this process (in-process transport, or MQTT with --broker) on the scenario's
    clock speed; with --external --broker it is a `smets-fleet run --broker` elsewhere. Exit status:
    0 every command answered and the money adds up, 1 something was lost, refused as invalid or did
    not add up (or the soak could not run), 2 bad arguments or scenario.
    """
    from smets_fleet import scenario as scn
    from smets_fleet import soak as sk
    from smets_fleet import srv
    from smets_fleet.transport import TransportError

    if opts["external"] and not opts["broker"]:
        _fail("--external needs --broker URL (the broker the fleet runs on)")
    if opts["metrics_port"] is not None and not 0 < opts["metrics_port"] < 65536:
        _fail("--metrics-port must be 1..65535, got %d" % opts["metrics_port"])
    if opts["broker"]:
        from smets_fleet.mqtt import parse_broker_url

        try:
            parse_broker_url(opts["broker"])
        except TransportError as exc:
            _fail(str(exc))
    try:
        sc = scn.load(opts["scenario_path"], srv.names())
        sk.check_scenario(sc)
    except (scn.ScenarioError, srv.SrError) as exc:
        _fail(str(exc))
        return
    if opts["resume_dir"]:
        try:
            sk.load_checkpoint(Path(opts["resume_dir"]))
        except sk.SoakError as exc:
            _fail(str(exc))
    progress = SoakProgress(sc.duration, opts["quiet"])
    options = sk.SoakOptions(
        broker=opts["broker"],
        external=opts["external"],
        fleet_name=opts["fleet_name"],
        checkpoint_dir=opts["checkpoint_dir"],
        resume_dir=opts["resume_dir"],
        on_progress=progress,
    )
    runner = sk.Soak(sc, options)
    server = None
    if opts["metrics_port"] is not None:
        from smets_fleet.prom import serve

        try:
            server = serve(opts["metrics_port"], lambda: sk.snapshot(runner))
        except OSError as exc:
            progress.close()
            _fail("cannot serve metrics on 127.0.0.1:%d: %s" % (opts["metrics_port"], exc.strerror or exc))
    import asyncio

    try:
        result = asyncio.run(runner.run())
    except (sk.SoakError, TransportError) as exc:
        progress.close()
        _fail(str(exc), EXIT_FAILED)
        return
    except KeyboardInterrupt:
        progress.close()
        _fail("interrupted", 130)
        return
    finally:
        if server is not None:
            server.shutdown()
    progress.close()
    for line in sk.summary_lines(result):
        click.echo(line)
    if opts["report_dir"]:
        from smets_fleet.report import write_report

        try:
            files = write_report(sk.record(result, opts["scenario_path"]), Path(opts["report_dir"]))
        except OSError as exc:
            _fail("cannot write the report: %s" % exc, EXIT_FAILED)
            return
        click.echo("report: %s (%d files)" % (opts["report_dir"], len(files)))
    if opts["checkpoint_dir"]:
        click.echo("checkpoint: %s" % opts["checkpoint_dir"])
    bad = result.stats.lost or sum(result.client.get("invalid", {}).values()) or result.money["mismatch"]
    sys.exit(EXIT_FAILED if bad else 0)
