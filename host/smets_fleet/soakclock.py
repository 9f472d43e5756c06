"""The soak's fleet clock: a scaled clock (smets_fleet.clock, ``xN``) with a ceiling.

Simulated time runs N times real time but never past ``ceiling``; the fleet's run loop waits at the
ceiling (events due later wait, commands are taken at the ceiling's time). The soak uses it to
know exactly when its reads land, so that money moved between two reads can be computed from the
events in between:

* ``hold()``: stop where the clock is (the ceiling becomes now);
* ``jump(t)``: from a hold, move at once to ``t`` (every event up to ``t`` runs, in order);
* ``release()``: run scaled again from where the clock stands;
* ``stop_at(t)``: keep running, but hold when ``t`` is reached.

A fresh SoakClock stands held at its start.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable

from smets_fleet.clock import SCALED, Clock, wall_core_time


class SoakClock(Clock):
    def __init__(
        self,
        start: int,
        factor: float,
        monotonic: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = wall_core_time,
    ) -> None:
        super().__init__(SCALED, start, factor, monotonic, wall)
        self.ceiling: float = float(start)
        self._held: asyncio.Future[None] | None = None

    def now_float(self) -> float:
        return min(super().now_float(), self.ceiling)

    @property
    def held(self) -> bool:
        return super().now_float() >= self.ceiling

    def _rebase(self, t: float) -> None:
        self.start = int(t)
        self._t0 = self._monotonic() - (t - int(t)) / self.factor

    def hold(self) -> int:
        """Stop simulated time where it is; returns that time."""
        t = self.now()
        self._rebase(t)
        self.ceiling = float(t)
        self._wake()
        return t

    def jump(self, t: int) -> None:
        """Move at once to `t` (not before where the clock stands) and hold there."""
        t = max(t, self.now())
        self._rebase(t)
        self.ceiling = float(t)
        self._wake()

    def release(self) -> None:
        """Run scaled again from where the clock stands."""
        self._rebase(self.now())
        self.ceiling = math.inf
        self._wake()

    def stop_at(self, t: int) -> None:
        """Keep running, but hold at `t` (at once when the clock is past it)."""
        self.ceiling = float(max(t, self.now()))
        self._wake()

    def restart(self) -> None:
        """The fleet calls this before it runs: time stays where it is (held or not)."""
        self._rebase(self.now())

    def _wake(self) -> None:
        self.interrupt()

    def interrupt(self) -> None:
        """Cut any wait short, a held one too (the fleet stopping, an earlier event)."""
        super().interrupt()
        fut = self._held
        if fut is not None and not fut.done():
            fut.set_result(None)

    async def sleep_until(self, t: int) -> bool:
        if t > self.ceiling:
            fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._held = fut
            try:
                await fut
            finally:
                self._held = None
            return self.now_float() >= t
        return await super().sleep_until(t)
