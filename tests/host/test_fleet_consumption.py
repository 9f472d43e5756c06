"""The half-hourly demand model: reproducible from (seed, premises, half-hour) alone, whole
non-negative Wh, a daily shape (evening peak over night base; gas heating peaks) and a seasonal one
(winter over summer) checked against expectations written here from the documented model, and UK
annual totals in the right range."""

import math

from smets.timeutil import DAY, HALF_HOUR, to_seconds
from smets_fleet.consumption import (
    ANNUAL_MEAN_WH,
    DAILY_SHAPE,
    ELECTRICITY,
    GAS,
    NOISE,
    DemandModel,
    day_of_year,
    seasonal_factor,
)

JAN_15 = to_seconds(2024, 1, 15) // HALF_HOUR
JUL_15 = to_seconds(2024, 7, 15) // HALF_HOUR


def test_a_half_hour_is_the_same_in_any_order_and_any_process():
    a, b = DemandModel("s"), DemandModel("s")
    keys = [(n, h) for n in (1, 17, 9999) for h in range(JAN_15, JAN_15 + 96, 7)]
    forward = {k: (a.electricity_wh(*k), a.gas_wh(*k)) for k in keys}
    backward = {k: (b.electricity_wh(*k), b.gas_wh(*k)) for k in reversed(keys)}
    assert forward == backward
    other = DemandModel("other")
    assert {k: (other.electricity_wh(*k), other.gas_wh(*k)) for k in keys} != forward
    assert len({v for v in forward.values()}) > len(keys) // 2  # it varies


def test_values_are_whole_non_negative_wh_within_the_noise_band():
    m = DemandModel("band")
    for n in range(20):
        for h in range(JAN_15, JAN_15 + 96):
            for fuel in (ELECTRICITY, GAS):
                v = m.wh(n, fuel, h)
                assert isinstance(v, int) and v >= 0
                mean = m.expected_wh(n, fuel, h)
                assert mean * (1 - NOISE) - 1 <= v <= mean * (1 + NOISE) + 1


def test_daily_shape_evening_peak_over_night():
    m = DemandModel("daily")
    premises = range(300)
    day = JAN_15 - JAN_15 % 48

    def mean_at(fuel, k):  # k = half-hour of the day
        return sum(m.wh(n, fuel, day + k) for n in premises) / len(premises)

    night, evening, morning = 6, 37, 15  # 03:00, 18:30, 07:30
    assert mean_at(ELECTRICITY, evening) > 2.0 * mean_at(ELECTRICITY, night)
    assert mean_at(GAS, morning) > 4.0 * mean_at(GAS, night)
    assert mean_at(GAS, evening) > 4.0 * mean_at(GAS, night)
    for shape in DAILY_SHAPE:  # each shape averages 1 over the day
        assert abs(sum(shape) / 48 - 1) < 1e-9


def test_seasonal_shape_winter_over_summer():
    m = DemandModel("season")
    premises = range(100)

    def day_total(fuel, start):
        return sum(m.wh(n, fuel, start - start % 48 + k) for n in premises for k in range(48))

    gas_ratio = day_total(GAS, JAN_15) / day_total(GAS, JUL_15)
    elec_ratio = day_total(ELECTRICITY, JAN_15) / day_total(ELECTRICITY, JUL_15)
    # The documented amplitudes: gas (1 + 0.75) / (1 - 0.75 cos(181 days)) ~ 7, electricity ~ 1.5.
    expect_gas = (1 + 0.75) / (1 + 0.75 * math.cos(2 * math.pi * 182 / 365.25))
    assert abs(gas_ratio / expect_gas - 1) < 0.15
    assert 1.3 < elec_ratio < 1.7
    assert day_of_year(to_seconds(2024, 3, 1) // DAY) == 31 + 29
    assert abs(seasonal_factor(GAS, to_seconds(2024, 1, 16) // DAY) - 1.75) < 1e-12  # day 15, 0-based


def test_a_year_adds_up_to_uk_household_figures():
    """Median household (scale 1): the annual mean per half-hour times a year's half-hours; across
    premises the log-normal scale has mean exp(sigma^2/2) ~ 1.06."""
    m = DemandModel("year")
    start = to_seconds(2023, 1, 1) // HALF_HOUR
    # every 7th day of the year, all half-hours, 40 premises: an unbiased sample of the year
    days = range(0, 365, 7)
    for fuel, kwh in ((ELECTRICITY, 2700), (GAS, 11500)):
        total = sum(
            m.wh(n, fuel, start + d * 48 + k) / m.scale(n, fuel)
            for n in range(40)
            for d in days
            for k in range(48)
        )
        per_year_kwh = total / 40 / len(days) * 365 / 1000
        assert abs(per_year_kwh / kwh - 1) < 0.05
        assert abs(ANNUAL_MEAN_WH[fuel] * 17532 / 1000 / kwh - 1) < 0.01
