"""Account, thresholds, emergency credit, debt registers and the SECMP0002 reset: boundary tests.

Expected numbers are worked out by hand in each test.
"""

from smets.behaviour import supply as sp
from smets.behaviour.account import CREDIT, PERMITTED_MODES, PREPAYMENT
from smets.behaviour.debt import DAILY, HOURLY, PDR, TDR1, TDR2
from smets.behaviour.errors import BehaviourError
from smets.behaviour.meter import (
    EC_BUTTON,
    EC_REMOTE,
    RESET_NOT_SUPPORTED,
    RESET_SUCCESS,
    EsmeBehaviour,
    GsmeBehaviour,
)
from smets.behaviour.timeutil import DAY, HOUR, NEVER, NOW, to_seconds
from support import raised

T0 = to_seconds(2024, 1, 1)
LOW = 200000
EC_LIMIT = 300000
EC_THR = 100000


def _prepay(cls=EsmeBehaviour, balance=0, disablement=0, sdd=False, sde=False, cap=30):
    m = cls(T0)
    m.set_prepayment_config(LOW, EC_LIMIT, EC_THR, 1000000, 5000000, cap, 604800, NOW, T0)
    m.set_payment_mode(PREPAYMENT, sdd, sde, disablement, NOW, T0)
    m.adjust_balance(balance, T0)
    return m


def _codes(alerts):
    return [c for c, _ in alerts]


def test_only_the_five_permitted_mode_flag_combinations():
    m = EsmeBehaviour(T0)
    for mode in (CREDIT, PREPAYMENT):
        for sdd in (False, True):
            for sde in (False, True):
                bad = raised(BehaviourError, m.set_payment_mode, mode, sdd, sde, 0, NEVER, T0)
                assert bad == ((mode, sdd, sde) not in PERMITTED_MODES)
    assert len(PERMITTED_MODES) == 5
    # flags must be bool
    assert raised(BehaviourError, m.set_payment_mode, PREPAYMENT, 0, False, 0, NEVER, T0)


def test_payment_mode_activation_past_now_future_never():
    for at, active_at_t0, active_later in (
        (T0 - DAY, True, True),
        (NOW, True, True),
        (T0 + HOUR, False, True),
    ):
        m = EsmeBehaviour(T0)
        m.set_payment_mode(PREPAYMENT, False, False, 0, at, T0)
        assert (m.account.mode == PREPAYMENT) == active_at_t0
        m.tick(T0 + HOUR)
        assert (m.account.mode == PREPAYMENT) == active_later
    m = EsmeBehaviour(T0)
    m.set_payment_mode(PREPAYMENT, False, False, 0, NEVER, T0)
    m.tick(T0 + 400 * DAY)
    assert m.account.mode == CREDIT


def test_future_dated_activation_runs_at_its_time_and_is_reported():
    m = EsmeBehaviour(T0)
    m.set_payment_mode(PREPAYMENT, False, False, 0, T0 + 1000, T0)
    out = m.tick(T0 + 2 * HOUR)
    assert m.take_activations() == [(1, T0 + 1000)]
    assert (0x8F0A, T0 + 1000) in out  # billing data log snapshot on change of payment mode


def test_low_credit_threshold_exactly_at_below_and_above():
    m = _prepay(balance=LOW + 1)
    assert m.low_flag is False
    _, out = m.adjust_balance(-1, T0)  # exactly at: not below
    assert 0x810D not in _codes(out)
    _, out = m.adjust_balance(-1, T0)  # one unit below
    assert _codes(out) == [0x810D]
    _, out = m.adjust_balance(-5, T0)  # still below: raised once
    assert out == []
    m.adjust_balance(7, T0)  # back to LOW + 1
    _, out = m.adjust_balance(-2, T0)
    assert _codes(out) == [0x810D]


def test_ec_threshold_exactly_at_and_one_below():
    m = _prepay(balance=EC_THR)
    ok, _ = m.activate_emergency_credit(EC_BUTTON, T0)
    assert ok is False
    _, out = m.adjust_balance(-1, T0)
    assert 0x8119 in _codes(out)
    ok, out = m.activate_emergency_credit(EC_BUTTON, T0)
    assert ok is True and _codes(out) == [0x81AB]
    assert m.account.combined_credit() == EC_THR - 1 + EC_LIMIT


def test_ecs09_success_when_already_active_failure_in_credit_mode():
    m = _prepay(balance=0)
    assert m.activate_emergency_credit(EC_REMOTE, T0)[0] is True
    ok, out = m.activate_emergency_credit(EC_REMOTE, T0)
    assert ok is True and out == []  # already active: success, no second 0x81AB
    c = EsmeBehaviour(T0)
    c.adjust_balance(-500, T0)
    assert c.activate_emergency_credit(EC_REMOTE, T0)[0] is False


def test_disablement_threshold_exactly_at_not_disabled_one_below_disabled():
    m = _prepay(balance=1000, disablement=1000)  # mode first at balance 0 (disabled), then armed
    assert m.supply.state == sp.ARMED
    assert m.local_enable(T0)[0] and m.supply.state == sp.ENABLED
    _, out = m.adjust_balance(-1, T0)
    assert m.supply.state == sp.DISABLED and 0x8F0F in _codes(out)
    _, out = m.adjust_balance(1, T0)  # back at the threshold: armed, then the consumer enables
    assert m.supply.state == sp.ARMED and 0x8F32 in _codes(out)
    assert m.local_enable(T0)[0] is True and m.supply.state == sp.ENABLED


def test_ec_on_a_disabled_supply_arms_it_with_0x8168():
    m = _prepay(balance=-1000)
    assert m.supply.state == sp.DISABLED
    ok, out = m.activate_emergency_credit(EC_BUTTON, T0)
    assert ok and _codes(out) == [0x81AB, 0x8168]
    assert m.supply.state == sp.ARMED
    assert m.local_enable(T0)[0]


def test_ec_countdown_exhaustion_and_repayment_order():
    m = _prepay(balance=50000)
    m.activate_emergency_credit(EC_BUTTON, T0)
    m.account.accumulated = 7000
    m.account.debt.adjust(PDR, 100000)
    m.set_debt_recovery(1000, ((0, -5, DAILY), (0, -5, DAILY)), T0)
    # spend 50,000 of balance then 300,000 of EC: exhausted exactly
    out = []
    out += m.adjust_balance(-50000, T0)[1]
    a = m.account
    a.charge(0, EC_LIMIT, T0, False, m._emit)
    assert a.ec.balance() == 0 and a.balance == 0
    out = m._out
    assert 0x81AA in _codes(out)
    # one more unit makes the meter balance negative
    a.charge(0, 1, T0, False, m._emit)
    assert a.balance == -1
    # a £10 credit: 10 % to the PDR (100,000), then accumulated debt 7,000, then EC 300,000, then balance
    from smets.behaviour.topup import REMOTE, TopUp

    code, _ = m.apply_top_up(TopUp(1 << 32, 10, 1, True, True), REMOTE, T0 + 60)
    assert code == 0
    assert m.prepayment_registers() == (1000000 - 100000 - 7000 - 300000 - 1, EC_LIMIT, 0, 0, 0, 0)
    assert a.ec.active is False


def test_max_credit_and_max_meter_balance_boundaries():
    from smets.behaviour.topup import PENNIES, REMOTE, TopUp

    m = EsmeBehaviour(T0)
    m.set_prepayment_config(LOW, EC_LIMIT, EC_THR, 1000, 5000, 30, 604800, NOW, T0)
    m.set_payment_mode(PREPAYMENT, False, False, -(10**9), NOW, T0)
    # max credit 1,000 money units = 1 p: exactly accepted, one above refused
    assert m.apply_top_up(TopUp(1 << 32, 1, PENNIES, True, True), REMOTE, T0)[0] == 0
    m.account.thr.max_credit = 999
    assert m.apply_top_up(TopUp(2 << 32, 1, PENNIES, True, True), REMOTE, T0)[0] == 0x8F5B
    m.account.thr.max_credit = 10**9
    # balance 1,000; max balance 5,000: a 4 p credit reaches exactly 5,000 -> accepted
    assert m.apply_top_up(TopUp(3 << 32, 4, PENNIES, True, True), REMOTE, T0)[0] == 0
    assert m.account.balance == 5000
    code, out = m.apply_top_up(TopUp(4 << 32, 1, PENNIES, True, True), REMOTE, T0)
    assert code == 0x8F47 and (0x8F47, T0) in out and m.account.balance == 5000


def test_reset_balance_on_esme_zeroes_ec_and_accumulated_debt():
    m = _prepay(balance=0)
    m.activate_emergency_credit(EC_BUTTON, T0)
    m.account.charge(0, 1234, T0, False, m._emit)
    m.account.accumulated = 999
    m.reset_balance(T0)
    a = m.account
    assert (a.balance, a.ec.balance(), a.accumulated, a.ec.active) == (0, EC_LIMIT, 0, False)


def test_gsme_credit_mode_balance_rises_and_adjustment_is_subtracted():
    g = GsmeBehaviour(T0)
    g.adjust_balance(500, T0)
    assert g.account.bill_to_date == -500 and g.account.balance == 0
    g.reset_balance(T0)
    assert g.account.bill_to_date == 0


def test_secmp0002_reset_each_register_in_credit_and_prepayment_mode():
    for mode in (CREDIT, PREPAYMENT):
        for cls in (EsmeBehaviour, GsmeBehaviour):
            m = cls(T0)
            m.set_payment_mode(mode, False, False, -(10**9), NOW, T0)
            for which in (TDR1, TDR2, PDR):
                m.adjust_debt(which, 12345 + which, T0)
            for which in (TDR1, TDR2, PDR):
                res, out = m.reset_debt_register(which, T0 + 10)
                assert res == RESET_SUCCESS and out == []
                assert m.account.debt.regs[which] == 0
                # only that register changed
                for other in (TDR1, TDR2, PDR):
                    if other > which:
                        assert m.account.debt.regs[other] == 12345 + other
            # already zero: still success
            assert m.reset_debt_register(TDR1, T0 + 20)[0] == RESET_SUCCESS


def test_secmp0002_reset_result_carries_no_register_value_and_old_profile_says_not_supported():
    m = EsmeBehaviour(T0)
    m.adjust_debt(TDR1, 500, T0)
    res, out = m.reset_debt_register(TDR1, T0)
    assert res is RESET_SUCCESS or res == RESET_SUCCESS
    assert not isinstance(res, tuple)
    old = EsmeBehaviour(T0)
    old.debt_reset_supported = False
    old.adjust_debt(TDR1, 500, T0)
    assert old.reset_debt_register(TDR1, T0)[0] == RESET_NOT_SUPPORTED
    assert old.account.debt.regs[TDR1] == 500
    assert raised(BehaviourError, m.reset_debt_register, 7, T0)


def test_reset_stops_recovery_in_prepayment_mode():
    m = _prepay(balance=1000000)
    m.set_debt_recovery(0, ((100, -3, DAILY), (0, -5, DAILY)), T0)  # 100 * 10^-3 GBP = 10,000 a day
    m.adjust_debt(TDR1, 25000, T0)
    m.tick(T0 + DAY)
    assert m.account.debt.regs[TDR1] == 15000 and m.account.balance == 1000000 - 10000
    m.reset_debt_register(TDR1, T0 + DAY + 1)
    m.tick(T0 + 3 * DAY)
    assert m.account.debt.regs[TDR1] == 0 and m.account.balance == 1000000 - 10000


def test_debt_smaller_than_one_period_rate_and_completion_alerts():
    m = _prepay(balance=1000000)
    m.set_debt_recovery(0, ((10000, -5, DAILY), (500, -5, HOURLY)), T0)
    m.adjust_debt(TDR1, 4000, T0)  # less than one day's 10,000
    m.adjust_debt(TDR2, 1200, T0)  # 500 + 500 + 200
    out = m.tick(T0 + DAY)
    assert m.account.debt.regs[TDR1] == 0 and m.account.debt.regs[TDR2] == 0
    assert m.account.balance == 1000000 - 4000 - 1200
    assert out == [(0x81A8, T0 + 3 * HOUR), (0x81A7, T0 + DAY)]


def test_hourly_recovery_only_on_whole_hours():
    m = _prepay(balance=1000000)
    m.set_debt_recovery(0, ((0, -5, DAILY), (100, -5, HOURLY)), T0)
    m.adjust_debt(TDR2, 10000, T0)
    m.tick(T0 + HOUR - 1)
    assert m.account.debt.regs[TDR2] == 10000
    m.tick(T0 + HOUR)
    assert m.account.debt.regs[TDR2] == 9900
    m.tick(T0 + 5 * HOUR + 1800)
    assert m.account.debt.regs[TDR2] == 9500


def test_no_time_debt_recovery_in_credit_mode():
    m = EsmeBehaviour(T0)
    m.set_debt_recovery(0, ((10000, -5, DAILY), (100, -5, HOURLY)), T0)
    m.adjust_debt(TDR1, 50000, T0)
    m.adjust_debt(TDR2, 50000, T0)
    m.tick(T0 + 3 * DAY)
    assert m.account.debt.regs[TDR1] == 50000 and m.account.debt.regs[TDR2] == 50000


def test_suspend_debt_emergency_moves_time_charges_to_accumulated_debt():
    m = _prepay(balance=0, sde=True)
    m.set_debt_recovery(0, ((10000, -5, DAILY), (0, -5, DAILY)), T0)
    m.adjust_debt(TDR1, 25000, T0)
    m.activate_emergency_credit(EC_BUTTON, T0)
    m.tick(T0 + DAY)
    a = m.account
    assert a.debt.regs[TDR1] == 15000 and a.accumulated == 10000 and a.ec.balance() == EC_LIMIT


def test_suspend_debt_disabled_moves_time_charges_to_accumulated_debt():
    m = _prepay(balance=-1, sdd=True)
    assert m.supply.state == sp.DISABLED
    m.set_debt_recovery(0, ((10000, -5, DAILY), (0, -5, DAILY)), T0)
    m.adjust_debt(TDR1, 25000, T0)
    m.tick(T0 + 2 * DAY)
    assert m.account.accumulated == 20000 and m.account.balance == -1


def test_debt_adjust_cannot_go_negative():
    m = EsmeBehaviour(T0)
    m.adjust_debt(PDR, 100, T0)
    assert raised(BehaviourError, m.adjust_debt, PDR, -101, T0)
    assert m.account.debt.regs[PDR] == 100
    m.adjust_debt(PDR, -100, T0)
    assert m.account.debt.regs[PDR] == 0


def test_payment_recovery_cap_per_week_window():
    from smets.behaviour.topup import POUNDS, REMOTE, TopUp

    m = _prepay(balance=0, cap=1)  # ESME cap £1 = 100,000 per week
    m.set_debt_recovery(2500, ((0, -5, DAILY), (0, -5, DAILY)), T0)  # 25 %
    m.adjust_debt(PDR, 10**6, T0)
    taken = []
    for i, t in enumerate((T0, T0 + DAY, T0 + 7 * DAY - 1, T0 + 7 * DAY)):
        before = m.account.debt.regs[PDR]
        assert m.apply_top_up(TopUp((i + 1) << 32, 2, POUNDS, True, True), REMOTE, t)[0] == 0
        taken.append(before - m.account.debt.regs[PDR])
    # 25 % of £2 = 50,000; the cap of 100,000 is reached by the second; a new window at +7 days
    assert taken == [50000, 50000, 0, 50000]
    assert [v for _, (v,) in m.billing_debt_payments.entries()] == [50000, 50000, 50000]
