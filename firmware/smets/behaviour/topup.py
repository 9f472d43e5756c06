"""UTRN acceptance rules on an already decoded and verified top-up (no crypto here).

The security layer (``smets.security.utrn``) decodes the UTRN and checks its GMAC; it hands over a
``TopUp``: counter, value, value class, authentic, for_this_device. The rules, in order:

1. Manual entry (keypad or PPMID) while locked out: refused, 0x81C5.
2. Not for this device: 0x8F64; not authentic (or an unknown value class): 0x8F63.
3. Counter already in the counter cache (last ``utrn_cache_size`` accepted counters), at or below the
   floor sequence number, or below the oldest counter of a full cache: duplicate, 0x8F51 [I].
4. The credit rules of the meter (0x8F5B maximum credit, 0x8F47 maximum meter balance).
5. Accepted: the counter goes into the cache; a manual or PPMID entry raises 0x810E.

Each refused manual entry counts towards the lockout; ``utrn_lockout_attempts`` in a row suspend
manual entry for ``utrn_lockout_seconds`` and raise 0x81C4 [I]; an accepted entry clears the count.
A refusal at step 4 leaves the counter out of the cache so the same UTRN may be used later [I].
"""

from smets.wire import alert_codes as ac

from .arrays import zeros
from .errors import BehaviourError

REMOTE = 0  # WAN top-up (CS01a / CS01b)
KEYPAD = 1  # typed on the meter
PPMID = 2  # sent by the PPMID (PCS01 / ZSE Consumer Top Up)
SOURCE_NAMES = ("remote", "keypad", "ppmid")

PENNIES = 0
POUNDS = 1
_CLASS_UNITS = (1000, 100000)  # money units per value unit: 1 p = 1,000; £1 = 100,000


class TopUp:
    """A decoded UTRN: what the security layer tells the behaviour."""

    __slots__ = ("counter", "value", "value_class", "authentic", "for_this_device")

    def __init__(self, counter, value, value_class, authentic, for_this_device):
        self.counter = counter
        self.value = value
        self.value_class = value_class
        self.authentic = authentic
        self.for_this_device = for_this_device

    def amount(self):
        """The credit in money units, or -1 for an unknown value class."""
        if self.value_class not in (PENNIES, POUNDS) or self.value < 0:
            return -1
        return self.value * _CLASS_UNITS[self.value_class]


class UtrnGate:
    __slots__ = ("cache", "count", "head", "floor", "failures", "locked_until")

    def __init__(self, size):
        if size <= 0:
            raise BehaviourError("UTRN cache size must be positive")
        self.cache = zeros("Q", size)
        self.count = 0
        self.head = 0
        self.floor = 0
        self.failures = 0
        self.locked_until = 0

    def seen(self, counter):
        for i in range(self.count):
            if self.cache[i] == counter:
                return True
        if counter <= self.floor and self.floor:
            return True
        if self.count == len(self.cache):
            lowest = self.cache[0]
            for i in range(self.count):
                if self.cache[i] < lowest:
                    lowest = self.cache[i]
            if counter < lowest:
                return True
        return False

    def remember(self, counter):
        self.cache[self.head] = counter
        self.head = (self.head + 1) % len(self.cache)
        if self.count < len(self.cache):
            self.count += 1

    def set_floor(self, counter):
        self.floor = counter

    def check(self, topup, source, now):
        """0 when the UTRN may be credited, otherwise the alert code of the refusal."""
        if source != REMOTE and now < self.locked_until:
            return ac.A_UTRN_LOCKED_OUT
        if not topup.for_this_device:
            return ac.A_UTRN_NOT_FOR_DEVICE
        if not topup.authentic or topup.amount() < 0:
            return ac.A_UTRN_NOT_AUTHENTIC
        if self.seen(topup.counter):
            return ac.A_DUPLICATE_UTRN
        return 0

    def failed(self, source, now, attempts, lock_seconds):
        """Count a refused manual entry; True when this one starts a lockout."""
        if source == REMOTE:
            return False
        self.failures += 1
        if self.failures >= attempts:
            self.failures = 0
            self.locked_until = now + lock_seconds
            return True
        return False

    def accepted(self, topup, source):
        self.remember(topup.counter)
        if source != REMOTE:
            self.failures = 0

    def dump(self, w):
        w.arr(self.cache)
        w.u32(self.count)
        w.u32(self.head)
        w.i64(self.floor)
        w.u32(self.failures)
        w.i64(self.locked_until)

    def load(self, r):
        self.cache = r.arr("Q", len(self.cache))
        self.count = r.u32()
        self.head = r.u32()
        self.floor = r.i64()
        self.failures = r.u32()
        self.locked_until = r.i64()
