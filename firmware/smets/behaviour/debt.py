"""The three debt registers (time debt 1, time debt 2, payment debt) and how they are recovered.

* Adjust (ECS07 / GCS04): a signed delta; a result below zero or above the int32 range is refused
  and nothing changes [I].
* Reset (SECMP0002): one register at a time is set to zero, in any payment mode; the outcome is
  success when the register is zero afterwards (also when it already was). No value is returned.
* Time-based recovery: ``rate * 10**(scale + 5)`` money units per hour or per day (GSME scale is
  fixed at -5), taken at each whole UTC hour / each UTC midnight, never more than remains.
* Payment-based recovery: ``percent / 100`` (0..10000 = 0.00..100.00 %) of each credit, rounded
  down, capped by the rate cap per cap period, never more than remains.
"""

from .errors import BehaviourError
from .settings import CAP_WINDOW_ALIGNED
from .tariff import scaled
from .timeutil import DAY, HOUR

TDR1 = 0
TDR2 = 1
PDR = 2
REGISTER_NAMES = ("time debt 1", "time debt 2", "payment debt")

HOURLY = HOUR
DAILY = DAY

_INT32_MAX = 0x7FFFFFFF


class DebtRegisters:
    __slots__ = (
        "regs",
        "rate",
        "scale",
        "period",
        "percent",
        "cap",
        "cap_period",
        "cap_start",
        "cap_used",
    )

    def __init__(self):
        self.regs = [0, 0, 0]
        self.rate = [0, 0]
        self.scale = [-5, -5]
        self.period = [DAILY, DAILY]
        self.percent = 0
        self.cap = 0  # money units per cap period (already converted from whole units on ESME)
        self.cap_period = 7 * DAY
        self.cap_start = -1  # start of the current cap window, -1 before the first recovery
        self.cap_used = 0

    @staticmethod
    def _check(which):
        if which not in (TDR1, TDR2, PDR):
            raise BehaviourError("debt: unknown register %r" % (which,))

    def adjust(self, which, delta):
        self._check(which)
        v = self.regs[which] + delta
        if v < 0 or v > _INT32_MAX:
            raise BehaviourError("debt: %s would become %d" % (REGISTER_NAMES[which], v))
        self.regs[which] = v

    def reset(self, which):
        """SECMP0002: set one register to zero; True when it is zero afterwards."""
        self._check(which)
        self.regs[which] = 0
        return self.regs[which] == 0

    def set_time_recovery(self, which, rate, scale, period):
        if which not in (TDR1, TDR2):
            raise BehaviourError("debt: time-based recovery is for time debts 1 and 2")
        if period not in (HOURLY, DAILY) or rate < 0 or not -128 <= scale <= 127:
            raise BehaviourError("debt: bad recovery rate, scale or period")
        self.rate[which] = rate
        self.scale[which] = scale
        self.period[which] = period

    def set_payment_recovery(self, percent, cap, cap_period):
        if not 0 <= percent <= 10000 or cap < 0 or cap_period <= 0:
            raise BehaviourError("debt: bad payment-based recovery settings")
        self.percent = percent
        self.cap = cap
        self.cap_period = cap_period

    def instalment(self, which):
        """What one period of time-based recovery takes now (never more than remains)."""
        amount = scaled(self.rate[which], self.scale[which] + 5)
        return amount if amount < self.regs[which] else self.regs[which]

    def _window(self, now, aligned):
        """(start, used) of the cap window that holds ``now``, without changing state."""
        if aligned:
            start = now - now % self.cap_period
            return start, (self.cap_used if start == self.cap_start else 0)
        if self.cap_start < 0 or now >= self.cap_start + self.cap_period:
            return now, 0
        return self.cap_start, self.cap_used

    def payment_share(self, credit, now, cap_window):
        """How much of a credit goes to the payment debt register (no state change)."""
        share = credit * self.percent // 10000
        start, used = self._window(now, cap_window == CAP_WINDOW_ALIGNED)
        room = self.cap - used
        if share > room:
            share = room
        if share > self.regs[PDR]:
            share = self.regs[PDR]
        return share if share > 0 else 0

    def take_payment(self, amount, now, cap_window):
        start, used = self._window(now, cap_window == CAP_WINDOW_ALIGNED)
        self.cap_start = start
        self.cap_used = used + amount
        self.regs[PDR] -= amount

    def dump(self, w):
        w.ints(self.regs)
        w.ints(self.rate)
        w.ints(self.scale)
        w.ints(self.period)
        w.i64(self.percent)
        w.i64(self.cap)
        w.i64(self.cap_period)
        w.i64(self.cap_start)
        w.i64(self.cap_used)

    def load(self, r):
        self.regs = r.ints()
        self.rate = r.ints()
        self.scale = r.ints()
        self.period = r.ints()
        self.percent = r.i64()
        self.cap = r.i64()
        self.cap_period = r.i64()
        self.cap_start = r.i64()
        self.cap_used = r.i64()
