"""Prepayment thresholds (ECS08a / GCS05 and the ECS03 disablement threshold), with passive copies.

All amounts are money units (10^-5 of the currency). Comparisons, documented in docs/behaviour.md:
* low credit: alert 0x810D when combined credit goes from >= threshold to < threshold;
* disablement: supply is disabled when combined credit < threshold (exactly at it: not disabled);
* maximum credit: a credit > max is refused (exactly max is accepted), 0x8F5B;
* maximum meter balance: a credit that would make the balance > max is refused, 0x8F47.
"""

from .errors import BehaviourError
from .timeutil import NEVER

# Order of fields in a prepayment-configuration tuple.
FIELDS = ("low_credit", "ec_limit", "ec_threshold", "max_credit", "max_meter_balance", "cap", "cap_period")


class Thresholds:
    __slots__ = ("low_credit", "disablement", "max_credit", "max_meter_balance")

    def __init__(self):
        self.low_credit = 0
        self.disablement = 0
        self.max_credit = 0x7FFFFFFF
        self.max_meter_balance = 0x7FFFFFFF

    def dump(self, w):
        w.i64(self.low_credit)
        w.i64(self.disablement)
        w.i64(self.max_credit)
        w.i64(self.max_meter_balance)

    def load(self, r):
        self.low_credit = r.i64()
        self.disablement = r.i64()
        self.max_credit = r.i64()
        self.max_meter_balance = r.i64()


class PendingConfig:
    """A passive prepayment configuration tuple (FIELDS order) and its activation time."""

    __slots__ = ("values", "at")

    def __init__(self):
        self.values = None
        self.at = NEVER

    def set(self, values, at):
        if len(values) != len(FIELDS):
            raise BehaviourError("prepayment configuration needs %d values" % len(FIELDS))
        for v in values:
            if v < 0:
                raise BehaviourError("prepayment configuration values are not negative")
        self.values = tuple(values)
        self.at = at

    def due(self, now):
        return self.values is not None and self.at != NEVER and self.at <= now

    def take(self):
        v = self.values
        self.values = None
        self.at = NEVER
        return v

    def dump(self, w):
        w.bool(self.values is not None)
        if self.values is not None:
            w.ints(self.values)
        w.u32(self.at)

    def load(self, r):
        self.values = tuple(r.ints()) if r.bool() else None
        self.at = r.u32()
