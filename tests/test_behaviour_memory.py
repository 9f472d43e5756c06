"""Memory bounds: a board-sized ESME on MicroPython, full SMETS logs per meter on CPython.

The figures themselves (and the 256K-heap run) are in benchmarks/README.md; these tests keep the
bounds from creeping. State is bounded: two weeks of running leave the same footprint as one.
"""

import gc

from smets.behaviour.account import PREPAYMENT
from smets.behaviour.calendar import Calendar
from smets.behaviour.debt import DAILY, HOURLY, TDR1, TDR2
from smets.behaviour.logs import BOARD_LOG_SIZES, SMETS_LOG_SIZES
from smets.behaviour.meter import EsmeBehaviour
from smets.behaviour.tariff import TOU, TariffConfig
from smets.behaviour.timeutil import HALF_HOUR, HOUR, NOW, to_seconds
from smets.compat import IS_MICROPYTHON

T0 = to_seconds(2024, 1, 1)


def _meter(sizes):
    cal = Calendar(
        ((1, 1, 0), (4, 1, 1)), ((0,) * 7, (1,) * 7), (((0, 1), (7 * HOUR, 2)), ((0, 2), (16 * HOUR, 3)))
    )
    m = EsmeBehaviour(T0, log_sizes=sizes)
    m.set_tariff(TariffConfig(TOU, cal, (12000, 24000, 36000), standing_charge=45000), NOW, T0)
    m.set_debt_recovery(1000, ((20000, -5, DAILY), (500, -5, HOURLY)), T0)
    m.adjust_debt(TDR1, 10**6, T0)
    m.adjust_debt(TDR2, 10**6, T0)
    m.set_payment_mode(PREPAYMENT, False, True, -(10**9), NOW, T0)
    m.adjust_balance(10**8, T0)
    return m


def _run(m, start, n):
    for k in range(n):
        m.consume(start + k * HALF_HOUR, 400)
    return start + n * HALF_HOUR


def _live():
    gc.collect()
    if IS_MICROPYTHON:
        return gc.mem_alloc()
    import tracemalloc

    return tracemalloc.get_traced_memory()[0]


def test_state_is_bounded_and_small():
    if not IS_MICROPYTHON:
        import tracemalloc

        tracemalloc.start()
    try:
        base = _live()
        m = _meter(BOARD_LOG_SIZES)
        t = _run(m, T0, 7 * 48)
        one_week = _live() - base
        _run(m, t, 7 * 48)
        two_weeks = _live() - base
    finally:
        if not IS_MICROPYTHON:
            tracemalloc.stop()
    assert two_weeks <= one_week + 512, (one_week, two_weeks)  # no growth once the rings wrapped
    # ~13 KB on the unix port (64-bit objects); the bound leaves room, far below a 128 KB ESP32 heap
    assert two_weeks < 32 * 1024, two_weeks


def test_full_smets_logs_per_esme_on_cpython():
    """CPython only (a host keeps full SMETS logs; a board uses smaller ones)."""
    if IS_MICROPYTHON:
        return
    import tracemalloc

    tracemalloc.start()
    base = _live()
    m = _meter(SMETS_LOG_SIZES)
    _run(m, T0, 3 * 48)
    used = _live() - base
    tracemalloc.stop()
    # the profile log alone is 19,056 x 4 bytes; everything else is small
    assert 19056 * 4 < used < 140 * 1024, used
