"""The one timer the CPython benchmarks share: calls per second of a function over a time budget."""

import time


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
