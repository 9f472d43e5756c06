"""Billing calendar: when the billing period ends (ECS30a / GCS25a periodicities)."""

from .errors import BehaviourError
from .timeutil import DAY, NEVER, WEEK, add_months

NONE = 0
DAILY = 1
WEEKLY = 2
MONTHLY = 3
QUARTERLY = 4
HALF_YEARLY = 5
YEARLY = 6

_MONTHS = (0, 0, 0, 1, 3, 6, 12)  # months per period, by periodicity


def _step(start, period, k):
    """The k-th period end after ``start`` (k = 0 is ``start`` itself)."""
    if period == DAILY:
        return start + k * DAY
    if period == WEEKLY:
        return start + k * WEEK
    return add_months(start, k * _MONTHS[period])


class BillingCalendar:
    __slots__ = ("start", "period", "k", "next_end")

    def __init__(self):
        self.start = 0
        self.period = NONE
        self.k = 0
        self.next_end = NEVER

    def configure(self, start, period, now):
        if not NONE <= period <= YEARLY:
            raise BehaviourError("billing calendar: unknown periodicity %d" % period)
        self.start = start
        self.period = period
        self.k = 0
        self.next_end = NEVER
        if period != NONE:
            self.next_end = start
            while self.next_end <= now:
                self.advance()

    def advance(self):
        self.k += 1
        self.next_end = _step(self.start, self.period, self.k)

    def dump(self, w):
        w.i64(self.start)
        w.u8(self.period)
        w.u32(self.k)
        w.u32(self.next_end)

    def load(self, r):
        self.start = r.i64()
        self.period = r.u8()
        self.k = r.u32()
        self.next_end = r.u32()
