"""Fixed-size logs as array-backed rings; the sizes are parameters (SMETS sizes or a board's).

* ``EventLog``: (UTC time, 16-bit event code, 16-bit data such as a message code); the event and
  security logs. The security log cannot be cleared.
* ``RecordLog``: (UTC time, fixed-width row of integers of one array typecode): daily read
  (registers, "I"), billing snapshots (cause, registers and prepayment registers, "q"), prepayment
  daily read, prepayment credits and debt payments (money, "q").
* ``SeriesLog``: consecutive fixed periods with implied times, 4 bytes per entry: the half-hourly
  profile data log and the daily consumption log. A skipped period is stored as 0.
Entries are returned oldest first.
"""

from .arrays import zeros
from .errors import BehaviourError


class LogSizes:
    __slots__ = (
        "event",
        "security",
        "daily_read",
        "prepay_daily_read",
        "profile",
        "billing_snapshots",
        "billing_credits",
        "billing_debt_payments",
        "daily_consumption",
    )

    def __init__(self, event, security, daily_read, prepay_daily_read, profile, snaps, credits, debts, daily):
        self.event = event
        self.security = security
        self.daily_read = daily_read
        self.prepay_daily_read = prepay_daily_read
        self.profile = profile
        self.billing_snapshots = snaps
        self.billing_credits = credits
        self.billing_debt_payments = debts
        self.daily_consumption = daily


# The SMETS sizes (spec §2.9) and a board-sized set (one week of profile data, a week of days).
SMETS_LOG_SIZES = LogSizes(100, 100, 31, 31, 19056, 12, 5, 10, 731)
BOARD_LOG_SIZES = LogSizes(20, 20, 7, 7, 336, 3, 5, 10, 14)


class _Ring:
    __slots__ = ("size", "count", "head")

    def _init_ring(self, size):
        if size <= 0:
            raise BehaviourError("log size must be positive")
        self.size = size
        self.count = 0
        self.head = 0  # next slot to write

    def _slot(self):
        i = self.head
        self.head = (i + 1) % self.size
        if self.count < self.size:
            self.count += 1
        return i

    def _order(self):
        """Slot indices oldest first."""
        start = (self.head - self.count) % self.size
        return [(start + k) % self.size for k in range(self.count)]

    def __len__(self):
        return self.count

    def _dump_ring(self, w):
        w.u32(self.size)
        w.u32(self.count)
        w.u32(self.head)

    def _load_ring(self, r):
        if r.u32() != self.size:
            raise BehaviourError("snapshot log size differs from this meter's")
        self.count = r.u32()
        self.head = r.u32()


class EventLog(_Ring):
    __slots__ = ("times", "codes", "data", "clearable")

    def __init__(self, size, clearable=True):
        self._init_ring(size)
        self.times = zeros("I", size)
        self.codes = zeros("H", size)
        self.data = zeros("H", size)
        self.clearable = clearable

    def add(self, t, code, data=0):
        i = self._slot()
        self.times[i] = t
        self.codes[i] = code
        self.data[i] = data

    def entries(self):
        return [(self.times[i], self.codes[i], self.data[i]) for i in self._order()]

    def clear(self):
        if not self.clearable:
            raise BehaviourError("the security log cannot be cleared")
        self.count = 0
        self.head = 0

    def dump(self, w):
        self._dump_ring(w)
        w.arr(self.times)
        w.arr(self.codes)
        w.arr(self.data)

    def load(self, r):
        self._load_ring(r)
        self.times = r.arr("I", self.size)
        self.codes = r.arr("H", self.size)
        self.data = r.arr("H", self.size)


class RecordLog(_Ring):
    __slots__ = ("width", "typecode", "times", "values")

    def __init__(self, size, width, typecode="q"):
        self._init_ring(size)
        self.width = width
        self.typecode = typecode
        self.times = zeros("I", size)
        self.values = zeros(typecode, size * width)

    def add(self, t, row):
        if len(row) != self.width:
            raise BehaviourError("log row has %d values, expected %d" % (len(row), self.width))
        i = self._slot()
        self.times[i] = t
        base = i * self.width
        for k in range(self.width):
            self.values[base + k] = row[k]

    def entries(self):
        w = self.width
        out = []
        for i in self._order():
            out.append((self.times[i], tuple(self.values[i * w : i * w + w])))
        return out

    def dump(self, w):
        self._dump_ring(w)
        w.arr(self.times)
        w.arr(self.values)

    def load(self, r):
        self._load_ring(r)
        self.times = r.arr("I", self.size)
        self.values = r.arr(self.typecode, self.size * self.width)


class SeriesLog(_Ring):
    __slots__ = ("period", "values", "last_start")

    def __init__(self, size, period):
        self._init_ring(size)
        self.period = period
        self.values = zeros("I", size)
        self.last_start = -1  # start time of the newest entry

    def add(self, start, value):
        """Store the value of the period beginning at ``start``; missing periods in between are 0."""
        if self.last_start >= 0:
            if start <= self.last_start:
                raise BehaviourError("series log periods must move forward")
            gap = (start - self.last_start) // self.period - 1
            if gap > self.size:
                gap = self.size
            for _ in range(gap):
                self.values[self._slot()] = 0
        self.values[self._slot()] = value
        self.last_start = start

    def entries(self):
        first = self.last_start - (self.count - 1) * self.period
        out = []
        for k, i in enumerate(self._order()):
            out.append((first + k * self.period, self.values[i]))
        return out

    def dump(self, w):
        self._dump_ring(w)
        w.i64(self.last_start)
        w.arr(self.values)

    def load(self, r):
        self._load_ring(r)
        self.last_start = r.i64()
        self.values = r.arr("I", self.size)
