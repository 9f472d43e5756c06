"""Tariff: prices with scales and carried remainders, activation, block counter resets, billing."""

from smets.behaviour.account import PREPAYMENT
from smets.behaviour.billing import MONTHLY
from smets.behaviour.calendar import Calendar
from smets.behaviour.errors import BehaviourError
from smets.behaviour.meter import EsmeBehaviour, GsmeBehaviour
from smets.behaviour.tariff import BLOCK, TOU, TariffConfig, scaled
from smets.behaviour.timeutil import DAY, HOUR, NEVER, NOW, to_seconds
from support import raised

T0 = to_seconds(2024, 1, 1)


def _credit_meter(cls=EsmeBehaviour):
    m = cls(T0)
    m.set_payment_mode(PREPAYMENT, False, False, -(10**9), NOW, T0)
    return m


def test_scaled():
    assert scaled(12345, 2) == 1234500 and scaled(12345, -2) == 123 and scaled(-12345, -2) == -123


def test_cost_remainder_is_carried_not_lost():
    m = _credit_meter()
    # 1.2345678 GBP/kWh at scale -7: one Wh costs 123.45678 money units
    m.set_tariff(TariffConfig(TOU, Calendar.flat(1), (12345678,), price_scale=-7), NOW, T0)
    for k in range(7):
        m.consume(T0 + k, 1)
    # 7 Wh cost 864.19746 -> 864 charged in total, 0.19746 carried
    assert m.account.balance == -(7 * 12345678 // 100000)
    assert m.tariff.residue == 7 * 12345678 % 100000


def test_positive_price_scale_and_standing_charge_scale():
    m = _credit_meter()
    m.set_tariff(
        TariffConfig(TOU, Calendar.flat(1), (3,), price_scale=-1, standing_charge=25, standing_scale=-2),
        NOW,
        T0,
    )
    m.consume(T0, 1000)  # 1 kWh at 0.3 GBP = 30,000
    assert m.account.balance == -30000
    m.tick(T0 + DAY)  # 0.25 GBP standing charge at midnight = 25,000
    assert m.account.balance == -55000


def test_tariff_activation_past_now_future_never():
    a = TariffConfig(TOU, Calendar.flat(1), (1000,))
    b = TariffConfig(TOU, Calendar.flat(1), (2000,))
    m = _credit_meter()
    m.set_tariff(a, T0 - DAY, T0)
    assert m.tariff.active is a
    m.set_tariff(b, T0 + HOUR, T0)
    assert m.tariff.active is a and m.tariff.passive is b
    m.tick(T0 + HOUR - 1)
    assert m.tariff.active is a
    m.tick(T0 + HOUR)
    assert m.tariff.active is b
    m.set_tariff(a, NEVER, T0 + HOUR)
    m.tick(T0 + 100 * DAY)
    assert m.tariff.active is b


def test_tou_switch_at_midnight_prices_each_side():
    cal = Calendar(((1, 1, 0),), ((0, 0, 0, 0, 0, 1, 1),), (((0, 1),), ((0, 2),)))  # weekend rate 2
    m = _credit_meter()
    m.set_tariff(TariffConfig(TOU, cal, (10000, 20000)), NOW, T0)
    fri_end = T0 + 5 * DAY - 1
    m.consume(fri_end, 100)
    m.consume(fri_end + 1, 100)
    assert tuple(m.tariff.tou[:2]) == (100, 100)
    assert m.account.balance == -(100 * 10000 + 100 * 20000) // 1000


def test_block_counters_reset_on_billing_end_command_and_daily_option():
    th = ((100, 200, 300),)
    pr = ((4, 3, 2, 1),)
    g = _credit_meter(GsmeBehaviour)
    g.set_tariff(TariffConfig(BLOCK, Calendar.flat(1), block_thresholds=th, block_prices=pr), NOW, T0)
    g.set_billing_calendar(to_seconds(2024, 1, 31), MONTHLY, T0)
    g.consume(T0, 150)
    assert tuple(g.tariff.counters) == (100, 50, 0, 0)
    out = g.tick(to_seconds(2024, 1, 31))
    assert (0x8F0A, to_seconds(2024, 1, 31)) in out and sum(g.tariff.counters) == 0
    assert g.billing.next_end == to_seconds(2024, 2, 29)  # 31st clamped to the month's end
    g.consume(to_seconds(2024, 2, 1), 50)
    g.reset_block_counters(to_seconds(2024, 2, 1) + 1)
    assert sum(g.tariff.counters) == 0
    g.set_daily_block_reset(True, to_seconds(2024, 2, 1) + 2)
    g.consume(to_seconds(2024, 2, 1) + 3, 50)
    g.tick(to_seconds(2024, 2, 2))
    assert sum(g.tariff.counters) == 0
    assert sum(g.tariff.blocks) == 250  # the registers keep counting


def test_esme_block_sets_chosen_by_the_calendar_and_secondary_element():
    cal = Calendar(((1, 1, 0),), ((0,) * 7,), (((0, 1), (12 * HOUR, 2)),))
    cfg = TariffConfig(
        BLOCK,
        cal,
        block_thresholds=((10,), (20,)),
        block_prices=((1000, 2000), (3000, 4000)),
        secondary_calendar=Calendar.flat(3),
        secondary_prices=(0, 0, 5000, 0),
    )
    m = _credit_meter()
    m.set_tariff(cfg, NOW, T0)
    m.consume(T0 + HOUR, 15, 2)  # set 1: 10 Wh at 1000, 5 Wh at 2000; secondary 2 Wh at 5000
    m.consume(T0 + 13 * HOUR, 25)  # set 2: 20 at 3000, 5 at 4000
    assert m.account.balance == -(10 * 1000 + 5 * 2000 + 2 * 5000 + 20 * 3000 + 5 * 4000) // 1000
    assert tuple(m.tariff.blocks[0:2]) == (10, 5) and tuple(m.tariff.blocks[4:6]) == (20, 5)
    assert m.tariff.secondary[2] == 2


def test_tariff_limits():
    cal = Calendar.flat(1)
    e = EsmeBehaviour(T0)
    g = GsmeBehaviour(T0)
    assert not raised(BehaviourError, e.set_tariff, TariffConfig(TOU, cal, (1,) * 48), NOW, T0)
    assert raised(BehaviourError, e.set_tariff, TariffConfig(TOU, cal, (1,) * 49), NOW, T0)
    assert raised(BehaviourError, g.set_tariff, TariffConfig(TOU, cal, (1,) * 5), NOW, T0)
    assert raised(
        BehaviourError,
        g.set_tariff,
        TariffConfig(BLOCK, cal, block_thresholds=((1, 2, 3, 4),), block_prices=((1,) * 5,)),
        NOW,
        T0,
    )
    assert raised(
        BehaviourError,
        g.set_tariff,
        TariffConfig(BLOCK, cal, block_thresholds=((2, 1),), block_prices=((1,) * 3,)),
        NOW,
        T0,
    )
    two_points = Calendar(((1, 1, 0),), ((0,) * 7,), (((0, 1), (HOUR, 2)),))
    # GSME: 1 switch a day
    assert raised(BehaviourError, g.set_tariff, TariffConfig(TOU, two_points, (1, 2)), NOW, T0)
    # rate 3 undefined
    assert raised(BehaviourError, e.set_tariff, TariffConfig(TOU, Calendar.flat(3), (1, 2)), NOW, T0)
