"""`smets-fleet soak` end to end against a real mosquitto on a free 127.0.0.1 port (skipped only when
there is no mosquitto binary): premises connect, the head end runs a soak mix, every command gets a
validated response, and the money adds up per meter (top-ups minus consumption cost minus debt
recovered equals the balance change, smets_fleet.money, computed from the inputs: the demand model's
energy, the tariff and debt settings the scenario sets, the top-ups the meters accepted). Then a fleet
in its own process is checkpointed, stopped by SIGTERM and resumed, and the same check holds across
the restart. Bad command lines give one line and a non-zero exit."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from board_support import Broker

from smets_fleet import identity, money, scenario, soak, srv

CLI = [sys.executable, "-c", "from smets_fleet.cli import main; main()"]
PREMISES = 20

# The ESME gets a tariff with a standing charge and hourly time-debt recovery; both meters pay a
# tenth of each top-up towards the payment debt; the GSME recovers time debt daily. Starting at
# 20:15 for ~9 simulated hours crosses a midnight (standing charge, daily instalments).
SCENARIO = """
[fleet]
premises = %(premises)d
meters = ["esme", "gsme"]
start = "2025-01-06T20:15:00Z"
speed = "x3600"

[soak]
duration = "%(duration)ss"
rate = %(rate)d
timeout = 5.0
retries = 1
concurrency = 200

[[setup]]
sr = "payment-mode"
params = { mode = "prepayment" }
[[setup]]
sr = "prepay-config"
device = "esme"
params = { debt_cap = 100000, max_credit = 100000, max_meter_balance = 500000 }
[[setup]]
sr = "prepay-config"
device = "gsme"
params = { debt_cap = 100000, max_credit = 100000 }
%(esme_setup)s
[[setup]]
sr = "update-debt"
device = "gsme"
params = { tdr1 = 3000, pdr = 40000, tdr1_rate = %(gsme_rate)d, pdr_percent = 10 }
[[setup]]
sr = "adjust-balance"
params = { amount = 30000 }

[[mix]]
sr = "top-up"
weight = 3
params = { amount = 1234 }
[[mix]]
sr = "read-balance"
weight = 4
[[mix]]
sr = "read-registers"
weight = 2
%(esme_mix)s
"""
ESME_SETUP = """
[[setup]]
sr = "set-tariff"
device = "esme"
params = { price = 27000, standing_charge = 53000 }
[[setup]]
sr = "update-debt"
device = "esme"
params = { tdr1 = 4000, pdr = 40000, tdr1_rate = 9, tdr1_period = "hourly", pdr_percent = 10 }
"""
ESME_MIX = """
[[mix]]
sr = "update-debt"
device = "esme"
weight = 1
params = { tdr2 = 25, tdr1_rate = 9, tdr1_period = "hourly", pdr_percent = 10 }
[[mix]]
sr = "reset-debt"
device = "esme"
weight = 1
params = { register = "tdr2" }
[[mix]]
sr = "set-tariff"
device = "esme"
weight = 1
params = { price = 27000, standing_charge = 53000 }
"""
TIME_FREE_ESME = """
[[setup]]
sr = "update-debt"
device = "esme"
params = { pdr = 40000, pdr_percent = 10 }
"""


def write_scenario(folder: Path, duration: float, rate: int, timed: bool = True) -> Path:
    path = folder / "scenario.toml"
    path.write_text(
        SCENARIO
        % {
            "premises": PREMISES,
            "duration": duration,
            "rate": rate,
            "esme_setup": ESME_SETUP if timed else TIME_FREE_ESME,
            "gsme_rate": 11 if timed else 0,
            "esme_mix": ESME_MIX if timed else "",
        }
    )
    return path


def load(path: Path) -> scenario.Scenario:
    sc = scenario.load(path, srv.names())
    soak.check_scenario(sc)
    return sc


def assert_nothing_lost(res: soak.SoakResult) -> None:
    st = res.stats
    assert st.sent > 0 and st.overload == 0
    assert (st.timeouts, st.transport_errors, st.invalid_values, st.device_errors) == (0, 0, 0, 0), st.errors
    assert st.ok == st.sent
    assert res.client["invalid"] == {}  # every frame that came back was authentic and correlated
    assert st.latency.all.total == st.sent


def test_soak_over_mosquitto_answers_everything_and_the_money_adds_up(tmp_path):
    broker = Broker(tmp_path)
    try:
        sc = load(write_scenario(tmp_path, 8, 60))
        opts = soak.SoakOptions(broker="mqtt://127.0.0.1:%d" % broker.port, fleet_name="e2e%d" % broker.port)
        res = soak.run(sc, opts)
    finally:
        broker.stop()
    assert_nothing_lost(res)
    assert res.fleet_metrics is not None and res.fleet_metrics["errors"] == 0
    # every meter of every premises took part, and each one's money adds up exactly
    assert len(res.verdicts) == 2 * PREMISES
    bad = [v.line() for v in res.verdicts if v.status != "ok"]
    assert not bad, bad
    # the check had something to add up: each term moved money somewhere
    esme = [v for v in res.verdicts if v.kind == "esme"]
    gsme = [v for v in res.verdicts if v.kind == "gsme"]
    assert all(v.terms["consumption"] > 0 and v.terms["time_debt"] > 0 for v in esme)
    assert all(v.terms["standing"] == 53000 for v in esme)  # one midnight, 53,000 money units a day
    assert all(v.terms["time_debt"] == 11 * money.PENCE for v in gsme)  # one daily instalment
    top_ups = sum(len(w.top_ups) for w in res.windows)
    assert top_ups == res.stats.by_sr["top-up"]["ok"] > 0
    assert sum(v.terms["payment_debt"] for v in res.verdicts) == sum(
        a // 10 for w in res.windows for a in w.top_ups
    )
    # a ledger missing a single penny of top-up is caught
    w = dataclasses.replace(res.windows[0], top_ups=res.windows[0].top_ups + [money.PENCE])
    from smets_fleet.consumption import DemandModel

    assert money.check(w, res.terms[w.kind], DemandModel(sc.seed), 60).status == "mismatch"


async def _probe(url: str, fleet_name: str, timeout: float = 30.0) -> None:
    """Wait until premises 0 answers (a GPF read, so the meters' counters stay untouched)."""
    from smets_fleet.client import HeadEndClient, RequestTimeout
    from smets_fleet.crypto_host import HostCrypto
    from smets_fleet.headend import HeadEnd, wallclock_counter_floor
    from smets_fleet.mqtt import MqttTransport
    from smets_fleet.transport import TransportError

    deadline = time.monotonic() + timeout
    while True:
        transport = MqttTransport(url)
        try:
            he = HeadEnd.for_seed(HostCrypto(), identity.DEFAULT_SEED, wallclock_counter_floor())
            async with HeadEndClient(transport, he, fleet=fleet_name) as client:
                await asyncio.sleep(0.2)
                r = await client.request("read-balance", identity.device_eui("gpf", 0), {}, 1.0, 0)
                if r.ok:
                    return
                # a GPF answers UNSUPPORTED_ATTRIBUTE until the GSME's first wake-up has mirrored it
                last = "premises 0 answered %s" % r.error
        except (RequestTimeout, TransportError) as exc:
            last = "%s: %s" % (type(exc).__name__, exc)
        finally:
            await transport.close()
        if time.monotonic() > deadline:
            raise AssertionError("the fleet did not answer within %gs (%s)" % (timeout, last))
        await asyncio.sleep(0.3)


async def _forgetful_head_end_is_refused(url: str, fleet_name: str) -> bool:
    """A head end that lost its counters starts again from 1: the meter refuses a top-up under it as
    a replay (no response, or a failure)."""
    from smets_fleet.client import HeadEndClient, RequestTimeout
    from smets_fleet.crypto_host import HostCrypto
    from smets_fleet.headend import HeadEnd
    from smets_fleet.mqtt import MqttTransport

    transport = MqttTransport(url)
    try:
        he = HeadEnd.for_seed(HostCrypto(), identity.DEFAULT_SEED, 0)
        async with HeadEndClient(transport, he, fleet=fleet_name) as client:
            await asyncio.sleep(0.2)
            try:
                r = await client.request("top-up", identity.device_eui("esme", 0), {"amount": 1}, 2.0, 0)
            except RequestTimeout:
                return True
            return not r.ok
    finally:
        await transport.close()


def _fleet(args: list[str], log: Path) -> subprocess.Popen[bytes]:
    out = open(log, "ab")
    try:
        return subprocess.Popen(CLI + ["run", "--quiet"] + args, stdout=out, stderr=subprocess.STDOUT)
    finally:
        out.close()


def _stop(proc: subprocess.Popen[bytes]) -> int:
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise


def test_checkpoint_kill_resume_keeps_every_accepted_top_up(tmp_path):
    broker = Broker(tmp_path)
    url = "mqtt://127.0.0.1:%d" % broker.port
    name = "ck%d" % broker.port
    fleet_dir, soak_dir, log = tmp_path / "fleet", tmp_path / "soak", tmp_path / "fleet.log"
    common = ["--broker", url]
    first = ["--premises", str(PREMISES), "--speed", "x3600", "--start", "2025-01-06T06:15", "--days", "5"]
    first += ["--outages-per-day", "0", "--fleet-name", name, "--checkpoint", str(fleet_dir)]
    sc = load(write_scenario(tmp_path, 4, 40, timed=False))
    procs = []
    try:
        procs.append(_fleet(first + common, log))
        asyncio.run(_probe(url, name))
        opts = soak.SoakOptions(broker=url, external=True, fleet_name=name, checkpoint_dir=str(soak_dir))
        one = soak.run(sc, opts)
        assert _stop(procs[-1]) == 128 + signal.SIGTERM, log.read_text()
        assert (fleet_dir / "worker-0.pkl").exists() and (soak_dir / soak.CHECKPOINT_FILE).exists()

        procs.append(_fleet(["--resume", str(fleet_dir)] + common, log))
        asyncio.run(_probe(url, name))
        assert asyncio.run(_forgetful_head_end_is_refused(url, name))
        opts = soak.SoakOptions(broker=url, external=True, fleet_name=name, resume_dir=str(soak_dir))
        two = soak.run(sc, opts)
        assert _stop(procs[-1]) == 128 + signal.SIGTERM, log.read_text()
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        broker.stop()
    for res in (one, two):
        assert_nothing_lost(res)
        bad = [v.line() for v in res.verdicts if v.status != "ok"]
        assert not bad, bad
    assert two.stats.by_sr["top-up"]["ok"] > 0  # the resumed meters took new commands
    from smets_fleet.consumption import DemandModel

    demand = DemandModel(sc.seed)  # no term of this scenario charges by time: nothing is consumed at a price
    for w1, w2 in zip(one.windows, two.windows):
        assert (w1.kind, w1.number) == (w2.kind, w2.number)
        # across the restart nothing went backwards and nothing accepted went missing
        assert w2.before == w1.after, (w1.kind, w1.number)
        whole = dataclasses.replace(
            w1,
            after=w2.after,
            top_ups=w1.top_ups + w2.top_ups,
            adjustments=w1.adjustments + w2.adjustments,
            debt_added={k: w1.debt_added[k] + w2.debt_added[k] for k in money.DEBTS},
        )
        v = money.check(whole, one.terms[w1.kind], demand, 0)
        assert v.status == "ok", v.line()
        assert v.expected == sum(a - a // 10 for a in whole.top_ups)


def cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(CLI + list(args), capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize(
    "case, needle",
    [
        ("unknown-sr", "unknown service request 'warp-drive'"),
        ("bad-broker", "bad broker URL 'http://127.0.0.1:1883'"),
        ("unreadable", "cannot read"),
        ("bad-param", "top-up needs --param amount"),
        ("external-no-broker", "--external needs --broker"),
    ],
)
def test_bad_soak_command_lines_give_one_line(tmp_path, case, needle):
    path = tmp_path / "s.toml"
    path.write_text('[[mix]]\nsr = "read-balance"\n')
    args = ["soak", str(path)]
    if case == "unknown-sr":
        path.write_text('[[mix]]\nsr = "warp-drive"\n')
    elif case == "bad-broker":
        args += ["--broker", "http://127.0.0.1:1883"]
    elif case == "unreadable":
        args = ["soak", str(tmp_path / "missing.toml")]
    elif case == "bad-param":
        path.write_text('[[mix]]\nsr = "top-up"\n')
    else:
        args += ["--external"]
    p = cli(*args)
    assert p.returncode == 2, (p.stdout, p.stderr)
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], p.stderr
    assert "Traceback" not in p.stderr


def test_soak_command_in_process_writes_the_report(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(
        '[fleet]\npremises = 3\nmeters = ["esme"]\n[soak]\nduration = "2s"\nrate = 20\n'
        '[[mix]]\nsr = "read-balance"\n'
    )
    p = cli("soak", str(path), "--report", str(tmp_path / "rep"), "--quiet")
    assert p.returncode == 0, (p.stdout, p.stderr)
    data = json.loads((tmp_path / "rep" / "report.json").read_text())
    assert data["summary"]["sent"] == data["summary"]["ok"] == data["latency"]["count"] > 0
    assert data["summary"]["money"]["ok"] == 3
    assert data["balances_pence"]["count"] == 3
    # latencies over time count seconds from the start of the mix (a 2 s mix: buckets 0, 1, maybe 2)
    times = [row["t_s"] for row in data["latency_over_time"]]
    assert times[0] == 0.0 and max(times) <= 3.0
    assert sum(row["count"] for row in data["latency_over_time"]) == data["latency"]["count"]
    for name in ("latency_histogram", "latency_percentiles", "throughput", "balances_debts", "alerts"):
        assert (tmp_path / "rep" / (name + ".png")).stat().st_size > 1000


def test_run_command_writes_a_report(tmp_path):
    p = cli(
        "run", "--premises", "2", "--meters", "esme", "--days", "0.25", "--speed", "fast", "--quiet",
        "--start", "2025-01-06T00:00", "--report", str(tmp_path / "rep"),
    )  # fmt: skip
    assert p.returncode == 0, (p.stdout, p.stderr)
    data = json.loads((tmp_path / "rep" / "report.json").read_text())
    assert data["summary"]["status"] == "done"
    assert data["summary"]["half_hours"] == 2 * 12  # two ESMEs, a quarter of a day of half-hours
    assert (tmp_path / "rep" / "alerts.png").exists()
