"""30 days of a prepayment ESME against the plain reference ledger in behaviour_ref.py.

Two-rate TOU tariff (night 00:00-07:00 at 15.000 p/kWh, day at 30.000 p/kWh) with a 50 p daily
standing charge; time debt 1 collected daily, time debt 2 hourly, payment debt at 10 % of each
top-up with a £2 weekly cap; SuspendDebtEmergency on; a daily non-disablement window 16:00-20:00.
The script runs: disablement inside the non-disablement window (0x8F83, then 0x8F0F when it ends),
re-arm by top-up, EC activated and exhausted and repaid, disablement outside the window, EC
activated on a disabled supply (0x8168), the cap being hit, PDR collection completing, a SECMP0002
reset of each register part-way and a reset in credit mode where recovery was not running.
Balances, EC balance, accumulated debt, the three registers and the supply state are compared at
every half hour; the full alert sequence is compared at the end.
"""

from behaviour_ref import K, RefLedger, by_slot

from smets.behaviour import supply as sp
from smets.behaviour.account import CREDIT, PREPAYMENT
from smets.behaviour.calendar import Calendar
from smets.behaviour.debt import DAILY, HOURLY, PDR, TDR1, TDR2
from smets.behaviour.meter import RESET_SUCCESS, EsmeBehaviour
from smets.behaviour.nondisablement import EsmeSchedule
from smets.behaviour.tariff import TOU, TariffConfig
from smets.behaviour.timeutil import DAY, HALF_HOUR, HOUR, NOW, to_seconds
from smets.behaviour.topup import KEYPAD, POUNDS, REMOTE, TopUp

T0 = to_seconds(2024, 1, 1)  # a Monday, midnight UTC
NIGHT_PRICE = 15000  # 0.15000 GBP/kWh at price scale -5
DAY_PRICE = 30000
STANDING = 50000  # 0.50 GBP/day at scale -5
TDR1_RATE = 20000  # per day, scale -5
TDR2_RATE = 1000  # per hour, scale -5
WH = 400  # per half hour


SCRIPT = (
    (K(2, 8), "topup", 1, 10, KEYPAD),
    (K(2, 8, 30), "enable"),
    (K(3, 14), "ec"),
    (K(4, 12), "topup", 2, 10, REMOTE),
    (K(4, 12, 30), "enable"),
    (K(5, 8), "topup", 3, 10, KEYPAD),
    (K(6, 8), "topup", 4, 10, REMOTE),
    (K(7, 10), "topup", 5, 11, KEYPAD),  # over the maximum credit: 0x8F5B
    (K(7, 10, 30), "topup", 4, 10, KEYPAD),  # counter 4 again: 0x8F51
    (K(7, 11), "topup", 6, 10, KEYPAD),
    (K(9, 10), "topup", 7, 10, REMOTE),
    (K(10, 10), "reset", TDR2),
    (K(12, 7), "ec"),
    (K(12, 7, 30), "enable"),
    (K(12, 12), "topup", 9, 10, REMOTE),
    (K(13, 12), "topup", 10, 10, REMOTE),
    (K(15, 12), "reset", TDR1),
    (K(15, 13), "topup", 11, 10, REMOTE),
    (K(16, 12), "topup", 12, 10, REMOTE),
    (K(18, 12), "topup", 13, 10, REMOTE),
    (K(19, 12), "topup", 14, 10, REMOTE),
    (K(21, 12), "topup", 15, 10, REMOTE),
    (K(22, 12), "topup", 16, 10, REMOTE),
    (K(24, 9), "adjust", PDR, 300000),
    (K(24, 12), "topup", 17, 10, REMOTE),
    (K(25, 12), "topup", 18, 10, REMOTE),
    (K(27, 10), "reset", PDR),
    (K(27, 12), "topup", 19, 10, REMOTE),
    (K(28, 0, 30), "credit_mode"),
    (K(28, 1), "adjust", TDR1, 50000),
    (K(29, 12), "reset", TDR1),
)


def _tariff():
    cal = Calendar(((1, 1, 0),), ((0, 0, 0, 0, 0, 0, 0),), (((0, 1), (7 * HOUR, 2)),))
    return TariffConfig(
        TOU,
        cal,
        tou_prices=(NIGHT_PRICE, DAY_PRICE),
        price_scale=-5,
        standing_charge=STANDING,
        standing_scale=-5,
    )


def _nd():
    every_day = 0x7F
    return EsmeSchedule(
        (
            (True, True, 16 * HOUR, every_day, 0, None, None),
            (True, False, 20 * HOUR, every_day, 0, None, None),
        )
    )


def _setup():
    m = EsmeBehaviour(T0)
    got = []
    got += m.set_tariff(_tariff(), NOW, T0)[1]
    # low credit £2, EC limit £3, EC threshold £1, max credit £10, max balance £50, cap £2/week
    got += m.set_prepayment_config(200000, 300000, 100000, 1000000, 5000000, 2, 604800, NOW, T0)[1]
    got += m.set_debt_recovery(1000, ((TDR1_RATE, -5, DAILY), (TDR2_RATE, -5, HOURLY)), T0)[1]
    got += m.set_non_disablement(_nd(), NOW, T0)[1]
    got += m.adjust_debt(TDR1, 1000000, T0)[1]
    got += m.adjust_debt(TDR2, 500000, T0)[1]
    got += m.adjust_debt(PDR, 450000, T0)[1]
    got += m.adjust_balance(1000000, T0)[1]
    got += m.set_payment_mode(PREPAYMENT, False, True, 0, NOW, T0)[1]
    ref = RefLedger(
        200000, 300000, 100000, 1000000, 5000000, 200000, 1000, True, False, (16 * HOUR, 20 * HOUR)
    )
    ref.bal = 1000000
    ref.tdr = [1000000, 500000]
    ref.pdr = 450000
    ref.alerts = [(0x8F0A, T0), (0x8F0A, T0)]  # billing snapshots: tariff, then payment mode
    return m, ref, got


def _price(t):
    return NIGHT_PRICE if t % DAY < 7 * HOUR else DAY_PRICE


_SUPPLY = {"on": sp.ENABLED, "off": sp.DISABLED, "armed": sp.ARMED}


def _run():
    m, ref, got = _setup()
    events = by_slot(SCRIPT)
    seen = set()
    shares = []
    notes = {}
    for k in range(30 * 48):
        t = T0 + k * HALF_HOUR
        if k:  # the boundary at t: charges then the credit review
            if t % DAY == 0:
                ref.debit(STANDING, True, t)
                ref.time_debt(0, TDR1_RATE, t)
            if t % HOUR == 0:
                ref.time_debt(1, TDR2_RATE, t)
            ref.review(t)
        for e in events.get(k, ()):
            kind = e[0]
            if kind == "topup":
                counter, pounds, source = e[1], e[2], e[3]
                res, out = m.apply_top_up(TopUp(counter << 32, pounds, POUNDS, True, True), source, t)
                got += out
                if counter in seen:
                    ref.alerts.append((0x8F51, t))
                    want = 0x8F51
                else:
                    pdr0 = ref.pdr
                    want = ref.top_up(pounds * 100000, t, source != REMOTE)
                    if want == 0:
                        seen.add(counter)
                        shares.append(pdr0 - ref.pdr)
                assert res == want, (k, e, res, want)
            elif kind == "enable":
                ok, out = m.local_enable(t)
                got += out
                assert ok == ref.local_enable(), (k, e)
            elif kind == "ec":
                ok, out = m.activate_emergency_credit(0, t)
                got += out
                assert ok == ref.activate_ec(t), (k, e)
            elif kind == "reset":
                before = m.prepayment_registers()
                res, out = m.reset_debt_register(e[1], t)
                got += out
                assert res == RESET_SUCCESS
                if e[1] == PDR:
                    ref.pdr = 0
                else:
                    ref.tdr[e[1]] = 0
                notes[(e[1], k)] = before
            elif kind == "adjust":
                got += m.adjust_debt(e[1], e[2], t)[1]
                if e[1] == PDR:
                    ref.pdr += e[2]
                else:
                    ref.tdr[e[1]] += e[2]
            elif kind == "credit_mode":
                got += m.set_payment_mode(CREDIT, False, False, None, NOW, t)[1]
                ref.alerts.append((0x8F0A, t))
                if ref.supply == "off" and ref.credit_off:
                    ref.supply = "armed"
                    ref.alerts.append((0x8F32, t))
                ref.credit_mode = True
                ref.review(t)
        wh = WH if ref.supply == "on" else 0
        got += m.consume(t, WH)  # the meter drops energy itself while supply is off
        ref.debit(wh * _price(t) // 1000, False, t)
        ref.review(t)
        assert m.prepayment_registers() == ref.registers(), (k, m.prepayment_registers(), ref.registers())
        assert m.supply.state == _SUPPLY[ref.supply], (k, m.supply.state, ref.supply)
        if k == 48:
            notes["day1"] = m.prepayment_registers()
    got += m.tick(T0 + 30 * DAY)
    return m, ref, got, shares, notes


def test_esme_30_days_prepayment_scenario():
    m, ref, got, shares, notes = _run()
    # Hand check of day 1 (before any event): 14 night and 34 day half-hours, then at midnight the
    # standing charge, one TDR1 instalment and 24 hourly TDR2 instalments; then 00:00's 400 Wh.
    day0_cost = 14 * WH * NIGHT_PRICE // 1000 + 34 * WH * DAY_PRICE // 1000
    bal = 1000000 - day0_cost - STANDING - TDR1_RATE - 24 * TDR2_RATE - WH * NIGHT_PRICE // 1000
    assert notes["day1"] == (bal, 300000, 0, 450000, 1000000 - TDR1_RATE, 500000 - 24 * TDR2_RATE)
    # The meter and the reference raised the same alerts at the same times, in the same order.
    assert got == ref.alerts
    codes = [c for c, _ in got]
    # The script did exercise what it claims.
    i = codes.index(0x8F83)
    assert codes[i + 1] == 0x8F0F and got[i + 1][1] % DAY == 20 * HOUR  # ND ended at 20:00
    outside = [t for c, t in got if c == 0x8F0F and not 16 * HOUR <= t % DAY < 20 * HOUR]
    assert outside
    for code in (0x81AB, 0x81AA, 0x8168, 0x8F32, 0x81A9, 0x8F5B, 0x8F51, 0x810E, 0x8119, 0x810D):
        assert code in codes, hex(code)
    assert 100000 in shares and 0 in shares  # 10 % taken, and cap reached
    assert any(0 < s < 100000 for s in shares)  # a share cut by the cap or by what remained
    # SECMP0002 resets part-way: each register was non-zero before and zero after.
    tdr2_before = notes[(TDR2, K(10, 10))]
    assert tdr2_before[5] > 0
    assert notes[(TDR1, K(15, 12))][4] > 0
    assert [t for c, t in got if c == 0x8168] == [T0 + 12 * DAY + 7 * HOUR]
    assert notes[(PDR, K(27, 10))][3] > 0
    # Credit mode: TDR1 was not recovered between the adjustment and the reset.
    assert notes[(TDR1, K(29, 12))][4] == 50000
    regs = m.prepayment_registers()
    assert regs[3] == 0 and regs[4] == 0 and regs[5] == 0
    assert m.account.mode == CREDIT


def test_esme_scenario_logs_match_reference_history():
    m, ref, got, shares, notes = _run()
    # Daily consumption log: the last 30 days; a day's energy is 400 Wh per enabled half-hour.
    days = m.daily_consumption.entries()
    assert len(days) == 30
    assert days[0] == (T0, 48 * WH)
    assert sum(v for _, v in days) == m.tariff.total
    # TOU registers split night / day; the sum is the total.
    assert m.tariff.tou[0] + m.tariff.tou[1] == m.tariff.total
    # Billing data log: one credit per accepted top-up (5 kept), debt payments of the PDR.
    credits = m.billing_credits.entries()
    assert len(credits) == 5 and all(v == (1000000,) for _, v in credits)
    payments = [v[0] for _, v in m.billing_debt_payments.entries()]
    assert payments == [s for s in shares if s][-10:]
    # Profile log holds every half hour of the 30 days, oldest first.
    prof = m.profile.entries()
    assert len(prof) == 30 * 48 and prof[0][0] == T0 and prof[-1][0] == T0 + 30 * DAY - HALF_HOUR
    assert sum(v for _, v in prof) == m.tariff.total
