"""The fleet's virtual clock: simulated time in core seconds (UTC seconds since 2000-01-01, see
smets.timeutil) in one of three modes.

* ``realtime``: simulated time is the wall clock (UTC now); sleeping waits in real time.
* ``scaled`` (``xN``): simulated time starts at ``start`` and runs N times faster than real time.
* ``fast``: event-driven. Time stands still while there is work and jumps straight to the next due
  event when there is none. Before each jump the clock awaits its ``settle`` hook: the fleet sets it
  to a coroutine that returns only once the process is quiescent (every due event run, nothing left
  to publish, every QoS-1 publish acknowledged, no inbound message in the last loop turn), so fast
  time never outruns a command in flight through this process. A head end on another host that
  must see commands land at chosen simulated times should use ``scaled`` instead: in fast mode
  simulated time moves on as soon as this process is idle.

``sleep_until`` can be cut short by ``interrupt()`` (an event scheduled earlier than the one being
waited for); the caller then asks the scheduler again.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from smets.timeutil import UNIX_OFFSET

REALTIME = "realtime"
SCALED = "scaled"
FAST = "fast"
MODES = (REALTIME, SCALED, FAST)


class ClockError(ValueError):
    pass


def parse_speed(text: str) -> tuple[str, float]:
    """``realtime``, ``fast`` or ``xN`` (N > 0, e.g. ``x60``) -> (mode, factor)."""
    t = text.strip().lower()
    if t in (REALTIME, "x1"):
        return REALTIME, 1.0
    if t == FAST:
        return FAST, 0.0
    if t.startswith("x"):
        try:
            factor = float(t[1:])
        except ValueError:
            factor = 0.0
        if factor > 0 and factor != float("inf"):
            return SCALED, factor
    raise ClockError("speed must be realtime, fast or xN with N > 0 (e.g. x60), got %r" % text)


def wall_core_time() -> float:
    """The wall clock in core seconds."""
    return time.time() - UNIX_OFFSET


async def _yield() -> None:
    await asyncio.sleep(0)


class Clock:
    """Simulated time. ``start`` is the simulated time at creation (ignored in realtime mode)."""

    def __init__(
        self,
        mode: str,
        start: int | None = None,
        factor: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = wall_core_time,
    ) -> None:
        if mode not in MODES:
            raise ClockError("unknown clock mode %r" % mode)
        if mode == SCALED and not factor > 0:
            raise ClockError("a scaled clock needs a factor > 0")
        self.mode = mode
        self.factor = factor if mode == SCALED else 1.0
        self._monotonic = monotonic
        self._wall = wall
        self._t0 = monotonic()
        if mode == REALTIME:
            start = int(wall())
        elif start is None:
            raise ClockError("a %s clock needs a start time" % mode)
        self.start = int(start)
        self._fast_now = int(start)
        self.settle: Callable[[], Awaitable[None]] = _yield
        self._wakeup: asyncio.Future[None] | None = None

    # -- reading -------------------------------------------------------------------------------------
    def now_float(self) -> float:
        if self.mode == FAST:
            return float(self._fast_now)
        if self.mode == REALTIME:
            return self._wall()
        return self.start + (self._monotonic() - self._t0) * self.factor

    def now(self) -> int:
        """Simulated time, whole core seconds."""
        if self.mode == FAST:
            return self._fast_now
        return int(self.now_float())

    def real_seconds_until(self, t: float) -> float:
        """How long (real seconds) until simulated time `t`; 0 in fast mode or when it has passed."""
        if self.mode == FAST:
            return 0.0
        return max(0.0, (t - self.now_float()) / self.factor)

    # -- waiting -------------------------------------------------------------------------------------
    async def sleep_until(self, t: int) -> bool:
        """Wait until simulated time reaches `t`. Returns False when interrupted before it did."""
        if self.mode == FAST:
            await self.settle()
            if self._fast_now < t:
                self._fast_now = t
            return True
        delay = self.real_seconds_until(t)
        if delay <= 0:
            return True
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[None] = loop.create_future()
        self._wakeup = fut
        handle = loop.call_later(delay, _resolve, fut)
        try:
            await fut
        finally:
            handle.cancel()
            self._wakeup = None
        return self.now_float() >= t

    def interrupt(self) -> None:
        """Cut a pending sleep_until short (something earlier became due)."""
        fut = self._wakeup
        if fut is not None and not fut.done():
            fut.set_result(None)

    def restart(self) -> None:
        """Start simulated time from ``start`` now (a scaled clock does not run while premises build)."""
        if self.mode == SCALED:
            self._t0 = self._monotonic()

    # -- checkpoints -----------------------------------------------------------------------------------
    def state(self) -> dict[str, object]:
        return {"mode": self.mode, "factor": self.factor, "now": self.now()}


def _resolve(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)
