"""The soak's clock: scaled time under a ceiling (held, jumped, released, stopped at a time), with a
fake monotonic clock so the expected times are plain arithmetic."""

import asyncio

from smets_fleet.soakclock import SoakClock


class Mono:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_held_at_start_then_released_jumped_and_stopped():
    mono = Mono()
    c = SoakClock(1000, 60.0, monotonic=mono)
    mono.t += 5
    assert c.now() == 1000 and c.held  # a fresh clock stands at its start
    c.release()
    mono.t += 2
    assert c.now() == 1000 + 120  # 2 s at x60, counted from the release
    c.stop_at(1200)
    mono.t += 10
    assert c.now() == 1200 and c.held  # runs up to the ceiling, not past it
    c.jump(5000)
    assert c.now() == 5000
    mono.t += 3
    assert c.now() == 5000  # a jump holds where it lands
    c.jump(10)
    assert c.now() == 5000  # never backwards
    c.release()
    mono.t += 1
    assert c.now() == 5060
    assert c.hold() == 5060
    mono.t += 1
    assert c.now() == 5060


def test_a_held_sleep_waits_until_the_ceiling_moves():
    async def go():
        mono = Mono()
        c = SoakClock(0, 1.0, monotonic=mono)
        sleeper = asyncio.ensure_future(c.sleep_until(50))
        await asyncio.sleep(0.01)
        assert not sleeper.done()  # held at 0: time 50 never comes by itself
        c.jump(50)
        assert await asyncio.wait_for(sleeper, 1) is True
        early = asyncio.ensure_future(c.sleep_until(60))
        await asyncio.sleep(0.01)
        c.interrupt()  # the fleet stopping, or an earlier event: the wait ends, not yet at 60
        assert await asyncio.wait_for(early, 1) is False

    asyncio.run(go())
