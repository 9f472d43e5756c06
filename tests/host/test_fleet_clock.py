"""The fleet's virtual clock: realtime, scaled and fast modes, speed parsing, interrupting a sleep.
Time is injected (fake monotonic and wall clocks) wherever a mode reads one, so nothing here
depends on how fast the machine is."""

import asyncio

import pytest

from smets.timeutil import UNIX_OFFSET, to_seconds
from smets_fleet.clock import FAST, REALTIME, SCALED, Clock, ClockError, parse_speed, wall_core_time

START = to_seconds(2024, 1, 1)


class FakeTime:
    def __init__(self, t=100.0):
        self.t = t

    def __call__(self):
        return self.t


def test_parse_speed():
    assert parse_speed("realtime") == (REALTIME, 1.0)
    assert parse_speed("fast") == (FAST, 0.0)
    assert parse_speed("x60") == (SCALED, 60.0)
    assert parse_speed("X0.5") == (SCALED, 0.5)
    for bad in ("x0", "x-3", "60", "xfast", "", "xinf", "slow"):
        with pytest.raises(ClockError):
            parse_speed(bad)


def test_realtime_is_the_wall_clock_in_core_seconds():
    wall = FakeTime(START + 12.7)
    c = Clock(REALTIME, wall=wall)
    assert c.now() == START + 12
    wall.t += 3600
    assert c.now() == START + 3612
    import time

    assert abs(wall_core_time() - (time.time() - UNIX_OFFSET)) < 5


def test_scaled_clock_runs_n_times_real_time_from_its_start():
    mono = FakeTime(50.0)
    c = Clock(SCALED, START, 60.0, monotonic=mono)
    assert c.now() == START
    mono.t += 1.5  # 1.5 real seconds = 90 simulated seconds
    assert c.now() == START + 90
    assert c.real_seconds_until(START + 150) == pytest.approx(1.0)
    c.restart()  # building took time: the run starts from `start` again
    assert c.now() == START


def test_fast_clock_stands_still_and_jumps_to_what_is_due():
    c = Clock(FAST, START)
    settled = []

    async def settle():
        settled.append(c.now())

    c.settle = settle

    async def go():
        assert await c.sleep_until(START + 1800)
        assert c.now() == START + 1800
        assert await c.sleep_until(START + 900)  # never backwards
        return c.now()

    assert asyncio.run(go()) == START + 1800
    assert settled == [START, START + 1800]  # it settled before each jump


def test_a_sleep_is_cut_short_by_an_interrupt():
    async def go():
        c = Clock(SCALED, START, 1.0)
        loop = asyncio.get_running_loop()
        loop.call_later(0.05, c.interrupt)
        reached = await c.sleep_until(START + 3600)  # an hour of real time unless interrupted
        return reached, c.now()

    reached, now = asyncio.run(go())
    assert reached is False and now < START + 60


def test_bad_clocks_are_refused():
    with pytest.raises(ClockError):
        Clock("sometimes", START)
    with pytest.raises(ClockError):
        Clock(FAST)
    with pytest.raises(ClockError):
        Clock(SCALED, START, 0)
