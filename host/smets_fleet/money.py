"""The money check: does each meter's balance move by exactly what the head end and the fleet put
through it?

Per meter, between a read of its prepayment registers before and one after (``Window``)::

    balance after - balance before
        = accepted top-ups - payment debt recovered from them + balance adjustments
          - consumption cost - standing charges - time debt recovered

Every term is computed here from the inputs alone, never from the meter's own cost or debt
registers:

* top-ups and adjustments: the amounts of the commands the meter accepted (validated responses);
* payment debt recovered: ``floor(top-up x percent / 100)`` per accepted top-up (smets.behaviour
  debt rules), when the register and the cap leave room for all of it;
* consumption: the energy the fleet fed (the demand model's value for each half-hour, fed at the
  premises' consume phase, ``Fleet.consume_phase``) times the one TOU price set (milli-pence per
  kWh, so ``Wh x price / 1000`` money units, exact for whole pence per kWh);
* standing charge: one per UTC midnight the meter crossed; time debt: ``rate`` per whole hour or
  midnight crossed (meter.py charges at each such boundary), when the register never runs short.

The terms commute, so the commands' order within the window does not matter; what does is which
events lie between the two reads, so the window records when each read was taken (simulated
time) and the caller keeps reads away from charge boundaries. A meter whose window the rules above
cannot settle exactly (a register that could run out, balance that could fall to the disablement
threshold, a read within a minute of a charge boundary, a tariff or recovery changed inside the
window) is reported ``indeterminate`` with the reason, never guessed.

Amounts are money units (10^-5 GBP: 1 penny = 1,000), as the meters keep them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from smets.timeutil import DAY, HALF_HOUR, HOUR
from smets_fleet.consumption import DemandModel

PENCE = 1000
EDGE_MARGIN = 60  # seconds: device clocks drift a few seconds from the fleet's (smets_fleet.fleet)
DEBTS = ("tdr1", "tdr2", "pdr")


@dataclass(frozen=True)
class Terms:
    """What the meters were configured with (the head end set it): prices in money units."""

    price: int = 0  # per kWh
    standing: int = 0  # per day
    tdr_rate: tuple[int, int] = (0, 0)  # per period
    tdr_period: tuple[int, int] = (DAY, DAY)
    pdr_percent: int = 0  # whole percent of each top-up
    debt_cap: int | None = 0  # payment debt recovered per cap window at most (None: no limit)
    disablement: int = 0

    @staticmethod
    def from_params(tariff: dict[str, Any] | None, debt: dict[str, Any] | None, cap: int | None) -> Terms:
        """From the parameters of a set-tariff and an update-debt service request (srv names and
        units: milli-pence per kWh and per day, pence per period), and the prepay-config debt cap in
        pence (None when none was sent: the meter's own cap, 0, stands)."""
        t = tariff or {}
        d = debt or {}
        periods = {"daily": DAY, "hourly": HOUR}
        return Terms(
            price=int(t.get("price", 0)),
            standing=int(t.get("standing_charge", 0)),
            tdr_rate=(int(d.get("tdr1_rate", 0)) * PENCE, int(d.get("tdr2_rate", 0)) * PENCE),
            tdr_period=(periods[d.get("tdr1_period", "daily")], periods[d.get("tdr2_period", "daily")]),
            pdr_percent=int(d.get("pdr_percent", 0)),
            debt_cap=0 if cap is None else cap * PENCE,
        )


@dataclass
class Window:
    """One meter between two reads. ``before``/``after``: the registers read (balance, tdr1, tdr2,
    pdr); ``t_before``/``t_after``: simulated time of each read; ``consume_from``/``consume_to``:
    the fleet's consume events counted are those with from <= t < to (ESME: read at a held time,
    so (t_before, t_after] as t + 1; GSME: read at a wake-up, which runs before a consume event of
    the same second)."""

    kind: str  # esme | gsme
    number: int  # premises number
    t_before: int
    t_after: int
    consume_from: int
    consume_to: int
    before: dict[str, int] = field(default_factory=dict)
    after: dict[str, int] = field(default_factory=dict)
    top_ups: list[int] = field(default_factory=list)  # accepted, money units
    adjustments: list[int] = field(default_factory=list)  # accepted adjust-balance, money units
    debt_added: dict[str, int] = field(default_factory=lambda: dict.fromkeys(DEBTS, 0))
    resets: set[str] = field(default_factory=set)  # debt registers reset inside the window
    changed: list[str] = field(default_factory=list)  # why the terms may have changed inside

    def to_json(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["resets"] = sorted(self.resets)
        return d


@dataclass
class Verdict:
    kind: str
    number: int
    status: str  # ok | mismatch | indeterminate
    expected: int | None  # balance change
    actual: int | None
    why: str = ""
    terms: dict[str, int] = field(default_factory=dict)  # each term, money units

    def line(self) -> str:
        head = "%s %d: %s" % (self.kind, self.number, self.status)
        if self.status == "indeterminate":
            return head + " (%s)" % self.why
        return head + " (expected %s, balance moved %s%s)" % (
            self.expected,
            self.actual,
            "; " + self.why if self.why else "",
        )


def consume_events(
    demand: DemandModel, kind: str, number: int, phase: int, start: int, end: int
) -> list[tuple[int, int]]:
    """(time, Wh) of every consume event the fleet runs for the meter with start <= t < end: one per
    half-hour, at `phase` seconds into it, the demand model's value for that half-hour."""
    wh: Callable[[int, int], int] = demand.electricity_wh if kind == "esme" else demand.gas_wh
    out = []
    hh = start // HALF_HOUR - 1
    while hh * HALF_HOUR + phase < end:
        t = hh * HALF_HOUR + phase
        if t >= start:
            out.append((t, wh(number, hh)))
        hh += 1
    return out


def boundaries(start: int, end: int, period: int) -> int:
    """How many multiples of `period` lie in (start, end]."""
    return end // period - start // period


def near_boundary(t: int, period: int) -> bool:
    r = t % period
    return r < EDGE_MARGIN or r > period - EDGE_MARGIN


def check(w: Window, terms: Terms, demand: DemandModel, phase: int) -> Verdict:
    """The verdict on one meter's window (see the module's docstring)."""

    def undecided(why: str) -> Verdict:
        return Verdict(w.kind, w.number, "indeterminate", None, None, why)

    if not w.before or not w.after:
        return undecided("no register read before or after")
    if w.changed:
        return undecided("terms changed inside the window: " + ", ".join(w.changed))
    if terms.price % PENCE:
        return undecided("price is not whole pence per kWh (the meter carries sub-penny remainders)")
    periods = []
    if terms.standing:
        periods.append(DAY)
    for rate, period in zip(terms.tdr_rate, terms.tdr_period):
        if rate:
            periods.append(period)
    for t in (w.t_before, w.t_after):
        for p in periods:
            if near_boundary(t, p):
                return undecided("a read within %d s of a charge boundary" % EDGE_MARGIN)

    events = consume_events(demand, w.kind, w.number, phase, w.consume_from, w.consume_to)
    consumption = sum(wh for _, wh in events) * terms.price // PENCE
    days = boundaries(w.t_before, w.t_after, DAY)
    standing = days * terms.standing
    recovered = {"tdr1": 0, "tdr2": 0}
    for i, name in enumerate(("tdr1", "tdr2")):
        rate = terms.tdr_rate[i]
        n = boundaries(w.t_before, w.t_after, terms.tdr_period[i]) if rate else 0
        if n and (name in w.resets or w.before[name] < n * rate):
            return undecided("%s could run short of its instalments" % name)
        recovered[name] = n * rate
    time_debt = recovered["tdr1"] + recovered["tdr2"]
    # a meter never given a debt cap (prepay-config) has a cap of 0: nothing is recovered from top-ups
    shares = [a * terms.pdr_percent // 100 for a in w.top_ups] if terms.debt_cap != 0 else []
    payment_debt = sum(shares)
    if payment_debt:
        if "pdr" in w.resets or w.before["pdr"] < payment_debt:
            return undecided("the payment debt register could run short")
        if terms.debt_cap is not None and payment_debt > terms.debt_cap:
            return undecided("payment debt recovery could reach its cap")
    debits = sum(-a for a in w.adjustments if a < 0) + consumption + standing + time_debt
    if w.before["balance"] - debits < terms.disablement:
        return undecided("the balance could fall below the disablement threshold (supply off)")
    expected = sum(w.top_ups) - payment_debt + sum(w.adjustments) - consumption - standing - time_debt
    actual = w.after["balance"] - w.before["balance"]
    parts = {
        "top_ups": sum(w.top_ups),
        "payment_debt": payment_debt,
        "adjustments": sum(w.adjustments),
        "consumption": consumption,
        "consumption_wh": sum(wh for _, wh in events),
        "standing": standing,
        "time_debt": time_debt,
    }
    why = []
    # the registers follow the same terms: what was added minus what was recovered
    recovered["pdr"] = payment_debt
    for name in DEBTS:
        if name in w.resets:
            continue
        want = w.before[name] + w.debt_added[name] - recovered[name]
        if w.after[name] != want:
            why.append("%s %d, expected %d" % (name, w.after[name], want))
    status = "ok" if actual == expected and not why else "mismatch"
    return Verdict(w.kind, w.number, status, expected, actual, "; ".join(why), parts)


def summarise(verdicts: list[Verdict]) -> dict[str, Any]:
    counts = {"ok": 0, "mismatch": 0, "indeterminate": 0}
    for v in verdicts:
        counts[v.status] += 1
    return {
        "meters": len(verdicts),
        **counts,
        "problems": [v.line() for v in verdicts if v.status != "ok"][:50],
    }
