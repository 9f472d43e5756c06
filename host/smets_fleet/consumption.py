"""Half-hourly household demand: electricity and gas energy per meter, in whole Wh (the unit both
meters' ``consume`` take; the GSME counts gas as energy, smets.behaviour.meter).

A half-hour's value is a pure function of (seed, premises number, half-hour index), so any half-hour
of any premises can be computed without replaying history (a resumed or resharded run feeds the
same energy), and a test can sum a meter's expected register on its own.

    wh = annual mean per half-hour x premises scale x daily shape(half-hour of day)
         x seasonal factor(day of year) x noise

* annual means: ``ELECTRICITY_KWH_YEAR`` and ``GAS_KWH_YEAR`` (typical UK domestic consumption);
* premises scale: log-normal (median 1, ``SCALE_SIGMA``), one per premises and fuel;
* daily shape: mean 1 over the day; electricity has a morning and a larger evening peak over a
  night base load; gas follows heating (morning and evening) with little at night;
* seasonal factor: mean 1 over the year, peaking mid-January (``1 + a cos(2 pi (doy - 15) / 365.25)``;
  ``a`` = 0.2 electricity, 0.75 gas);
* noise: uniform in [1 - ``NOISE``, 1 + ``NOISE``] (mean 1, never negative).

Times are UTC; day and half-hour come from the core's calendar (smets.timeutil). Random numbers
come from splitmix64 over the seed's SHA-256, the premises number, the half-hour and the fuel: fast,
and the same on every platform (Python's hash() is salted per process).
"""

from __future__ import annotations

import hashlib
import math

from smets.timeutil import DAY, HALF_HOUR, civil_from_days, days_from_civil

ELECTRICITY = 0
GAS = 1
FUELS = (ELECTRICITY, GAS)

ELECTRICITY_KWH_YEAR = 2700.0
GAS_KWH_YEAR = 11500.0
SEASONAL_AMPLITUDE = (0.2, 0.75)
PEAK_DAY_OF_YEAR = 15  # mid-January
SCALE_SIGMA = 0.35
NOISE = 0.6
HALF_HOURS_PER_YEAR = 365.25 * 48

_M64 = (1 << 64) - 1


def _mix(x: int) -> int:
    """splitmix64's finaliser: a 64-bit integer to a well-mixed 64-bit integer."""
    x = (x + 0x9E3779B97F4A7C15) & _M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
    return x ^ (x >> 31)


def _bump(hour: float, centre: float, width: float) -> float:
    d = min(abs(hour - centre), 24 - abs(hour - centre))  # around midnight too
    return math.exp(-0.5 * (d / width) ** 2)


def _normalised(values: list[float]) -> tuple[float, ...]:
    mean = sum(values) / len(values)
    return tuple(v / mean for v in values)


def _electricity_shape(hour: float) -> float:
    return 0.45 + 0.55 * _bump(hour, 7.75, 1.3) + 0.3 * _bump(hour, 13.0, 2.5) + 1.2 * _bump(hour, 18.75, 2.0)


def _gas_shape(hour: float) -> float:
    return 0.08 + 1.0 * _bump(hour, 7.0, 1.2) + 0.15 * _bump(hour, 13.0, 3.0) + 0.9 * _bump(hour, 18.5, 2.2)


# Daily shapes, one value per half-hour of the UTC day (centre of the half-hour), mean 1.
DAILY_SHAPE = (
    _normalised([_electricity_shape((k + 0.5) / 2) for k in range(48)]),
    _normalised([_gas_shape((k + 0.5) / 2) for k in range(48)]),
)
ANNUAL_MEAN_WH = (
    ELECTRICITY_KWH_YEAR * 1000 / HALF_HOURS_PER_YEAR,
    GAS_KWH_YEAR * 1000 / HALF_HOURS_PER_YEAR,
)


def day_of_year(day: int) -> int:
    """0-based day of the year for a day number since 2000-01-01."""
    y, _, _ = civil_from_days(day)
    return day - days_from_civil(y, 1, 1)


def seasonal_factor(fuel: int, day: int) -> float:
    phase = 2 * math.pi * (day_of_year(day) - PEAK_DAY_OF_YEAR) / 365.25
    return 1.0 + SEASONAL_AMPLITUDE[fuel] * math.cos(phase)


def seed_key(seed: str, label: str) -> int:
    """A 64-bit key for one use (`label`) of a seed: independent streams of random numbers."""
    return int.from_bytes(hashlib.sha256((label + " " + seed).encode()).digest()[:8], "big")


def uniform(key: int, number: int, index: int) -> float:
    """A reproducible uniform number in [0, 1) for (key, premises number, index)."""
    x = _mix(key ^ _mix(number & _M64) ^ (index * 0xD1B54A32D192ED03 & _M64))
    return (x >> 11) * (1.0 / (1 << 53))


class DemandModel:
    """Half-hourly energy of each premises and fuel under one seed."""

    def __init__(self, seed: str) -> None:
        self.seed = seed
        self._noise_keys = (seed_key(seed, "demand noise electricity"), seed_key(seed, "demand noise gas"))
        self._scale_key = seed_key(seed, "demand scale")
        self._scales: dict[tuple[int, int], float] = {}
        self._season: dict[tuple[int, int], float] = {}

    def scale(self, number: int, fuel: int) -> float:
        """The premises' consumption relative to the median household (log-normal)."""
        key = (number, fuel)
        s = self._scales.get(key)
        if s is None:
            u1 = uniform(self._scale_key, number, 2 * fuel)  # Box-Muller from two uniforms
            u2 = uniform(self._scale_key, number, 2 * fuel + 1)
            z = math.sqrt(-2.0 * math.log(1.0 - u1)) * math.cos(2 * math.pi * u2)
            s = math.exp(SCALE_SIGMA * z)
            self._scales[key] = s
        return s

    def expected_wh(self, number: int, fuel: int, half_hour: int) -> float:
        """The mean of the half-hour's value (before noise)."""
        day, k = divmod(half_hour, 48)
        key = (fuel, day)
        season = self._season.get(key)
        if season is None:
            season = seasonal_factor(fuel, day)
            if len(self._season) > 4096:
                self._season.clear()
            self._season[key] = season
        return ANNUAL_MEAN_WH[fuel] * self.scale(number, fuel) * DAILY_SHAPE[fuel][k] * season

    def wh(self, number: int, fuel: int, half_hour: int) -> int:
        """Energy used by premises `number` in half-hour `half_hour` (core time // 1800), whole Wh."""
        noise = 1.0 + NOISE * (2.0 * uniform(self._noise_keys[fuel], number, half_hour) - 1.0)
        return int(self.expected_wh(number, fuel, half_hour) * noise + 0.5)

    def electricity_wh(self, number: int, half_hour: int) -> int:
        return self.wh(number, ELECTRICITY, half_hour)

    def gas_wh(self, number: int, half_hour: int) -> int:
        return self.wh(number, GAS, half_hour)


def half_hour_of(t: int) -> int:
    """The index of the half-hour holding core time `t`."""
    return t // HALF_HOUR


def day_of(t: int) -> int:
    return t // DAY
