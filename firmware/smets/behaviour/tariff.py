"""Tariff: TOU and block prices on the calendar engine, energy registers, block counters, cost.

Prices are ``price * 10**price_scale`` currency units per kWh; energy is in Wh, so the cost of E Wh
in money units (10^-5) is ``E * price * 10**(price_scale + 2)``. When that is not a whole number the
remainder is carried to the next charge (no rounding loss) and dropped only when a new tariff is
activated [I]. The standing charge is ``standing_charge * 10**standing_scale`` currency units per day.

* TOU: the calendar value (1..n) names the TOU rate and register.
* BLOCK: the calendar value (1..8 on ESME, always 1 on GSME) names the block set; the block is
  decided by the set's block counter (energy since the last counter reset, summed over the set's
  blocks) against its thresholds (cumulative Wh, ascending, up to 3). Energy that crosses a
  threshold is split, so each part is priced in its own block. At exactly a threshold the next
  block applies [I]. The registers kept are the TOU-with-blocks matrix (set x 4).
* HYBRID (ESME only, DUIS "HybridTariff"): the calendar mixes both: a value 1..48 names a TOU rate,
  a value 101..108 names block set value - 100 (the GBCS tariff script selectors).
* Secondary element (ESME only): its own calendar (values 1..4) and 4 prices and registers.

Block counters reset at a billing period end, on command (ECS05) and every midnight UTC when the
daily reset option (ECS48) is on.
"""

from .arrays import zeros
from .calendar import Limits
from .errors import BehaviourError
from .timeutil import NEVER

TOU = 0
BLOCK = 1
HYBRID = 2
HYBRID_BLOCK_BASE = 100  # in a HYBRID calendar, value HYBRID_BLOCK_BASE + s names block set s (1..8)

ESME_LIMITS = Limits(4, 4, 16, 48, 50, 48)
ESME_SECONDARY_LIMITS = Limits(4, 4, 16, 48, 50, 4)
ESME_HYBRID_LIMITS = Limits(4, 4, 16, 48, 50, 100 + 8)
GSME_LIMITS = Limits(3, 2, 4, 1, 20, 4)
ESME_TOU_REGISTERS = 48
ESME_SECONDARY_REGISTERS = 4
ESME_BLOCK_SETS = 8
GSME_TOU_REGISTERS = 4
GSME_BLOCK_SETS = 1
BLOCKS_PER_SET = 4  # 3 thresholds -> 4 block prices


def scaled(value, exponent):
    """value * 10**exponent as an integer, truncating toward zero for negative exponents."""
    if exponent >= 0:
        return value * 10**exponent
    d = 10 ** (-exponent)
    return value // d if value >= 0 else -((-value) // d)


def _block_of(thresholds, used):
    """The block (0..3) that energy counted `used` Wh into a set falls in; at exactly a threshold
    the next block applies."""
    b = 0
    while b < len(thresholds) and used >= thresholds[b]:
        b += 1
    return b


class TariffConfig:
    """An immutable tariff; one object may be shared by many meters."""

    __slots__ = (
        "kind",
        "calendar",
        "tou_prices",
        "block_thresholds",
        "block_prices",
        "price_scale",
        "standing_charge",
        "standing_scale",
        "secondary_calendar",
        "secondary_prices",
    )

    def __init__(
        self,
        kind,
        calendar,
        tou_prices=(),
        block_thresholds=(),
        block_prices=(),
        price_scale=-5,
        standing_charge=0,
        standing_scale=-5,
        secondary_calendar=None,
        secondary_prices=(),
    ):
        self.kind = kind
        self.calendar = calendar
        self.tou_prices = tuple(tou_prices)
        self.block_thresholds = tuple(tuple(t) for t in block_thresholds)
        self.block_prices = tuple(tuple(p) for p in block_prices)
        self.price_scale = price_scale
        self.standing_charge = standing_charge
        self.standing_scale = standing_scale
        self.secondary_calendar = secondary_calendar
        self.secondary_prices = tuple(secondary_prices)

    def validate(self, is_esme):
        lim = ESME_LIMITS if is_esme else GSME_LIMITS
        n_tou = ESME_TOU_REGISTERS if is_esme else GSME_TOU_REGISTERS
        n_sets = ESME_BLOCK_SETS if is_esme else GSME_BLOCK_SETS
        kind = self.kind
        if kind not in (TOU, BLOCK, HYBRID):
            raise BehaviourError("tariff: unknown kind %r" % (kind,))
        if kind == HYBRID:
            if not is_esme:
                raise BehaviourError("tariff: a hybrid tariff is an ESME one")
            lim = ESME_HYBRID_LIMITS
        if not -128 <= self.price_scale <= 127 or not -128 <= self.standing_scale <= 127:
            raise BehaviourError("tariff: price scale out of int8 range")
        if self.standing_charge < 0:
            raise BehaviourError("tariff: negative standing charge")
        self.calendar.validate(lim)
        n_rates = 0
        if kind != BLOCK:
            if not 1 <= len(self.tou_prices) <= n_tou:
                raise BehaviourError("tariff: 1..%d TOU prices" % n_tou)
            n_rates = len(self.tou_prices)
        n_blocks = 0
        if kind != TOU:
            if not 1 <= len(self.block_thresholds) <= n_sets or len(self.block_prices) != len(
                self.block_thresholds
            ):
                raise BehaviourError("tariff: 1..%d block sets with prices" % n_sets)
            for th, pr in zip(self.block_thresholds, self.block_prices):
                if len(th) > 3 or len(pr) != len(th) + 1:
                    raise BehaviourError("tariff: up to 3 thresholds and one more price than thresholds")
                for i in range(1, len(th)):
                    if th[i] <= th[i - 1]:
                        raise BehaviourError("tariff: block thresholds must ascend")
                for p in pr:
                    if p < 0:
                        raise BehaviourError("tariff: negative price")
            n_blocks = len(self.block_thresholds)
            if kind == BLOCK:
                n_rates = n_blocks
        for day in self.calendar.days:
            for _sec, val in day:
                if kind == HYBRID and val > HYBRID_BLOCK_BASE:
                    ok = val <= HYBRID_BLOCK_BASE + n_blocks
                else:
                    ok = 1 <= val <= n_rates
                if not ok:
                    raise BehaviourError("tariff: the calendar names rate %d, which is not defined" % val)
        for p in self.tou_prices + self.secondary_prices:
            if p < 0:
                raise BehaviourError("tariff: negative price")
        if self.secondary_calendar is not None:
            if not is_esme:
                raise BehaviourError("tariff: the GSME has no secondary element")
            self.secondary_calendar.validate(ESME_SECONDARY_LIMITS)
            if len(self.secondary_prices) != ESME_SECONDARY_REGISTERS:
                raise BehaviourError("tariff: 4 secondary prices")

    def dump(self, w):
        w.u8(self.kind)
        self.calendar.dump(w)
        w.ints(self.tou_prices)
        w.u8(len(self.block_thresholds))
        for th, pr in zip(self.block_thresholds, self.block_prices):
            w.ints(th)
            w.ints(pr)
        w.i64(self.price_scale)
        w.i64(self.standing_charge)
        w.i64(self.standing_scale)
        w.bool(self.secondary_calendar is not None)
        if self.secondary_calendar is not None:
            self.secondary_calendar.dump(w)
        w.ints(self.secondary_prices)

    @staticmethod
    def load(r):
        from .calendar import Calendar

        kind = r.u8()
        cal = Calendar.load(r)
        tou = r.ints()
        ths = []
        prs = []
        for _ in range(r.u8()):
            ths.append(r.ints())
            prs.append(r.ints())
        ps = r.i64()
        sc = r.i64()
        ss = r.i64()
        sec_cal = Calendar.load(r) if r.bool() else None
        sec_p = r.ints()
        return TariffConfig(kind, cal, tou, ths, prs, ps, sc, ss, sec_cal, sec_p)


def _dump_opt_config(w, cfg):
    w.bool(cfg is not None)
    if cfg is not None:
        cfg.dump(w)


def _load_opt_config(r):
    return TariffConfig.load(r) if r.bool() else None


class Tariff:
    """Active and passive tariff, registers (Wh), block counters (Wh) and the cost remainder."""

    __slots__ = (
        "is_esme",
        "active",
        "passive",
        "passive_at",
        "tou",
        "secondary",
        "blocks",
        "counters",
        "total",
        "residue",
        "sec_residue",
        "daily_block_reset",
    )

    def __init__(self, is_esme):
        self.is_esme = is_esme
        self.active = None
        self.passive = None
        self.passive_at = NEVER
        n_sets = ESME_BLOCK_SETS if is_esme else GSME_BLOCK_SETS
        self.tou = zeros("I", ESME_TOU_REGISTERS if is_esme else GSME_TOU_REGISTERS)
        self.secondary = zeros("I", ESME_SECONDARY_REGISTERS if is_esme else 0)
        self.blocks = zeros("I", n_sets * BLOCKS_PER_SET)
        self.counters = zeros("I", n_sets * BLOCKS_PER_SET)
        self.total = 0
        self.residue = 0
        self.sec_residue = 0
        self.daily_block_reset = False

    def set_passive(self, cfg, activation):
        cfg.validate(self.is_esme)
        self.passive = cfg
        self.passive_at = activation

    def due(self, now):
        return self.passive is not None and self.passive_at != NEVER and self.passive_at <= now

    def activate(self):
        self.active = self.passive
        self.passive = None
        self.passive_at = NEVER
        self.residue = 0
        self.sec_residue = 0

    def reset_counters(self):
        c = self.counters
        for i in range(len(c)):
            c[i] = 0

    def _money(self, numerator, residue_attr):
        """Turn sum(Wh * price) into money with the carried remainder; returns the cost."""
        e = self.active.price_scale + 2
        if e >= 0:
            return numerator * 10**e
        d = 10 ** (-e)
        n = numerator + getattr(self, residue_attr)
        setattr(self, residue_attr, n % d)
        return n // d

    def charge(self, t, wh):
        """Account ``wh`` of primary energy consumed at ``t``; returns its cost in money units."""
        if wh <= 0:
            return 0
        self.total += wh
        cfg = self.active
        if cfg is None:
            return 0
        rate = cfg.calendar.value_at(t)
        kind = cfg.kind
        if kind == TOU or (kind == HYBRID and rate <= HYBRID_BLOCK_BASE):
            self.tou[rate - 1] += wh
            return self._money(wh * cfg.tou_prices[rate - 1], "residue")
        if kind == HYBRID:
            return self._charge_blocks(cfg, rate - HYBRID_BLOCK_BASE - 1, wh)
        return self._charge_blocks(cfg, rate - 1 if self.is_esme else 0, wh)

    def _charge_blocks(self, cfg, s, wh):
        """``wh`` in block set ``s`` (0-based), split at its thresholds."""
        th = cfg.block_thresholds[s]
        pr = cfg.block_prices[s]
        base = s * BLOCKS_PER_SET
        used = 0
        for i in range(BLOCKS_PER_SET):
            used += self.counters[base + i]
        num = 0
        left = wh
        while left > 0:
            b = _block_of(th, used)
            take = left if b == len(th) else min(left, th[b] - used)
            num += take * pr[b]
            self.counters[base + b] += take
            self.blocks[base + b] += take
            used += take
            left -= take
        return self._money(num, "residue")

    def price_at(self, t):
        """The primary price in force at ``t`` for the next Wh, in money units (10^-5 currency
        units) per kWh, or None with no active tariff. Under a block tariff it is the price of the
        block the set's counter is in."""
        cfg = self.active
        if cfg is None:
            return None
        rate = cfg.calendar.value_at(t)
        kind = cfg.kind
        s = -1
        if kind == HYBRID:
            if rate > HYBRID_BLOCK_BASE:
                s = rate - HYBRID_BLOCK_BASE - 1
            else:
                kind = TOU
        elif kind == BLOCK:
            s = rate - 1 if self.is_esme else 0
        if kind == TOU:
            price = cfg.tou_prices[rate - 1]
        else:
            base = s * BLOCKS_PER_SET
            used = 0
            for i in range(BLOCKS_PER_SET):
                used += self.counters[base + i]
            price = cfg.block_prices[s][_block_of(cfg.block_thresholds[s], used)]
        return scaled(price, cfg.price_scale + 5)

    def charge_secondary(self, t, wh):
        cfg = self.active
        if wh <= 0 or cfg is None or cfg.secondary_calendar is None:
            return 0
        rate = cfg.secondary_calendar.value_at(t)
        self.secondary[rate - 1] += wh
        return self._money(wh * cfg.secondary_prices[rate - 1], "sec_residue")

    def standing_charge(self):
        cfg = self.active
        if cfg is None:
            return 0
        return scaled(cfg.standing_charge, cfg.standing_scale + 5)

    def dump(self, w):
        _dump_opt_config(w, self.active)
        _dump_opt_config(w, self.passive)
        w.u32(self.passive_at)
        w.arr(self.tou)
        w.arr(self.secondary)
        w.arr(self.blocks)
        w.arr(self.counters)
        w.i64(self.total)
        w.i64(self.residue)
        w.i64(self.sec_residue)
        w.bool(self.daily_block_reset)

    def load(self, r):
        self.active = _load_opt_config(r)
        self.passive = _load_opt_config(r)
        self.passive_at = r.u32()
        self.tou = r.arr("I", len(self.tou))
        self.secondary = r.arr("I", len(self.secondary))
        self.blocks = r.arr("I", len(self.blocks))
        self.counters = r.arr("I", len(self.counters))
        self.total = r.i64()
        self.residue = r.i64()
        self.sec_residue = r.i64()
        self.daily_block_reset = r.bool()
