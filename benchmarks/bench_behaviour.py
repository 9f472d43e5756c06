"""Behaviour-core benchmark: simulated meter-half-hours per second, and memory per meter.

Runs on CPython and on the MicroPython unix port (from the project root):

    python benchmarks/bench_behaviour.py                  # speed + bytes per ESME/GSME (tracemalloc)
    micropython -X heapsize=256K benchmarks/bench_behaviour.py   # speed + live heap of a board ESME

A "meter-half-hour" is one consume() call per half hour on a prepayment ESME with a realistic
tariff (two seasons, weekday/weekend week profiles, three TOU rates, a standing charge), time debt 1
daily, time debt 2 hourly, payment debt, a non-disablement schedule and weekly top-ups: the tariff,
the calendar, the debt collection, the credit review and all the logs run for every half hour.
"""

import gc
import sys

sys.path.insert(0, "firmware")

from timing import clock, elapsed  # noqa: E402

from smets.behaviour.account import PREPAYMENT  # noqa: E402
from smets.behaviour.calendar import Calendar  # noqa: E402
from smets.behaviour.debt import DAILY, HOURLY, PDR, TDR1, TDR2  # noqa: E402
from smets.behaviour.logs import BOARD_LOG_SIZES, SMETS_LOG_SIZES  # noqa: E402
from smets.behaviour.meter import EsmeBehaviour, GsmeBehaviour  # noqa: E402
from smets.behaviour.nondisablement import EsmeSchedule  # noqa: E402
from smets.behaviour.tariff import BLOCK, TOU, TariffConfig  # noqa: E402
from smets.behaviour.timeutil import HALF_HOUR, HOUR, NOW, to_seconds  # noqa: E402
from smets.behaviour.topup import REMOTE, TopUp  # noqa: E402
from smets.compat import IS_MICROPYTHON  # noqa: E402

T0 = to_seconds(2024, 1, 1)


def esme_tariff():
    weekday = ((0, 1), (7 * HOUR, 2), (16 * HOUR, 3), (19 * HOUR, 2), (23 * HOUR, 1))
    weekend = ((0, 1), (9 * HOUR, 2), (23 * HOUR, 1))
    cal = Calendar(
        ((1, 1, 0), (4, 1, 1), (10, 1, 0)),
        ((0, 0, 0, 0, 0, 1, 1), (2, 2, 2, 2, 2, 1, 1)),
        (weekday, weekend, ((0, 1), (7 * HOUR, 2), (23 * HOUR, 1))),
        ((0, 12, 25, 1), (0, 1, 1, 1)),
    )
    return TariffConfig(
        TOU, cal, (12000, 24000, 36000), price_scale=-5, standing_charge=45000, standing_scale=-5
    )


def gsme_tariff():
    return TariffConfig(
        BLOCK,
        Calendar.flat(1),
        block_thresholds=((50000, 100000, 200000),),
        block_prices=((7000, 6000, 5000, 4000),),
    )


def make_esme(sizes, tariff, nd):
    m = EsmeBehaviour(T0, log_sizes=sizes)
    m.set_tariff(tariff, NOW, T0)
    m.set_prepayment_config(200000, 300000, 100000, 10**7, 10**8, 30, 604800, NOW, T0)
    m.set_debt_recovery(1000, ((20000, -5, DAILY), (500, -5, HOURLY)), T0)
    m.set_non_disablement(nd, NOW, T0)
    m.adjust_debt(TDR1, 10**6, T0)
    m.adjust_debt(TDR2, 10**6, T0)
    m.adjust_debt(PDR, 10**6, T0)
    m.set_payment_mode(PREPAYMENT, False, True, 0, NOW, T0)
    m.adjust_balance(5000000, T0)
    return m


def make_gsme(sizes, tariff):
    g = GsmeBehaviour(T0, log_sizes=sizes)
    g.set_tariff(tariff, NOW, T0)
    g.set_payment_mode(PREPAYMENT, False, False, 0, NOW, T0)
    g.adjust_balance(5000000, T0)
    return g


def nd_schedule():
    return EsmeSchedule(
        ((True, True, 16 * HOUR, 0x7F, 0, None, None), (True, False, 20 * HOUR, 0x7F, 0, None, None))
    )


def run(m, half_hours, start=T0):
    counter = 1
    for k in range(half_hours):
        t = start + k * HALF_HOUR
        if k % 48 == 20:  # a £10 top-up every day at 10:00 keeps the supply on
            m.apply_top_up(TopUp(counter << 32, 10, 1, True, True), REMOTE, t)
            counter += 1
        m.consume(t, 300 + (k * 37) % 500)
    return start + half_hours * HALF_HOUR


def speed(sizes, half_hours):
    m = make_esme(sizes, esme_tariff(), nd_schedule())
    gc.collect()
    t0 = clock()
    run(m, half_hours)
    dt = elapsed(t0)
    assert m.supply.state == 1 and m.tariff.total > 0  # the supply stayed on all the time
    return half_hours / dt


def cpython_bytes():
    import tracemalloc

    tariff_e = esme_tariff()
    tariff_g = gsme_tariff()
    nd = nd_schedule()
    out = {}
    for label, factory in (
        ("ESME", lambda: make_esme(SMETS_LOG_SIZES, tariff_e, nd)),
        ("GSME", lambda: make_gsme(SMETS_LOG_SIZES, tariff_g)),
        ("ESME (board logs)", lambda: make_esme(BOARD_LOG_SIZES, tariff_e, nd)),
    ):
        factory()  # warm caches (alert index, interned strings)
        gc.collect()
        tracemalloc.start()
        meters = [factory() for _ in range(20)]
        for m in meters:
            run(m, 3 * 48)
        gc.collect()
        cur, _peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        out[label] = cur // len(meters)
        del meters
    return out


def micropython_heap():
    gc.collect()
    before = gc.mem_alloc()
    m = make_esme(BOARD_LOG_SIZES, esme_tariff(), nd_schedule())
    run(m, 14 * 48)  # two weeks: every ring has wrapped
    gc.collect()
    live = gc.mem_alloc() - before
    snap = m.snapshot()
    gc.collect()
    return live, len(snap), gc.mem_alloc(), gc.mem_alloc() + gc.mem_free()


def main():
    n = 30 * 48
    impl = sys.implementation.name
    hh = speed(BOARD_LOG_SIZES, n)
    print("%s: %.0f meter-half-hours/s (ESME, board log sizes, %d half-hours)" % (impl, hh, n))
    if not IS_MICROPYTHON:
        hh = speed(SMETS_LOG_SIZES, n)
        print("%s: %.0f meter-half-hours/s (ESME, full SMETS log sizes)" % (impl, hh))
        for label, b in cpython_bytes().items():
            print("%s: %d bytes per %s (tracemalloc, shared tariff objects)" % (impl, b, label))
    else:
        live, snap, total, heap = micropython_heap()
        print("%s: board ESME: %d bytes live after two weeks, snapshot %d bytes" % (impl, live, snap))
        print("%s: whole process %d bytes live (code, meter, snapshot); heap %d bytes" % (impl, total, heap))


main()
