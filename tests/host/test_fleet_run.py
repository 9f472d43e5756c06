"""The fleet on the in-process transport: the scheduler's order, fast time, meters' registers equal
to the demand model summed independently here, seeded outages whose ECS80 alerts a head end finds
authentic, a command answered through the CHF, workers and shards covering the fleet exactly once,
checkpoint and resume (in process, and SIGTERM to a real `smets-fleet run`), and one-line errors.
"""

import asyncio
import os
import pickle
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from smets import topics
from smets.persist import load_premises
from smets.timeutil import DAY, HALF_HOUR, to_seconds
from smets_fleet import identity
from smets_fleet.clock import FAST, Clock
from smets_fleet.consumption import DemandModel
from smets_fleet.crypto_host import HostCrypto
from smets_fleet.fleet import CONSUME, Fleet, FleetConfig
from smets_fleet.runner import RunPlan, run
from smets_fleet.scheduler import Scheduler
from smets_fleet.transport import InProcessTransport

P = HostCrypto()
START = to_seconds(2024, 1, 1)
QUIET = FleetConfig(outages_per_day=0.0)


def expected_totals(seed, number, start, end):
    """(electricity Wh, gas Wh) the model gives for every half-hour in [start, end)."""
    m = DemandModel(seed)
    hhs = range(start // HALF_HOUR, end // HALF_HOUR)
    return sum(m.electricity_wh(number, h) for h in hhs), sum(m.gas_wh(number, h) for h in hhs)


def registers(pr):
    return pr.esme.meter.tariff.total, pr.gsme.meter.tariff.total


async def fleet_run(numbers, days, config=QUIET, start=START, before_run=None):
    transport = InProcessTransport()
    fleet = Fleet(numbers, config, P, Clock(FAST, start), transport)
    await fleet.build()
    await fleet.connect()
    if before_run is not None:
        await before_run(fleet, transport)
    done = await fleet.run(start + int(days * DAY))
    await fleet.flush()
    return fleet, done


def test_scheduler_runs_events_in_time_order_and_skips_none():
    s = Scheduler()
    times = [(7 * k) % 50 for k in range(50)]
    for i, t in enumerate(times):
        s.push(1000 + t, CONSUME, i)
    got = []
    while len(s):
        got += s.pop_due(2000, 3000, 7)
    assert [e[0] for e in got] == sorted(1000 + t for t in times)
    assert sorted(e[2] for e in got) == list(range(50))
    s.push(5, 0, 0)
    assert s.pop_due(4, 100, 10) == [] and s.pop_due(5, 5, 10) == []  # not yet; not before 5


def test_an_earlier_event_interrupts_the_wait():
    s = Scheduler()
    calls = []
    s.on_earlier = lambda: calls.append(1)
    s.waiting_until = 100
    s.push(200, 0, 0)
    s.push(50, 0, 1)
    assert calls == [1] and s.waiting_until == 50


def test_registers_equal_the_model_summed_independently():
    numbers = range(20)
    fleet, done = asyncio.run(fleet_run(numbers, 3))
    assert done
    end = START + 3 * DAY
    for i, n in enumerate(numbers):
        assert registers(fleet.premises[i]) == expected_totals(QUIET.seed, n, START, end)
    # The profile log has each half-hour's electricity in its own half-hour (clock drift included).
    m = DemandModel(QUIET.seed)
    prof = dict(fleet.premises[3].esme.meter.profile.entries())
    for h in range(START // HALF_HOUR, end // HALF_HOUR - 1):
        assert prof[h * HALF_HOUR] == m.electricity_wh(3, h)
    assert fleet.metrics.half_hours == 20 * 2 * 3 * 48
    assert fleet.metrics.clock_syncs == 20 * 2 * 3 and 0 < fleet.metrics.clock_drift_max_s < 30
    assert fleet.clock.now() == end


def test_fast_mode_jumps_and_runs_events_in_time_order():
    seen = []

    async def spy(fleet, transport):
        orig = fleet._dispatch

        def dispatch(ev):
            seen.append(ev[0])
            orig(ev)

        fleet._dispatch = dispatch

    t0 = time.monotonic()
    fleet, _ = asyncio.run(fleet_run(range(5), 2, before_run=spy))
    assert seen == sorted(seen) and len(seen) >= 5 * 2 * 48
    # Two simulated days took real seconds at most: time jumped from event to event.
    assert time.monotonic() - t0 < 2 * DAY / 100


def test_outages_raise_alerts_a_head_end_finds_authentic():
    pytest.importorskip("smets_fleet.headend")
    from smets_fleet.monitor import UpMonitor

    cfg = FleetConfig(outages_per_day=3.0, max_outage=3600)
    monitors = []

    async def watch(fleet, transport):
        mon = UpMonitor(P, cfg.seed, fleet.metrics)
        await mon.connect(transport)
        monitors.append(mon)

    fleet, _ = asyncio.run(fleet_run(range(6), 2, cfg, before_run=watch))
    m = fleet.metrics
    assert m.outages > 0
    # an outage of 3 minutes or more ends with ECS80's alert 0x8F36; outages are 1 to 60 minutes
    assert 0 < m.alerts.get(0x8F36, 0) <= m.outages
    assert m.monitor_alerts == m.alerts_out == m.frames_out and m.monitor_invalid == 0
    # the ESME used nothing while its supply was off: less than the model's full total
    short = [
        i
        for i, n in enumerate(fleet.numbers)
        if registers(fleet.premises[i])[0] < expected_totals(cfg.seed, n, START, START + 2 * DAY)[0]
    ]
    assert short


def test_a_command_is_answered_through_the_chf():
    headend = pytest.importorskip("smets_fleet.headend")
    he = headend.HeadEnd.for_seed(P, QUIET.seed)
    answers = []

    async def send(fleet, transport):
        def up(topic, payload):
            answers.append(he.receive(payload))

        link = await transport.connect("head-end", [topics.up_wildcard()], up)
        esme = identity.device_eui("esme", 2)
        frame, _pending = he.build("read-balance", esme, {}, START)
        await link.publish(topics.down(identity.device_eui("chf", 2)), frame)

    fleet, _ = asyncio.run(fleet_run(range(4), 0.1, before_run=send))
    responses = [a for a in answers if isinstance(a, headend.Response)]
    assert len(responses) == 1 and responses[0].ok, answers
    assert fleet.metrics.frames_in == 1 and fleet.metrics.commands == 1 and fleet.metrics.responses_out == 1


def load_checkpoint(folder, worker=0):
    with open(Path(folder) / ("worker-%d.pkl" % worker), "rb") as f:
        state = pickle.load(f)
    cfg = FleetConfig.from_dict(state["config"])
    remote = identity.parties(P, cfg.seed)
    lo, hi = state["numbers"]
    premises = {}
    for i, n in enumerate(range(lo, hi)):
        c = identity.premises_config(P, n, cfg.seed, cfg.meters, remote, cfg.wake_interval, cfg.log_sizes)
        premises[n] = load_premises(c, state["premises"][i], P)
    return state, premises


def test_workers_and_shards_cover_the_fleet_once(tmp_path):
    """Shard 1/2 of 12 premises on 2 workers: premises 6..11, each run once, registers as the model."""
    plan = RunPlan(
        premises=12,
        config=QUIET,
        shard=(1, 2),
        workers=2,
        start=START,
        end=START + DAY,
        checkpoint_dir=str(tmp_path),
        monitor=False,
    )
    assert [list(plan.worker_range(k)) for k in range(2)] == [[6, 7, 8], [9, 10, 11]]
    outcome = run(plan)
    assert outcome.status == "done" and outcome.exit_code == 0, outcome.error
    assert outcome.metrics.premises == 6 and outcome.metrics.half_hours == 6 * 2 * 48
    for k in range(2):
        _, premises = load_checkpoint(tmp_path, k)
        for n, pr in premises.items():
            assert registers(pr) == expected_totals(QUIET.seed, n, START, START + DAY)


def test_checkpoint_state_resumes_exactly():
    """Stop half-way, take the state, continue in a new fleet: registers and events as one run."""

    async def halves():
        fleet = Fleet(range(5), QUIET, P, Clock(FAST, START), InProcessTransport())
        await fleet.build()
        await fleet.connect()
        await fleet.run(START + DAY + 777)
        state = pickle.loads(pickle.dumps(fleet.state()))
        again = Fleet(range(5), QUIET, P, Clock(FAST, state["clock"]["now"]), InProcessTransport())
        await again.build(state)
        await again.connect()
        await again.run(START + 2 * DAY)
        return state, again

    state, again = asyncio.run(halves())
    whole, _ = asyncio.run(fleet_run(range(5), 2))
    for i in range(5):
        assert registers(again.premises[i]) == registers(whole.premises[i])
        assert again.premises[i].esme.clock_offset == whole.premises[i].esme.clock_offset
    assert again.metrics.half_hours == whole.metrics.half_hours
    assert again.metrics.events == whole.metrics.events


def smets_fleet(*args, **kw):
    cmd = [sys.executable, "-m", "smets_fleet.cli", "run", *args]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def test_sigterm_checkpoint_then_resume_loses_nothing(tmp_path):
    """A real run (scaled: a simulated day per real second) killed with SIGTERM writes its
    checkpoint; no register is past what the events still queued allow, resuming goes on from it, and
    the end equals the model (the uninterrupted run's total)."""
    folder = tmp_path / "ck"
    args = ["--premises", "8", "--days", "4", "--start", "2024-01-01", "--speed", "x86400"]
    proc = smets_fleet(*args, "--checkpoint", str(folder), "--checkpoint-every", "0.2", "--quiet")
    deadline = time.monotonic() + 60
    while not (folder / "worker-0.pkl").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert "run stopped" in out
    state, stopped = load_checkpoint(folder)
    now = state["clock"]["now"]
    assert START < now < START + 4 * DAY  # really stopped half-way
    next_consume = {state["numbers"][0] + i: t for t, kind, i in state["events"] if kind == CONSUME}
    for n, pr in stopped.items():
        # consistent: exactly the half-hours whose consumption event has run are in the registers
        assert registers(pr) == expected_totals(
            QUIET.seed, n, START, next_consume[n] - next_consume[n] % 1800
        )

    proc = smets_fleet("--resume", str(folder), "--quiet")
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    _, final = load_checkpoint(folder)
    for n, pr in final.items():
        before, after = registers(stopped[n]), registers(pr)
        assert after[0] >= before[0] and after[1] >= before[1]
        assert after == expected_totals(QUIET.seed, n, START, START + 4 * DAY)


def cli_error(*args):
    env = dict(os.environ)
    proc = subprocess.run(
        [sys.executable, "-m", "smets_fleet.cli", "run", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    return proc.returncode, proc.stdout, proc.stderr


@pytest.mark.parametrize(
    "args, words",
    [
        (["--broker", "http://localhost:1883"], "bad broker URL"),
        (["--broker", "mqtt://"], "bad broker URL"),
        (["--shard", "2/2"], "--shard must be i/n"),
        (["--shard", "one/two"], "--shard must be i/n"),
        (["--speed", "x0"], "speed must be"),
        (["--premises", "0"], "--premises must be at least 1"),
        (["--meters", "esme,water"], "--meters must be"),
        (["--until", "2024-02-30T25:00"], "--until must be"),
        (["--resume", "/nonexistent/fleet"], "is not a folder"),
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(args, words):
    code, out, err = cli_error(*args)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("smets-fleet: ") and words in err, err


def test_an_unreachable_broker_is_one_line_and_exit_1():
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    code, out, err = cli_error("--premises", "2", "--broker", "mqtt://127.0.0.1:%d" % port, "--quiet")
    assert code == 1
    assert "Traceback" not in err and "cannot connect to MQTT broker 127.0.0.1:%d" % port in err
