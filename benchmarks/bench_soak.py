"""Soak throughput and latency over a real mosquitto on 127.0.0.1, and the fleet's CPU per message
against a bare gmqtt echo client on the same broker in the same run.

1. A fleet of N ESME premises runs in its own process (``smets-fleet run --broker``, realtime clock);
   this process is the head end (``smets_fleet.soak`` in ``--external`` mode, the code
   ``smets-fleet soak`` runs) offering a fixed load, open loop, of critical commands (``top-up``,
   CS01a: supplier-signed command, signed response) and then of non-critical ones
   (``read-balance``, ECS82: MACed both ways). Reported: commands/s answered, round trip p50 / p99 /
   p99.9 from each arrival's scheduled time, commands lost, and the fleet process's CPU per command
   (from /proc, its idle rate measured just before and taken off).
2. Baseline, same broker, same run: a bare gmqtt client in its own process that echoes every
   message from a down topic to an up topic (QoS 1, as the fleet), driven at the same rate with
   payloads of the same size; its CPU per round trip and the driver's round trip percentiles.
   The ratio fleet CPU / bare CPU per message is the fleet's overhead (device crypto included).

mosquitto 2.0 leaves Nagle on unless ``set_tcp_nodelay true`` (mosquitto.conf(5): "Defaults to
false"); the broker here is started with it on, and our clients set TCP_NODELAY themselves.

    python benchmarks/bench_soak.py                    # 100 premises, 10 s per load
    python benchmarks/bench_soak.py --premises 200 --critical-rate 300 --read-rate 600 --seconds 10

Bounded: three loads of --seconds each plus start-up, well under two minutes at the defaults.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from smets_fleet import scenario, soak, srv
from smets_fleet.localbroker import LocalMosquitto, find_mosquitto

CLI = [sys.executable, "-c", "from smets_fleet.cli import main; main()"]
TICK = os.sysconf("SC_CLK_TCK")
PAYLOAD = 330  # bytes: about a top-up command frame

ECHO = r"""
import asyncio, sys
from gmqtt import Client
from gmqtt.mqtt.constants import MQTTv311

async def main(port):
    c = Client("bare-echo", optimistic_acknowledgement=True)
    def echo(client, topic, payload, qos, props):
        client.publish(topic[:-4] + "up", payload, qos=1)
        return 0
    c.on_message = echo
    await c.connect("127.0.0.1", port, keepalive=300, version=MQTTv311)
    c.subscribe("bare/+/down", qos=1)
    print("ready", flush=True)
    await asyncio.Event().wait()

asyncio.run(main(int(sys.argv[1])))
"""


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far (from /proc)."""
    fields = Path("/proc/%d/stat" % pid).read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def scenario_for(premises: int, sr: str, rate: float, seconds: float, folder: Path) -> scenario.Scenario:
    params = "params = { amount = 1 }\n" if sr == "top-up" else ""
    path = folder / ("%s.toml" % sr)
    path.write_text(
        '[fleet]\npremises = %d\nmeters = ["esme"]\n'
        "[soak]\nduration = %g\nrate = %g\ntimeout = 5.0\nretries = 0\nconcurrency = 5000\n"
        '[[mix]]\nsr = "%s"\n%s' % (premises, seconds, rate, sr, params)
    )
    sc = scenario.load(path, srv.names())
    soak.check_scenario(sc)
    return sc


class MeasuredSoak(soak.Soak):
    """A soak that times the fleet process's CPU (and its own) over the soak phase only."""

    fleet_pid = 0

    async def _soak(self) -> None:
        self.cpu0 = (cpu_seconds(self.fleet_pid), time.process_time(), time.monotonic())
        await super()._soak()
        self.cpu1 = (cpu_seconds(self.fleet_pid), time.process_time(), time.monotonic())


def measure_idle(pid: int, seconds: float = 2.0) -> float:
    c0 = cpu_seconds(pid)
    time.sleep(seconds)
    return (cpu_seconds(pid) - c0) / seconds


def run_load(sc: scenario.Scenario, url: str, name: str, pid: int, idle: float) -> dict[str, float]:
    s = MeasuredSoak(sc, soak.SoakOptions(broker=url, external=True, fleet_name=name))
    s.fleet_pid = pid
    res = asyncio.run(s.run())
    st = res.stats
    fleet_cpu = s.cpu1[0] - s.cpu0[0]
    wall = s.cpu1[2] - s.cpu0[2]
    answered = st.ok + st.device_errors
    lat = st.latency.all
    return {
        "offered": st.offered,
        "answered": answered,
        "lost": st.lost + st.overload,
        "per_s": answered / st.duration,
        "p50": (lat.percentile(50) or 0) * 1e3,
        "p99": (lat.percentile(99) or 0) * 1e3,
        "p999": (lat.percentile(99.9) or 0) * 1e3,
        "fleet_us": max(0.0, fleet_cpu - idle * wall) / max(1, answered) * 1e6,
        "head_us": (s.cpu1[1] - s.cpu0[1]) / max(1, answered) * 1e6,
        "fleet_share": fleet_cpu / wall,
    }


async def bare_round_trips(port: int, echo_pid: int, rate: float, seconds: float, n: int) -> dict[str, float]:
    from smets_fleet.latency import Histogram
    from smets_fleet.mqtt import MqttTransport

    hist = Histogram()
    sent: dict[bytes, float] = {}
    transport = MqttTransport("mqtt://127.0.0.1:%d" % port)

    def up(topic: str, payload: bytes) -> None:
        t0 = sent.pop(payload[:8], None)
        if t0 is not None:
            hist.add(time.monotonic() - t0)

    link = await transport.connect("bare-driver", ["bare/+/up"], up)
    await asyncio.sleep(0.3)
    total = int(rate * seconds)
    c0 = cpu_seconds(echo_pid)
    w0 = time.monotonic()
    for k in range(total):
        at = w0 + k / rate
        delay = at - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        key = k.to_bytes(8, "big")
        sent[key] = at
        await link.publish("bare/%d/down" % (k % n), key + b"\xdd" * (PAYLOAD - 8))
    deadline = time.monotonic() + 10
    while sent and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    cpu = cpu_seconds(echo_pid) - c0
    await transport.close()
    return {
        "answered": hist.total,
        "lost": len(sent),
        "p50": (hist.percentile(50) or 0) * 1e3,
        "p99": (hist.percentile(99) or 0) * 1e3,
        "echo_us": cpu / max(1, hist.total) * 1e6,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--premises", type=int, default=100)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--critical-rate", type=float, default=200.0)
    ap.add_argument("--read-rate", type=float, default=400.0)
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-soak-"))
    if find_mosquitto() is None:
        print("no mosquitto binary: skipped")
        return
    broker = LocalMosquitto(folder)
    port, url = broker.port, broker.url
    name = "bench%d" % port
    log = open(folder / "fleet.log", "wb")
    fleet = subprocess.Popen(
        CLI
        + ["run", "--quiet", "--broker", url, "--fleet-name", name, "--premises", str(args.premises)]
        + ["--meters", "esme", "--speed", "realtime", "--days", "1", "--outages-per-day", "0"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    echo = subprocess.Popen([sys.executable, "-c", ECHO, str(port)], stdout=subprocess.PIPE)
    try:
        assert echo.stdout is not None and echo.stdout.readline().strip() == b"ready"
        time.sleep(3.0)  # the fleet builds and connects (a load's setup reads wait for it too)
        head = "== soak over mosquitto 2.0 (set_tcp_nodelay true) on 127.0.0.1: %d ESME premises"
        print(head % args.premises)
        print("   fleet in its own process, head end here; %g s per load, open loop" % args.seconds)
        idle = measure_idle(fleet.pid)
        print("  fleet idle CPU %.1f%% of a core (taken off below)" % (idle * 100))
        rows = {}
        for sr, rate in (("top-up", args.critical_rate), ("read-balance", args.read_rate)):
            sc = scenario_for(args.premises, sr, rate, args.seconds, folder)
            r = rows[sr] = run_load(sc, url, name, fleet.pid, idle)
            kind = "critical" if sr == "top-up" else "non-critical"
            print(
                "  %-12s (%s) offered %.0f/s: answered %.0f/s, lost %d; round trip p50 %.2f ms, p99 %.2f ms,"
                " p99.9 %.2f ms" % (sr, kind, rate, r["per_s"], r["lost"], r["p50"], r["p99"], r["p999"])
            )
            fmt = "      fleet CPU %.0f us per command (=> %.0f/s per core; fleet busy %.0f%% of a core);"
            fmt += " head end %.0f us per command"
            per_core = 1e6 / max(1.0, r["fleet_us"])
            print(fmt % (r["fleet_us"], per_core, r["fleet_share"] * 100, r["head_us"]))
        b = asyncio.run(bare_round_trips(port, echo.pid, args.read_rate, args.seconds, args.premises))
        fmt = "  bare gmqtt echo at %.0f/s: answered %d, lost %d; round trip p50 %.2f ms, p99 %.2f ms;"
        fmt += " echo CPU %.0f us per round trip"
        print(fmt % (args.read_rate, b["answered"], b["lost"], b["p50"], b["p99"], b["echo_us"]))
        for sr in rows:
            ratio = rows[sr]["fleet_us"] / max(1e-9, b["echo_us"])
            print("  fleet / bare CPU per message, %s: %.1fx" % (sr, ratio))
    finally:
        for p in (fleet, echo):
            p.terminate()
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        broker.stop()
        log.close()


if __name__ == "__main__":
    main()
