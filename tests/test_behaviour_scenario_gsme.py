"""30 days of a prepayment GSME on a block tariff against the plain reference ledger.

Block tariff: thresholds at 20,100 / 40,000 / 60,000 Wh within the billing period (weekly, so the
block counters reset every Monday midnight), block prices 10,000 / 8,000 / 6,000 / 5,000 at price
scale -5, a 30 p standing charge. Time debt 1 at 10,000 a day (GSME debt scale is fixed at -5),
payment debt at 20 % of each top-up with a 150,000 weekly cap (the GSME cap is in money units, one
week). SuspendDebtDisabled is on, so time-based charges while the valve is shut go to the
accumulated debt. Non-disablement calendar: Saturdays and Sundays all day, plus 10 January.

The reference prices block energy one Wh at a time, so it shares nothing with the meter's splitting
of a half-hour across a threshold.
"""

from behaviour_ref import K, RefLedger, by_slot

from smets.behaviour import supply as sp
from smets.behaviour.account import PREPAYMENT
from smets.behaviour.billing import WEEKLY
from smets.behaviour.calendar import Calendar
from smets.behaviour.debt import DAILY, PDR, TDR1
from smets.behaviour.errors import BehaviourError
from smets.behaviour.meter import RESET_SUCCESS, GsmeBehaviour
from smets.behaviour.nondisablement import GsmeCalendar
from smets.behaviour.tariff import BLOCK, TariffConfig
from smets.behaviour.timeutil import DAY, HALF_HOUR, NOW, WEEK, to_seconds
from smets.behaviour.topup import KEYPAD, PENNIES, PPMID, REMOTE, TopUp

T0 = to_seconds(2024, 1, 1)  # Monday
THRESHOLDS = (20100, 40000, 60000)
PRICES = (10000, 8000, 6000, 5000)
STANDING = 30000
TDR1_RATE = 10000


def wh_at(k):
    return 150 + 50 * (k % 3)


SCRIPT = (
    (K(3, 8), "remote_enable"),  # a gas valve is never opened remotely
    (K(3, 9), "topup", 1, 500, KEYPAD),
    (K(3, 9, 30), "enable"),
    (K(4, 12), "reset", TDR1),
    (K(7, 9), "ec"),
    (K(7, 9, 30), "enable"),
    (K(10, 9), "topup", 2, 500, REMOTE),
    (K(10, 9, 30), "enable"),
    (K(10, 12), "topup", 3, 500, PPMID),
    (K(13, 9), "topup", 4, 500, REMOTE),
    (K(16, 9), "topup", 5, 500, REMOTE),
    (K(19, 9), "topup", 6, 500, KEYPAD),
    (K(22, 9), "topup", 7, 500, REMOTE),
    (K(20, 12), "reset", PDR),
    (K(25, 9), "topup", 8, 500, REMOTE),
    (K(28, 9), "topup", 9, 500, REMOTE),
)


def _nd_calendar():
    # day profile 0: never; 1: all day; week: Mon..Fri -> 0, Sat, Sun -> 1; special day 10 Jan -> 1
    return GsmeCalendar(
        Calendar(((1, 1, 0),), ((0, 0, 0, 0, 0, 1, 1),), (((0, 0),), ((0, 1),)), ((0, 1, 10, 1),))
    )


def _nd_active(t):
    dn = (t - T0) // DAY  # day 0 is a Monday
    return dn % 7 in (5, 6) or dn == 9  # 10 January is day 9


class _Ref(RefLedger):
    def in_nd(self, t):
        return _nd_active(t)


def _setup():
    m = GsmeBehaviour(T0)
    got = []
    tariff = TariffConfig(
        BLOCK,
        Calendar.flat(1),
        block_thresholds=(THRESHOLDS,),
        block_prices=(PRICES,),
        price_scale=-5,
        standing_charge=STANDING,
        standing_scale=-5,
    )
    got += m.set_tariff(tariff, NOW, T0)[1]
    got += m.set_billing_calendar(T0, WEEKLY, T0)[1]
    # low credit £1, EC limit £2, EC threshold 50 p, max credit £20, max balance £30, cap 150,000/week
    got += m.set_prepayment_config(100000, 200000, 50000, 2000000, 3000000, 150000, WEEK, NOW, T0)[1]
    got += m.set_debt_recovery(2000, ((TDR1_RATE, 0, DAILY), (0, 0, DAILY)), T0)[1]
    got += m.set_non_disablement(_nd_calendar(), NOW, T0)[1]
    got += m.adjust_debt(TDR1, 150000, T0)[1]
    got += m.adjust_debt(PDR, 400000, T0)[1]
    # GSME: the prepayment balance is only adjusted in prepayment mode (in credit mode an adjustment
    # goes to the credit-mode balance), so the mode comes first and raises EC available + low credit.
    got += m.set_payment_mode(PREPAYMENT, True, False, 0, NOW, T0)[1]
    got += m.adjust_balance(300000, T0)[1]
    ref = _Ref(100000, 200000, 50000, 2000000, 3000000, 150000, 2000, False, True, None)
    ref.bal = 300000
    ref.tdr = [150000, 0]
    ref.pdr = 400000
    ref.alerts = [(0x8F0A, T0), (0x8F0A, T0), (0x8119, T0), (0x810D, T0)]
    return m, ref, got


_SUPPLY = {"on": sp.ENABLED, "off": sp.DISABLED, "armed": sp.ARMED}


def _run():
    m, ref, got = _setup()
    events = by_slot(SCRIPT)
    block_used = 0  # Wh in the current billing period
    total = 0
    shares = []
    notes = {}
    for k in range(30 * 48):
        t = T0 + k * HALF_HOUR
        if k and t % DAY == 0:
            if (t - T0) % WEEK == 0:  # weekly billing period end: snapshot and block counter reset
                ref.alerts.append((0x8F0A, t))
                block_used = 0
            ref.debit(STANDING, True, t)
            ref.time_debt(0, TDR1_RATE, t)
        if k:
            ref.review(t)
        for e in events.get(k, ()):
            kind = e[0]
            if kind == "topup":
                counter, pennies, source = e[1], e[2], e[3]
                res, out = m.apply_top_up(TopUp(counter << 32, pennies, PENNIES, True, True), source, t)
                got += out
                pdr0 = ref.pdr
                assert res == ref.top_up(pennies * 1000, t, source != REMOTE), (k, e)
                shares.append(pdr0 - ref.pdr)
            elif kind == "enable":
                ok, out = m.local_enable(t)
                got += out
                assert ok == ref.local_enable(), (k, e)
            elif kind == "remote_enable":
                ok, out = m.remote_enable(t)
                got += out
                assert ok is False
            elif kind == "ec":
                ok, out = m.activate_emergency_credit(1, t)
                got += out
                assert ok == ref.activate_ec(t), (k, e)
            elif kind == "reset":
                notes[e[1]] = m.prepayment_registers()
                try:
                    m.reset_debt_register(e[1], t, amount=1)
                    raise AssertionError("a GSME reset with a non-zero amount must be refused")
                except BehaviourError:
                    pass
                res, out = m.reset_debt_register(e[1], t)
                got += out
                assert res == RESET_SUCCESS
                if e[1] == PDR:
                    ref.pdr = 0
                else:
                    ref.tdr[e[1]] = 0
        wh = wh_at(k) if ref.supply == "on" else 0
        num = 0
        for _ in range(wh):  # one Wh at a time through the blocks
            b = 0
            while b < 3 and block_used >= THRESHOLDS[b]:
                b += 1
            num += PRICES[b]
            block_used += 1
        total += wh
        got += m.consume(t, wh_at(k))
        ref.debit(num // 1000, False, t)  # price scale -5: Wh * price / 1000 money units, exact here
        ref.review(t)
        assert m.prepayment_registers() == ref.registers(), (k, m.prepayment_registers(), ref.registers())
        assert m.supply.state == _SUPPLY[ref.supply], (k, m.supply.state, ref.supply)
        assert sum(m.tariff.counters) == block_used, k
        notes["ad_max"] = max(notes.get("ad_max", 0), m.account.accumulated)
    got += m.tick(T0 + 30 * DAY)
    return m, ref, got, shares, notes, total


def test_gsme_30_days_block_tariff_scenario():
    m, ref, got, shares, notes, total = _run()
    assert got == ref.alerts
    codes = [c for c, _ in got]
    assert m.tariff.total == total
    assert sum(m.tariff.blocks) == total
    for code in (0x8F0F, 0x8F32, 0x8F83, 0x81AB, 0x81AA, 0x8168, 0x8119, 0x810D, 0x810E, 0x8F0A):
        assert code in codes, hex(code)
    assert codes.count(0x8F0A) == 2 + 4  # setup (tariff, mode) + weekly billing ends on days 7..28
    assert 100000 in shares and any(0 < s < 100000 for s in shares)  # 20 % and the capped share
    assert notes[TDR1][4] > 0 and notes[PDR][3] > 0  # both resets happened part-way
    regs = m.prepayment_registers()
    assert regs[3] == 0 and regs[4] == 0
    # SuspendDebtDisabled: time-based charges went to the accumulated debt while the valve was shut.
    assert notes["ad_max"] > 0
    # The special day (10 January, a Wednesday) was a non-disablement day: 0x8F83 on it, and the
    # disablement came at its end.
    i = codes.index(0x8F83)
    assert (got[i][1] - T0) // DAY == 9 and got[i + 1] == (0x8F0F, T0 + 10 * DAY)


def test_gsme_block_boundary_split_inside_one_half_hour():
    m = GsmeBehaviour(T0)
    tariff = TariffConfig(BLOCK, Calendar.flat(1), block_thresholds=(THRESHOLDS,), block_prices=(PRICES,))
    m.set_tariff(tariff, NOW, T0)
    m.set_payment_mode(PREPAYMENT, False, False, -(10**9), NOW, T0)
    m.consume(T0, 20000)  # one unit below the first threshold is 20,099
    b0 = m.account.balance
    assert b0 == -(20000 * 10000 // 1000)
    m.consume(T0 + 60, 200)  # 100 Wh in block 1, 100 Wh in block 2
    assert m.account.balance - b0 == -(100 * 10000 + 100 * 8000) // 1000
    assert tuple(m.tariff.counters) == (20100, 100, 0, 0)
