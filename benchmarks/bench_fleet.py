"""Fleet figures, each next to a baseline measured in the same run:

1. memory: RSS per premises and per device after building N premises (SMETS log sizes and the
   board set), each size in a fresh process, against the interpreter's RSS before building;
2. fast mode: simulated meter half-hours per second through the whole fleet (scheduler, demand
   model, clock drift, device gate and behaviour) against the bare behaviour ``meter.consume`` on the
   same meters (ratio = fleet overhead);
3. MQTT: N gmqtt connections of the fleet's transport (one per CHF) to a local mosquitto; idle CPU
   with all connected, then CPU per message for a round trip through our Link (publish to a
   CHF's down topic, the CHF echoes on its up topic) against bare gmqtt clients doing the same.

    python benchmarks/bench_fleet.py                      # memory 1k, 5k; fast 500 premises; MQTT 1k
    python benchmarks/bench_fleet.py --memory 1000,5000,20000 --mqtt 5000

Only 127.0.0.1; mosquitto is started here with its connection limits raised (skipped when absent).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "firmware"), str(ROOT / "host")]

from smets_fleet.localbroker import LocalMosquitto, find_mosquitto  # noqa: E402


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


# -- 1. memory --------------------------------------------------------------------------------------
def memory_child(n: int, sizes: str) -> None:
    """Runs in a fresh interpreter: build n premises, print JSON."""
    from smets.build import build_premises
    from smets_fleet.crypto_host import HostCrypto
    from smets_fleet.identity import parties, premises_config

    p = HostCrypto()
    remote = parties(p)
    base = rss_bytes()
    t = time.perf_counter()
    premises = [build_premises(premises_config(p, k, remote=remote, log_sizes=sizes), p, 0) for k in range(n)]
    dt = time.perf_counter() - t
    grown = rss_bytes() - base
    devices = sum(len(pr.devices()) for pr in premises)
    print(
        json.dumps(
            {"n": n, "sizes": sizes, "rss_base": base, "grown": grown, "devices": devices, "build_s": dt}
        )
    )


def bench_memory(counts: list[int]) -> None:
    print("== memory: RSS after building N premises (CHF+GPF+ESME+GSME), fresh process each")
    for sizes in ("full", "board"):
        for n in counts:
            out = subprocess.run(
                [sys.executable, __file__, "--memory-child", str(n), sizes], capture_output=True, text=True
            )
            if out.returncode:
                print("  %s %d: failed: %s" % (sizes, n, out.stderr.strip().splitlines()[-1:]))
                continue
            r = json.loads(out.stdout)
            print(
                "  %-5s logs %6d premises: +%6.0f MB (%5.1f KB/premises, %5.1f KB/device;"
                " interpreter %3.0f MB); built in %.1f s (%.2f ms/premises)"
                % (
                    sizes,
                    n,
                    r["grown"] / 1e6,
                    r["grown"] / n / 1024,
                    r["grown"] / r["devices"] / 1024,
                    r["rss_base"] / 1e6,
                    r["build_s"],
                    r["build_s"] / n * 1e3,
                )
            )


# -- 2. fast mode ---------------------------------------------------------------------------------------
def bench_fast(n: int, days: float) -> None:
    from smets.timeutil import DAY, HALF_HOUR, to_seconds
    from smets_fleet.clock import FAST, Clock
    from smets_fleet.crypto_host import HostCrypto
    from smets_fleet.fleet import Fleet, FleetConfig
    from smets_fleet.transport import InProcessTransport

    start = to_seconds(2024, 1, 1)
    cfg = FleetConfig(outages_per_day=0.0)

    async def fleet_rate() -> tuple[float, int, Fleet]:
        f = Fleet(range(n), cfg, HostCrypto(), Clock(FAST, start), InProcessTransport())
        await f.build()
        await f.connect()
        t = time.process_time()
        await f.run(start + int(days * DAY))
        return time.process_time() - t, f.metrics.half_hours, f

    cpu, hh, fleet = asyncio.run(fleet_rate())
    # Baseline: the behaviour alone, the same number of consume calls on the same (now warm) meters.
    meters = [m for pr in fleet.premises for m in (pr.esme.meter, pr.gsme.meter)]
    t0 = start + int(days * DAY)
    calls = 0
    t = time.process_time()
    for k in range(int(days * 48)):
        for m in meters:
            m.consume(t0 + k * HALF_HOUR + 900, 200)
            calls += 1
    bare = time.process_time() - t
    print("== fast mode: %d premises x %g days on one core" % (n, days))
    print(
        "  fleet: %d meter half-hours in %.2f s CPU = %.0f/s (%.1f us each)"
        % (hh, cpu, hh / cpu, cpu / hh * 1e6)
    )
    print(
        "  bare meter.consume: %d calls in %.2f s = %.0f/s (%.1f us)"
        % (calls, bare, calls / bare, bare / calls * 1e6)
    )
    print("  ratio fleet/bare per meter half-hour: %.1fx" % ((cpu / hh) / (bare / calls)))
    per_day = cpu / hh * 2 * 48
    print(
        "  => 10,000 premises x 30 days ~ %.0f s on one core (%.0f s on 2 workers if both cores are free)"
        % (per_day * 10000 * 30, per_day * 10000 * 30 / 2)
    )


# -- 3. MQTT ----------------------------------------------------------------------------------------
async def round_trips(n: int, url: str, messages: int, bare: bool) -> dict[str, float]:
    """n echo clients; one driver sends `messages` to them in turn and counts the echoes."""
    from gmqtt import Client
    from gmqtt.mqtt.constants import MQTTv311

    from smets_fleet.mqtt import MqttTransport, parse_broker_url

    host, port = parse_broker_url(url)
    got = asyncio.Event()
    received = 0
    transport = MqttTransport(url)
    rss0 = rss_bytes()
    t_connect = time.monotonic()
    clients: list[object] = []
    if bare:
        sem = asyncio.Semaphore(200)

        async def one(i: int) -> Client:
            async with sem:
                c = Client("bare-%d" % i)

                def echo(
                    client: Client, topic: str, payload: bytes, qos: int, props: object, i: int = i
                ) -> int:
                    client.publish("b/%d/up" % i, payload, qos=1)
                    return 0

                c.on_message = echo
                await c.connect(host, port, keepalive=300, version=MQTTv311)
                c.subscribe("b/%d/down" % i, qos=1)
                return c

        clients = list(await asyncio.gather(*(one(i) for i in range(n))))
    else:
        links: list[object] = [None] * n

        def handler(i: int):  # type: ignore[no-untyped-def]
            def on(topic: str, payload: bytes) -> None:
                asyncio.ensure_future(links[i].publish("f/%d/up" % i, payload))  # type: ignore[attr-defined]

            return on

        links[:] = await transport.connect_many(
            ("fleet-%d" % i, ["f/%d/down" % i], handler(i)) for i in range(n)
        )
        clients = links
    connect_s = time.monotonic() - t_connect
    rss_per_connection = (rss_bytes() - rss0) / n
    prefix = "b" if bare else "f"

    def on_up(topic: str, payload: bytes) -> None:
        nonlocal received
        received += 1
        if received >= messages:
            got.set()

    driver_t = MqttTransport(url)
    driver = await driver_t.connect("driver-" + prefix, [prefix + "/+/up"], on_up)
    await asyncio.sleep(0.5)
    # idle cost with every client connected
    c0 = time.process_time()
    await asyncio.sleep(3.0)
    idle_cpu = (time.process_time() - c0) / 3.0
    c0 = time.process_time()
    w0 = time.monotonic()
    for k in range(messages):
        await driver.publish("%s/%d/down" % (prefix, k % n), b"\xdd" * 200)
        if k % 200 == 199:
            await asyncio.sleep(0)
    await asyncio.wait_for(got.wait(), 120)
    cpu = time.process_time() - c0
    wall = time.monotonic() - w0
    await driver_t.close()
    if bare:
        for c in clients:
            await c.disconnect()  # type: ignore[attr-defined]
    await transport.close()
    return {
        "rss_per_connection": rss_per_connection,
        "connect_s": connect_s,
        "idle_cpu": idle_cpu,
        "cpu_per_msg_us": cpu / messages * 1e6,
        "wall": wall,
    }


def bench_mqtt(n: int, messages: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, max(soft, 2 * n + 1000))
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    with tempfile.TemporaryDirectory() as tmp:
        if find_mosquitto() is None:
            print("== MQTT: skipped (no mosquitto binary)")
            return
        broker = LocalMosquitto(Path(tmp))
        url = broker.url
        try:
            print(
                "== MQTT: %d connections to a local mosquitto, %d round trips (this process's CPU)"
                % (n, messages)
            )
            for bare in (True, False):
                r = asyncio.run(round_trips(n, url, messages, bare))
                print(
                    "  %-22s connect %.1f s (%.1f KB RSS per connection); idle %.1f%% of a core; "
                    "%.0f us CPU per round trip "
                    "(the driver's publish and receive and the echo client's receive and publish), %.0f msg/s"
                    % (
                        "bare gmqtt clients:" if bare else "fleet MqttTransport:",
                        r["connect_s"],
                        r["rss_per_connection"] / 1e3,
                        100 * r["idle_cpu"],
                        r["cpu_per_msg_us"],
                        messages / r["wall"],
                    )
                )
        finally:
            broker.stop()


# -- 4. critical commands ---------------------------------------------------------------------------------
def bench_critical(n: int, rate: float, seconds: float) -> None:
    """A head end in this process sends ``adjust-balance`` (ECS04a: critical, signed by the
    supplier, answered with a signed response) to the ESMEs of n premises at `rate` per second, open
    loop, on a realtime clock over the in-process transport; latency is publish to authentic
    response. The fleet's own CPU per command (on_down: CHF routing, the ESME's gate with its
    signature check, the behaviour, the signed response) is timed apart from the head end's."""
    from smets import topics
    from smets_fleet import identity
    from smets_fleet.clock import REALTIME, Clock
    from smets_fleet.crypto_host import HostCrypto
    from smets_fleet.fleet import Fleet, FleetConfig
    from smets_fleet.headend import HeadEnd, Response
    from smets_fleet.transport import InProcessTransport

    provider = HostCrypto()
    cfg = FleetConfig(outages_per_day=0.0)
    he = HeadEnd.for_seed(provider, cfg.seed)

    async def go() -> tuple[list[float], float, float, int]:
        transport = InProcessTransport()
        fleet = Fleet(range(n), cfg, provider, Clock(REALTIME), transport)
        await fleet.build()
        await fleet.connect()
        fleet_cpu = 0.0
        inner = fleet.on_down

        def timed(topic: str, payload: bytes) -> None:
            nonlocal fleet_cpu
            t = time.thread_time()  # CPU, not wall: other processes share the cores
            inner(topic, payload)
            fleet_cpu += time.thread_time() - t

        fleet.on_down = timed  # type: ignore[method-assign]
        await fleet.close()
        await fleet.connect()  # links now call the timed handler
        sent: dict[tuple[bytes, int], float] = {}
        latencies: list[float] = []

        def up(topic: str, payload: bytes) -> None:
            r = he.receive(payload)
            if isinstance(r, Response) and r.ok:
                t0 = sent.pop(r.pending.key, None)
                if t0 is not None:
                    latencies.append(time.perf_counter() - t0)

        link = await transport.connect("head-end", [topics.up_wildcard()], up)
        runner = asyncio.ensure_future(fleet.run(fleet.clock.now() + 10 * 86400))
        total = int(rate * seconds)
        c0 = time.process_time()
        w0 = time.perf_counter()
        for k in range(total):
            due = w0 + k / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            number = k % n
            frame, pending = he.build("adjust-balance", identity.device_eui("esme", number), {"amount": 1})
            sent[pending.key] = time.perf_counter()
            await link.publish(topics.down(identity.device_eui("chf", number)), frame)
        deadline = time.perf_counter() + 10
        while sent and time.perf_counter() < deadline:
            await asyncio.sleep(0.01)
        cpu = time.process_time() - c0
        fleet.request_stop()
        await runner
        await fleet.flush()
        return latencies, fleet_cpu, cpu, total

    lat, fleet_cpu, cpu, total = asyncio.run(go())
    lat.sort()

    def pct(p: float) -> float:
        return lat[min(len(lat) - 1, int(len(lat) * p / 100))] * 1e3 if lat else float("nan")

    print(
        "== critical commands: adjust-balance (ECS04a) to %d premises at %.0f/s for %.0f s"
        % (n, rate, seconds)
    )
    print(
        "  answered %d of %d; latency p50 %.2f ms, p99 %.2f ms, max %.2f ms (head end and fleet on one core)"
        % (len(lat), total, pct(50), pct(99), lat[-1] * 1e3 if lat else float("nan"))
    )
    per = fleet_cpu / total * 1e6
    print(
        "  fleet CPU per critical command %.0f us (=> %.0f/s per core);"
        " whole process %.0f us (head end included)" % (per, 1e6 / per, cpu / total * 1e6)
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--memory", default="1000,5000", help="premises counts, comma separated ('' to skip)")
    ap.add_argument("--fast", default="500x3", help="PREMISESxDAYS for the fast-mode rate ('' to skip)")
    ap.add_argument("--mqtt", type=int, default=1000, help="connections (0 to skip)")
    ap.add_argument("--messages", type=int, default=5000)
    ap.add_argument("--critical", default="200x1000x5", help="PREMISESxRATExSECONDS ('' to skip)")
    ap.add_argument("--memory-child", nargs=2, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.memory_child:
        memory_child(int(a.memory_child[0]), a.memory_child[1])
        return
    if a.memory:
        bench_memory([int(x) for x in a.memory.split(",")])
    if a.fast:
        n, days = a.fast.split("x")
        bench_fast(int(n), float(days))
    if a.critical:
        n, rate, seconds = a.critical.split("x")
        bench_critical(int(n), float(rate), float(seconds))
    if a.mqtt:
        bench_mqtt(a.mqtt, a.messages)


if __name__ == "__main__":
    main()
