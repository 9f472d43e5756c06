"""UTRN acceptance rules (on decoded top-ups) and supply transitions, including load limiting."""

from smets.behaviour import supply as sp
from smets.behaviour.account import PREPAYMENT
from smets.behaviour.meter import EsmeBehaviour, GsmeBehaviour
from smets.behaviour.settings import Settings
from smets.behaviour.timeutil import HOUR, NOW, to_seconds
from smets.behaviour.topup import KEYPAD, PENNIES, POUNDS, PPMID, REMOTE, TopUp

T0 = to_seconds(2024, 1, 1)


def _meter(cls=EsmeBehaviour, settings=None):
    m = cls(T0, settings=settings)
    m.set_prepayment_config(0, 0, 0, 10**7, 10**9, 0, 604800, NOW, T0)
    m.set_payment_mode(PREPAYMENT, False, False, -(10**9), NOW, T0)
    return m


def _up(counter, value=1, cls=POUNDS, authentic=True, mine=True):
    return TopUp(counter << 32, value, cls, authentic, mine)


def test_rejection_outcomes_and_success():
    m = _meter()
    assert m.apply_top_up(_up(1, mine=False), REMOTE, T0)[0] == 0x8F64
    assert m.apply_top_up(_up(1, authentic=False), REMOTE, T0)[0] == 0x8F63
    assert m.apply_top_up(_up(1, cls=3), REMOTE, T0)[0] == 0x8F63  # unknown value class
    code, out = m.apply_top_up(_up(1, 5), REMOTE, T0)
    assert code == 0 and out == [] and m.account.balance == 500000
    assert m.apply_top_up(_up(1, 5), REMOTE, T0)[0] == 0x8F51
    code, out = m.apply_top_up(_up(2, 250, PENNIES), PPMID, T0)
    assert code == 0 and out == [(0x810E, T0)] and m.account.balance == 750000


def test_counter_cache_holds_100_and_floor():
    m = _meter()
    for c in range(1, 102):
        assert m.apply_top_up(_up(c), REMOTE, T0)[0] == 0
    # counter 1 has left the cache, but it is below the oldest cached counter (2): still refused
    assert m.apply_top_up(_up(1), REMOTE, T0)[0] == 0x8F51
    assert m.apply_top_up(_up(101), REMOTE, T0)[0] == 0x8F51
    assert m.apply_top_up(_up(500), REMOTE, T0)[0] == 0
    m.set_utrn_floor(1000 << 32, T0)
    assert m.apply_top_up(_up(1000), REMOTE, T0)[0] == 0x8F51
    assert m.apply_top_up(_up(1001), REMOTE, T0)[0] == 0


def test_manual_entry_lockout_and_expiry():
    st = Settings()
    st.utrn_lockout_attempts = 3
    st.utrn_lockout_seconds = HOUR
    m = _meter(GsmeBehaviour, st)
    assert m.apply_top_up(_up(1, authentic=False), KEYPAD, T0)[0] == 0x8F63
    assert m.apply_top_up(_up(1, mine=False), KEYPAD, T0)[0] == 0x8F64
    code, out = m.apply_top_up(_up(1, authentic=False), KEYPAD, T0 + 1)
    assert code == 0x8F63 and [c for c, _ in out] == [0x8F63, 0x81C4]
    code, out = m.apply_top_up(_up(2), KEYPAD, T0 + 2)  # a valid UTRN typed while locked out
    assert code == 0x81C5 and out == [(0x81C5, T0 + 2)]
    assert m.apply_top_up(_up(3), REMOTE, T0 + 3)[0] == 0  # the WAN is not locked out
    assert m.apply_top_up(_up(2), KEYPAD, T0 + 1 + HOUR)[0] == 0  # the lockout has ended


def test_refused_for_max_credit_leaves_counter_usable():
    m = _meter()
    m.account.thr.max_credit = 100000
    assert m.apply_top_up(_up(7, 2), REMOTE, T0)[0] == 0x8F5B
    m.account.thr.max_credit = 200000
    assert m.apply_top_up(_up(7, 2), REMOTE, T0)[0] == 0


def test_supply_transition_table():
    s = sp.Supply()
    assert s.fire(sp.REMOTE_DISABLE) and s.state == sp.DISABLED
    assert not s.fire(sp.LOCAL_ENABLE) and s.state == sp.DISABLED  # cannot enable from disabled
    assert s.fire(sp.REMOTE_ARM) and s.state == sp.ARMED
    assert s.fire(sp.LOCAL_ENABLE) and s.state == sp.ENABLED
    assert s.fire(sp.REMOTE_ARM) and s.state == sp.ENABLED  # arming an enabled supply changes nothing
    assert not s.fire(sp.CREDIT_ARM)


def test_gsme_valve_cannot_be_opened_remotely():
    g = GsmeBehaviour(T0)
    assert g.remote_disable(T0)[0] and g.supply.state == sp.DISABLED
    assert g.remote_enable(T0)[0] is False and g.supply.state == sp.DISABLED
    assert g.remote_arm(T0)[0] and g.supply.state == sp.ARMED
    assert g.local_enable(T0)[0] and g.supply.state == sp.ENABLED


def test_esme_remote_enable_and_credit_condition():
    m = _meter()
    m.account.thr.disablement = 0
    m.adjust_balance(-1, T0)
    assert m.supply.state == sp.DISABLED
    assert m.remote_enable(T0)[0] is False  # not enough credit
    m.adjust_balance(1, T0)
    assert m.supply.state == sp.ARMED
    assert m.remote_enable(T0)[0] is True and m.supply.state == sp.ENABLED


def test_remote_disablement_is_not_undone_by_credit():
    m = _meter()
    m.account.thr.disablement = 0
    m.remote_disable(T0)
    m.adjust_balance(-1, T0)
    m.adjust_balance(100000, T0)
    assert m.supply.state == sp.DISABLED


def test_load_limit_disable_arm_and_restore():
    m = EsmeBehaviour(T0)
    m.configure_load_limit(3000, 1800, 3600, True, T0)  # 3 kW for 30 min, restore after 1 h
    assert m.consume(T0 + 1800, 1000) == []  # 2 kW average
    out = m.consume(T0 + 3600, 2000)  # 4 kW for 30 min: over for the whole period
    assert out == [(0x8F01, T0 + 3600), (0x8F33, T0 + 3600)]
    assert m.supply.state == sp.ARMED and m.supply.ll_count == 1
    out = m.tick(T0 + 2 * 3600)
    assert out == [(0x8F34, T0 + 2 * 3600)] and m.supply.state == sp.ENABLED
    m.reset_load_limit_counter(T0 + 7200)
    assert m.supply.ll_count == 0
