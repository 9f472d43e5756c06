"""The timers the benchmarks share: rate() (CPython: calls per second of a function over a time budget)
and clock()/elapsed() (both interpreters: a start mark and the seconds since it)."""

import time

if hasattr(time, "ticks_us"):  # MicroPython: no perf_counter; ticks wrap, so differences via ticks_diff

    def clock():
        return time.ticks_us()

    def elapsed(t0):
        return time.ticks_diff(time.ticks_us(), t0) / 1e6

else:
    clock = time.perf_counter

    def elapsed(t0):
        return time.perf_counter() - t0


def rate(fn, seconds, batch=10):
    """Calls of fn() per second, after one warm-up call, measured for at least `seconds`."""
    fn()
    n = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(batch):
            fn()
        n += batch
        now = time.perf_counter()
        if now >= deadline:
            return n / (now - start)
