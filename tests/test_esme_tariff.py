"""The ESME prices consumption with the tariff a supplier sets over GBCS (ECS01a/b/c).

The head end below builds ECS01a / ECS01b requests from a plain tariff description, with the
objects and data types of the GBCS use-case tables (OBIS codes written out here, not taken from the
code under test), signs them as the supplier and MACs them as the ACB (test PKI of
test_device_core). The ESME answers, then consumption is fed across rate switch times, block
thresholds, a season change and special days, and the account's debits are compared with an
independent reference: a plain calendar (its own weekday and date arithmetic) and ledger below, fed
the same prices and energy.

The RTDS tests apply RTDS 4.5.0's own ECS01a / ECS01c commands (RTDS keys, as in
test_device_han) and check half-hours against costs worked out by hand from the decoded prices
(../shared/rtds/decoded/1.1.1_ECS01a.txt, 1.1.2_ECS01c.txt).
"""

from test_device_core import P, command, make_esme, party, split

from smets.behaviour.timeutil import DAY, HALF_HOUR, HOUR, to_seconds
from smets.devices import trust as tr
from smets.devices.esme import Esme
from smets.devices.keyagreement import ReplayKeyAgreement
from smets.wire import dlms
from smets.wire import dlms_axdr as ax
from smets.wire import message_codes as mc
from support import read_frame, require_rtds, rtds_keyring, unhex

RTDS_SUPPLIER = unhex("90B3D51F30010000")
RTDS_ACB = unhex("90B3D51F30000002")
UNIX_2000 = 946684800

# COSEM objects of ECS01a/b (GBCS use-case mapping table ECS01a).
CALENDAR = bytes((0, 0, 13, 0, 0, 255))
SPECIAL_DAYS_PASSIVE = bytes((0, 1, 11, 0, 0, 255))
SPECIAL_DAYS_ACTIVATION = bytes((0, 0, 94, 44, 128, 29))
CURRENCY = bytes((0, 0, 94, 44, 2, 0))
STANDING_CHARGE = bytes((0, 0, 19, 20, 4, 255))
PRICE_MATRIX = bytes((0, 0, 19, 20, 0, 255))
THRESHOLD_MATRIX = bytes((0, 0, 63, 1, 1, 255))
SCRIPTS = bytes((0, 0, 10, 0, 100, 255))
NOW_OCTETS = b"\x00" * 9 + b"\x80\x00\xff"
BILLING_DATA_LOG_UPDATED = 0x8F0A
FUTURE_DATED_OK = 0x8F66


def thresholds_passive(s):
    return bytes((0, 0, 16, 1, 10 + s, 255))


def thresholds_active(s):
    return bytes((0, 0, 16, 0, 10 + s, 255))


# ---- the head end: a tariff description and the requests that carry it ----------------------


class Tariff:
    """seasons [(month, day, week index, year or None)], weeks [7 day indices Monday..Sunday],
    days [[(hour, minute, script selector)]], special [(year or None, month, day, day index)],
    tou {rate: price}, blocks {set: (thresholds, prices)}; prices per kWh at 10**price_scale."""

    def __init__(self, seasons, weeks, days, special, tou, blocks, price_scale, standing, standing_scale):
        self.seasons = seasons
        self.weeks = weeks
        self.days = days
        self.special = special
        self.tou = tou
        self.blocks = blocks
        self.price_scale = price_scale
        self.standing = standing
        self.standing_scale = standing_scale


def _date5(year, month, day):
    y = 0xFFFF if year is None else year
    return bytes((y >> 8, y & 0xFF, month, day, 0xFF))


def _octets(b):
    return (ax.T_OCTET_STRING, b)


def calendar_values(t):
    seasons = []
    for month, day, week, year in t.seasons:
        start = _date5(year, month, day) + b"\x00\x00\x00\x00\x80\x00\xff"
        seasons.append(
            (ax.T_STRUCTURE, [_octets(b"s%d" % week), _octets(start), _octets(bytes((week + 1,)))])
        )
    weeks = []
    for i in range(len(t.weeks)):
        members = [_octets(bytes((i + 1,)))] + [(ax.T_UNSIGNED, d + 1) for d in t.weeks[i]]
        weeks.append((ax.T_STRUCTURE, members))
    days = []
    for i in range(len(t.days)):
        actions = []
        for hh, mm, selector in t.days[i]:
            actions.append(
                (
                    ax.T_STRUCTURE,
                    [_octets(bytes((hh, mm, 0, 0))), _octets(SCRIPTS), (ax.T_LONG_UNSIGNED, selector)],
                )
            )
        days.append((ax.T_STRUCTURE, [(ax.T_UNSIGNED, i + 1), (ax.T_ARRAY, actions)]))
    special = []
    for n in range(len(t.special)):
        year, month, day, di = t.special[n]
        special.append(
            (
                ax.T_STRUCTURE,
                [(ax.T_LONG_UNSIGNED, n + 1), _octets(_date5(year, month, day)), (ax.T_UNSIGNED, di + 1)],
            )
        )
    return (ax.T_ARRAY, seasons), (ax.T_ARRAY, weeks), (ax.T_ARRAY, days), (ax.T_ARRAY, special)


def price_values(t):
    table = []
    for rate in range(1, 49):
        table.append((ax.T_STRUCTURE, [_octets(bytes((rate,))), (ax.T_LONG, t.tou.get(rate, 0))]))
    for block in range(4):
        for s in range(1, 9):
            prices = t.blocks[s][1] if s in t.blocks else ()
            price = prices[block] if block < len(prices) else 0
            table.append((ax.T_STRUCTURE, [_octets(bytes((0xA1 + 16 * block + s - 1,))), (ax.T_LONG, price)]))
    prices = (
        ax.T_STRUCTURE,
        [
            (ax.T_STRUCTURE, [(ax.T_INTEGER, 3), (ax.T_INTEGER, t.price_scale)]),
            (
                ax.T_STRUCTURE,
                [(ax.T_LONG_UNSIGNED, 3), _octets(bytes((1, 0, 1, 8, 0, 255))), (ax.T_INTEGER, 2)],
            ),
            (ax.T_ARRAY, table),
        ],
    )
    standing = (
        ax.T_STRUCTURE,
        [
            (ax.T_STRUCTURE, [(ax.T_INTEGER, 0), (ax.T_INTEGER, t.standing_scale)]),
            (ax.T_STRUCTURE, [(ax.T_LONG_UNSIGNED, 0), _octets(b"\x00" * 6), (ax.T_INTEGER, 0)]),
            (ax.T_ARRAY, [(ax.T_STRUCTURE, [_octets(b""), (ax.T_LONG, t.standing)])]),
        ],
    )
    return standing, prices


def ecs01a(t, counter, activation=NOW_OCTETS):
    """SRV 1.1.1 as RTDS orders it: passive calendar, special days, 8 threshold sets, currency,
    standing charge, price matrix, then the six activation times."""
    seasons, weeks, days, special = calendar_values(t)
    standing, prices = price_values(t)
    specs = [
        dlms.Spec(dlms.SET, 20, CALENDAR, 7),
        dlms.Spec(dlms.SET, 20, CALENDAR, 8),
        dlms.Spec(dlms.SET, 20, CALENDAR, 9),
        dlms.Spec(dlms.SET, 11, SPECIAL_DAYS_PASSIVE, 2),
    ]
    data = [seasons, weeks, days, special]
    for s in range(1, 9):
        specs.append(dlms.Spec(dlms.SET, 21, thresholds_passive(s), 2))
        th = t.blocks[s][0] if s in t.blocks else (0xFFFFFFFF,)
        data.append((ax.T_ARRAY, [(ax.T_DOUBLE_LONG_UNSIGNED, v) for v in th]))
    specs += [
        dlms.Spec(dlms.SET, 9000, CURRENCY, 4),
        dlms.Spec(dlms.SET, 113, STANDING_CHARGE, 6),
        dlms.Spec(dlms.SET, 113, PRICE_MATRIX, 6),
        dlms.Spec(dlms.SET, 20, CALENDAR, 10),
        dlms.Spec(dlms.SET, 9000, SPECIAL_DAYS_ACTIVATION, 6),
        dlms.Spec(dlms.SET, 9000, CURRENCY, 6),
        dlms.Spec(dlms.SET, 113, STANDING_CHARGE, 7),
        dlms.Spec(dlms.SET, 113, PRICE_MATRIX, 7),
        dlms.Spec(dlms.SET, 9000, THRESHOLD_MATRIX, 6),
    ]
    data += [(ax.T_BOOLEAN, True), standing, prices] + [_octets(activation)] * 6
    payload = dlms.build_payload(dlms.AccessRequest(dlms.BREAK_ON_ERROR | counter, specs, data))
    return command(mc.code_for("ECS01a"), payload, counter)


def ecs01b(t, counter, activation=NOW_OCTETS):
    """SRV 1.2.1: standing charge and price matrix with their activation times."""
    standing, prices = price_values(t)
    specs = [
        dlms.Spec(dlms.SET, 113, STANDING_CHARGE, 6),
        dlms.Spec(dlms.SET, 113, PRICE_MATRIX, 6),
        dlms.Spec(dlms.SET, 113, STANDING_CHARGE, 7),
        dlms.Spec(dlms.SET, 113, PRICE_MATRIX, 7),
    ]
    data = [standing, prices, _octets(activation), _octets(activation)]
    payload = dlms.build_payload(dlms.AccessRequest(dlms.BREAK_ON_ERROR | counter, specs, data))
    return command(mc.code_for("ECS01b"), payload, counter)


def ecs05(counter):
    spec = dlms.Spec(dlms.ACTION, 9, SCRIPTS, 1)
    payload = dlms.build_payload(
        dlms.AccessRequest(dlms.BREAK_ON_ERROR | counter, [spec], [(ax.T_LONG_UNSIGNED, 99)])
    )
    return command(mc.code_for("ECS05"), payload, counter)


def at_octets(t):
    return ax.datetime_from_utc(t + UNIX_2000)


def results(response):
    return [r for _kind, r in dlms.parse_payload(response.payload).results]


def alert_codes(alerts):
    return [dlms.parse_payload(a.payload).alert_code() for a in alerts]


# ---- the reference: a plain calendar and ledger ----------------------------------------------

_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _leap(y):
    return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)


def _month_days(y, m):
    return 29 if m == 2 and _leap(y) else _MONTH_DAYS[m - 1]


def next_date(y, m, d):
    if d < _month_days(y, m):
        return y, m, d + 1
    return (y + 1, 1, 1) if m == 12 else (y, m + 1, 1)


def prev_date(y, m, d):
    if d > 1:
        return y, m, d - 1
    if m == 1:
        return y - 1, 12, 31
    return y, m - 1, _month_days(y, m - 1)


def monday_index(y, m, d):
    """0 = Monday .. 6 = Sunday (Sakamoto's method, independent of the core's day count)."""
    t = (0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4)
    if m < 3:
        y -= 1
    sunday0 = (y + y // 4 - y // 100 + y // 400 + t[m - 1] + d) % 7
    return (sunday0 + 6) % 7


def day_points(tar, y, m, d):
    for sy, sm, sd, di in tar.special:
        if sm == m and sd == d and (sy is None or sy == y):
            return tar.days[di]
    ordered = sorted((sm, sd, wi) for sm, sd, wi, _year in tar.seasons)
    week = ordered[-1][2]  # before the first season of the year, the last one still runs
    for sm, sd, wi in ordered:
        if (sm, sd) <= (m, d):
            week = wi
    return tar.days[tar.weeks[week][monday_index(y, m, d)]]


def selector_at(tar, y, m, d, sec):
    v = None
    for hh, mm, sel in sorted(day_points(tar, y, m, d)):
        if hh * 3600 + mm * 60 <= sec:
            v = sel
    while v is None:  # before the day's first switch the last one before it holds
        y, m, d = prev_date(y, m, d)
        pts = sorted(day_points(tar, y, m, d))
        if pts:
            v = pts[-1][2]
    return v


class Ledger:
    """What the account should have been debited: consumption cost with the remainder carried
    (dropped when a new tariff activates) and the standing charge at each midnight."""

    def __init__(self):
        self.tariff = None
        self.num = 0
        self.paid = 0
        self.counters = {}
        self.energy = {}

    def _div(self):
        return 10 ** (-(self.tariff.price_scale + 2))

    def activate(self, tar):
        if self.tariff is not None:
            self.paid += self.num // self._div()
        self.num = 0
        self.tariff = tar

    def midnight(self):
        t = self.tariff
        self.paid += t.standing * 10 ** (t.standing_scale + 5)

    def _add(self, k, wh):
        self.energy[k] = self.energy.get(k, 0) + wh

    def consume(self, y, m, d, sec, wh):
        t = self.tariff
        sel = selector_at(t, y, m, d, sec)
        if sel <= 48:
            self.num += wh * t.tou[sel]
            self._add(("tou", sel), wh)
            return
        s = sel - 100
        th, pr = t.blocks[s]
        used = self.counters.get(s, 0)
        left = wh
        while left:
            b = 0
            while b < len(th) and used >= th[b]:
                b += 1
            take = left if b == len(th) else min(left, th[b] - used)
            self.num += take * pr[b]
            self._add(("block", s, b), take)
            used += take
            left -= take
        self.counters[s] = used

    def total(self):
        return self.paid + self.num // self._div()


def drive(dev, ref, start_date, start, end, energy, events=None):
    """Half-hourly consumption from ``start`` (a midnight-aligned date's half-hour) to ``end``;
    ``events`` maps a time to fn(t) -> None run before that half-hour (tariff activations the
    reference learns of). Returns the alerts the device raised, parsed, with their times."""
    y, m, d = start_date
    day0 = to_seconds(y, m, d)
    out = []
    t = start
    k = 0
    while t <= end:
        while t >= day0 + DAY:
            day0 += DAY
            y, m, d = next_date(y, m, d)
        if events and t in events:
            events[t](t)
        if t == day0 and ref.tariff is not None:
            ref.midnight()
        wh = energy(k)
        ref.consume(y, m, d, t - day0, wh)
        _resp, alerts = split(dev.consume(t, wh))
        out.append((t, alerts))
        t += HALF_HOUR
        k += 1
    return out


# ---- immediate TOU: switch times, a season change, special days ------------------------------


def tou_tariff():
    weekday_winter = [(0, 0, 1), (7, 0, 2), (16, 30, 3), (23, 0, 1)]
    weekend = [(9, 0, 2), (23, 0, 1)]  # no switch at midnight: the previous day's last rate holds
    weekday_summer = [(0, 0, 1), (6, 30, 2), (20, 0, 1)]
    special = [(0, 0, 4)]
    return Tariff(
        seasons=[(10, 1, 0, None), (4, 1, 1, 2024)],  # winter from 1 October, summer from 1 April
        weeks=[[0] * 5 + [1] * 2, [2] * 5 + [1] * 2],
        days=[weekday_winter, weekend, weekday_summer, special],
        special=[(2024, 3, 31, 3), (None, 4, 2, 3)],  # Easter Sunday 2024; 2 April every year
        tou={1: 1234, 2: 2345, 3: 3456, 4: 567},
        blocks={},
        price_scale=-5,
        standing=4567,
        standing_scale=-4,
    )


def test_immediate_tou_tariff_prices_switch_times_season_change_and_special_days():
    t0 = to_seconds(2024, 3, 28, 10)  # a Thursday in winter; summer starts on Monday 1 April
    dev = make_esme(now=t0)
    tar = tou_tariff()
    responses, alerts = split(dev.handle(ecs01a(tar, 400), t0))
    assert results(responses[0]) == [0] * 21
    assert alert_codes(alerts) == [BILLING_DATA_LOG_UPDATED]  # a change of tariff is a billing event
    ref = Ledger()
    ref.activate(tar)
    end = to_seconds(2024, 4, 3, 12)
    drive(dev, ref, (2024, 3, 28), t0 + HALF_HOUR, end, lambda k: 50 + (k * 73) % 450)
    assert -dev.meter.account.balance == ref.total()
    for rate in (1, 2, 3, 4):
        assert dev.meter.tariff.tou[rate - 1] == ref.energy.get(("tou", rate), 0)
    # every rate was used, on the days the reference says
    assert all(ref.energy.get(("tou", r), 0) > 0 for r in (1, 2, 3, 4))


def test_reference_calendar_by_hand():
    """The reference itself, against dates worked out by hand."""
    tar = tou_tariff()
    assert monday_index(2024, 3, 28) == 3 and monday_index(2024, 4, 1) == 0
    assert selector_at(tar, 2024, 3, 28, 6 * HOUR) == 1  # winter weekday, before 07:00
    assert selector_at(tar, 2024, 3, 28, 17 * HOUR) == 3
    assert selector_at(tar, 2024, 3, 30, 8 * HOUR) == 1  # Saturday before 09:00: Friday's 23:00 rate
    assert selector_at(tar, 2024, 3, 30, 10 * HOUR) == 2
    assert selector_at(tar, 2024, 3, 31, 10 * HOUR) == 4  # Easter Sunday 2024
    assert selector_at(tar, 2024, 4, 1, 7 * HOUR) == 2  # summer weekday from 06:30
    assert selector_at(tar, 2024, 4, 2, 12 * HOUR) == 4  # 2 April, every year
    assert selector_at(tar, 2024, 4, 3, 21 * HOUR) == 1


# ---- future-dated block tariff: activation at its time, thresholds, ECS05 --------------------


def flat_tariff(price, standing):
    return Tariff([(1, 1, 0, None)], [[0] * 7], [[(0, 0, 1)]], [], {1: price}, {}, -5, standing, -5)


def block_tariff():
    return Tariff(
        seasons=[(1, 1, 0, None)],
        weeks=[[0] * 7],
        days=[[(0, 0, 102), (6, 0, 101), (22, 0, 102)]],  # set 2 at night, set 1 by day
        special=[],
        tou={},
        blocks={1: ((2000, 5000), (1000, 1500, 2500)), 2: ((3000,), (500, 900))},
        price_scale=-4,
        standing=3000,
        standing_scale=-5,
    )


def test_future_dated_block_tariff_activates_at_its_time_and_prices_each_block():
    t0 = to_seconds(2024, 6, 10, 8)  # a Monday
    act = to_seconds(2024, 6, 12)  # Wednesday midnight: the new standing charge is that day's
    dev = make_esme(now=t0)
    old = flat_tariff(2000, 10000)
    new = block_tariff()
    split(dev.handle(ecs01a(old, 500), t0))
    responses, _alerts = split(dev.handle(ecs01a(new, 501, at_octets(act)), t0 + 60))
    assert results(responses[0]) == [0] * 21
    assert len(dev.pending) == 6 and dev.meter.tariff.active.kind == 0  # still the TOU tariff
    ref = Ledger()
    ref.activate(old)
    reset_at = to_seconds(2024, 6, 13, 0, 15)

    def activate(t):
        ref.activate(new)

    out = drive(
        dev,
        ref,
        (2024, 6, 10),
        t0 + HALF_HOUR,
        reset_at - 15 * 60,
        lambda k: 200 + (k * 91) % 300,
        {act: activate},
    )
    at_act = [alerts for t, alerts in out if t == act][0]
    codes = alert_codes(at_act)
    assert codes[:6] == [FUTURE_DATED_OK] * 6 and BILLING_DATA_LOG_UPDATED in codes[6:]
    assert [a.message_code for a in at_act[:6]] == [0x00CC] * 6
    assert sum(len(alerts) for t, alerts in out if t < act) == 0
    # ECS05 resets the block counters; the registers keep counting
    responses, _ = split(dev.handle(ecs05(502), reset_at))
    assert results(responses[0]) == [0] and sum(dev.meter.tariff.counters) == 0
    ref.counters = {}
    drive(
        dev,
        ref,
        (2024, 6, 13),
        reset_at + 15 * 60,
        to_seconds(2024, 6, 14, 12),
        lambda k: 400 + (k * 53) % 700,
    )
    assert -dev.meter.account.balance == ref.total()
    for s in (1, 2):
        for b in range(3):
            assert dev.meter.tariff.blocks[(s - 1) * 4 + b] == ref.energy.get(("block", s, b), 0), (s, b)
    assert ref.energy.get(("block", 1, 2), 0) > 0 and ref.energy.get(("block", 2, 1), 0) > 0
    # the active objects read back as sent (ECS24 reads them)
    assert dev.read(21, thresholds_active(1), 2)[1] == (
        ax.T_ARRAY,
        [(ax.T_DOUBLE_LONG_UNSIGNED, 2000), (ax.T_DOUBLE_LONG_UNSIGNED, 5000)],
    )


# ---- prices only, refusals, cancellation -----------------------------------------------------


def test_prices_only_ecs01b_keeps_the_calendar():
    t0 = to_seconds(2024, 3, 28, 10)
    dev = make_esme(now=t0)
    tar = tou_tariff()
    split(dev.handle(ecs01a(tar, 600), t0))
    repriced = Tariff(
        tar.seasons, tar.weeks, tar.days, tar.special, {1: 1000, 2: 2000, 3: 3000, 4: 4000}, {}, -5, 9999, -5
    )
    t1 = to_seconds(2024, 3, 29, 12, 10)
    ref = Ledger()
    ref.activate(tar)
    drive(dev, ref, (2024, 3, 28), t0 + HALF_HOUR, t1 - 10 * 60, lambda k: 100 + k % 7)
    responses, _ = split(dev.handle(ecs01b(repriced, 601), t1))
    assert results(responses[0]) == [0] * 4
    ref.activate(repriced)
    drive(dev, ref, (2024, 3, 29), t1 + 20 * 60, to_seconds(2024, 4, 2, 12), lambda k: 100 + (k * 29) % 300)
    assert -dev.meter.account.balance == ref.total()


def test_a_tariff_that_cannot_be_is_refused_whole_and_changes_nothing():
    t0 = to_seconds(2024, 3, 28, 10)
    dev = make_esme(now=t0)
    good = tou_tariff()
    split(dev.handle(ecs01a(good, 700), t0))
    active = dev.meter.tariff.active
    stored = dev.read(20, CALENDAR, 5)
    bad_rate = Tariff(good.seasons, good.weeks, [[(0, 0, 49)]] * 4, [], {1: 1}, {}, -5, 0, -5)
    unknown_day = Tariff(good.seasons, [[0, 1, 2, 3, 4, 5, 6]], good.days, [], good.tou, {}, -5, 0, -5)
    counter = 701
    for bad in (bad_rate, unknown_day):
        for activation in (NOW_OCTETS, at_octets(t0 + DAY)):
            responses, _ = split(dev.handle(ecs01a(bad, counter, activation), t0 + counter))
            counter += 1
            assert results(responses[0]) == [250] * 21
            assert dev.meter.tariff.active is active and dev.pending == []
            assert dev.read(20, CALENDAR, 5) == stored
            assert dev.read(20, CALENDAR, 9)[1] == calendar_values(good)[2]  # passive as the good one sent


def test_never_cancels_a_held_tariff():
    t0 = to_seconds(2024, 6, 10, 8)
    dev = make_esme(now=t0)
    old = flat_tariff(2000, 0)
    split(dev.handle(ecs01a(old, 800), t0))
    split(dev.handle(ecs01a(block_tariff(), 801, at_octets(t0 + DAY)), t0 + 1))
    assert len(dev.pending) == 6
    responses, _ = split(dev.handle(ecs01a(block_tariff(), 802, b"\xff" * 9 + b"\x80\x00\xff"), t0 + 2))
    assert results(responses[0]) == [0] * 21 and dev.pending == []
    dev.consume(t0 + 2 * DAY, 1000)
    assert dev.meter.tariff.active.tou_prices == (2000,)
    assert dev.meter.account.balance == -2000


# ---- RTDS: the supplier's own commands, priced by hand ---------------------------------------


def rtds_device(cls, eui_hex, now):
    """A `cls` device with an RTDS EUI and the RTDS supplier and ACB as trust anchors; its MAC key
    agreement computed from their published private keys (as the replay does), its signing key our
    own."""
    require_rtds()
    ring = rtds_keyring()
    privates = {}
    t = tr.TrustAnchors()
    for role, eui in ((tr.ROLE_SUPPLIER, RTDS_SUPPLIER), (tr.ROLE_ACB, RTDS_ACB)):
        t.set(role, tr.USAGE_DS, eui, ring.public(eui, "ds"))
        t.set(role, tr.USAGE_KA, eui, ring.public(eui, "ka"))
        privates[bytes(ring.public(eui, "ka"))] = ring.private(eui, "ka")
    eui = unhex(eui_hex)
    me = party(b"replay")
    return cls(
        eui, P, me.ds, ReplayKeyAgreement(P, ring.public(eui, "ka"), privates), t, now, ds_public=me.ds_pub
    )


def rtds_esme(now):
    return rtds_device(Esme, "00DB1234567890A0", now)


def rtds_command(dev, folder, name, now):
    responses, alerts = split(dev.handle(read_frame(folder, name), now))
    assert dev.last_gate == "accepted" and responses
    assert all(r == 0 for r in results(responses[0]))
    return alerts


def cost_of(dev, t, wh, secondary=0):
    """Money the account is debited for energy at t alone (time first brought up to t)."""
    dev.tick(t)
    before = dev.meter.account.balance
    if secondary:
        dev.meter.consume(t, 0, secondary)
    else:
        dev.consume(t, wh)
    return before - dev.meter.account.balance


def test_rtds_ecs01a_tou_prices_half_hours_as_decoded():
    """RTDS 1.1.1 IMMEDIATE_TOU: winter from 27 Oct, summer from 29 Mar; winter weekdays day 1
    (00:00 rate 2, 07:00 rate 3), summer weekdays day 2 (06:00 rate 3, 23:00 rate 2), weekends
    day 3 (rate 1); 25 December every year is day 3. Prices 2121, 3127, 4744 x 10^-5 GBP/kWh,
    standing charge 20000 x 10^-5 GBP/day."""
    t0 = to_seconds(2015, 1, 1)  # a Thursday
    dev = rtds_esme(t0)
    rtds_command(dev, "1.1.1_ECS01a", "ECS01a_1.1.1_IMMEDIATE_TOU_SUCCESS_COMMAND_GBCS.HEX", t0 + 60)
    assert cost_of(dev, to_seconds(2015, 1, 1, 6), 1000) == 3127  # rate 2
    assert cost_of(dev, to_seconds(2015, 1, 1, 12), 500) == 2372  # rate 3: 500 x 4744 / 1000
    before = dev.meter.account.balance
    dev.tick(to_seconds(2015, 1, 3))
    assert before - dev.meter.account.balance == 2 * 20000  # standing charges of 2 and 3 January
    assert cost_of(dev, to_seconds(2015, 1, 3, 10), 2000) == 4242  # Saturday: rate 1
    # summer: Monday 30 March before 06:00 carries Sunday's (day 3) rate 1; Tuesday carries rate 2
    assert cost_of(dev, to_seconds(2015, 3, 30, 3), 1000) == 2121
    assert cost_of(dev, to_seconds(2015, 3, 31, 3), 1000) == 3127
    assert cost_of(dev, to_seconds(2015, 3, 31, 12), 1000) == 4744
    # 25 December 2015, a Friday in winter, is a special day: rate 1 at noon, not rate 3
    assert cost_of(dev, to_seconds(2015, 12, 25, 12), 1000) == 2121
    assert cost_of(dev, to_seconds(2015, 12, 28, 12), 1000) == 4744


def test_rtds_ecs01c_secondary_element_prices_as_decoded():
    """RTDS 1.1.2 IMMEDIATE: secondary prices 10100, 0, 12300, 13400; winter weekdays day 1
    (00:00 rate 1, 07:00 rate 4, 19:00 rate 3). Priced once a primary tariff is in force."""
    t0 = to_seconds(2015, 1, 1)
    dev = rtds_esme(t0)
    rtds_command(dev, "1.1.2_ECS01c", "ECS01c_1.1.2_IMMEDIATE_SUCCESS_COMMAND_GBCS.HEX", t0 + 30)
    assert dev.meter.tariff.active is None  # no primary tariff yet
    rtds_command(dev, "1.1.1_ECS01a", "ECS01a_1.1.1_IMMEDIATE_TOU_SUCCESS_COMMAND_GBCS.HEX", t0 + 60)
    assert cost_of(dev, to_seconds(2015, 1, 1, 3), 0, 1000) == 10100
    assert cost_of(dev, to_seconds(2015, 1, 1, 8), 0, 1000) == 13400
    assert cost_of(dev, to_seconds(2015, 1, 1, 20), 0, 500) == 6150  # rate 3: 500 x 12300 / 1000
    assert tuple(dev.meter.tariff.secondary) == (1000, 0, 500, 1000)


def test_rtds_ecs01a_future_dated_hybrid_tariff_prices_as_decoded():
    """RTDS 1.1.1 FUTURE_DATED_TOU_BLOCK, activated 15 January 2030 09:00: winter weekdays day 1
    (00:00 block set 2, 07:00 block set 1), weekends day 3 (TOU rate 1 = 2121); set 1 thresholds
    10000 / 4294967295 at 2289, 3546; set 2 40000 / 4294967295 at 4002, 6969."""
    t0 = to_seconds(2030, 1, 14)  # the device meets the command the day before its activation
    act = to_seconds(2030, 1, 15, 9)
    dev = rtds_esme(t0)
    rtds_command(dev, "1.1.1_ECS01a", "ECS01a_1.1.1_FUTURE_DATED_TOU_BLOCK_SUCCESS_COMMAND_GBCS.HEX", t0)
    assert len(dev.pending) == 6 and dev.meter.tariff.active is None
    _resp, alerts = split(dev.tick(act))
    assert alert_codes(alerts)[:6] == [FUTURE_DATED_OK] * 6
    assert cost_of(dev, to_seconds(2030, 1, 15, 12), 12000) == 29982  # 10000 x 2289 + 2000 x 3546
    assert cost_of(dev, to_seconds(2030, 1, 16, 3), 5000) == 20010  # set 2: 5000 x 4002
    before = dev.meter.account.balance
    dev.tick(to_seconds(2030, 1, 19))
    assert before - dev.meter.account.balance == 3 * 20000  # 17, 18 and 19 January
    assert cost_of(dev, to_seconds(2030, 1, 19, 10), 1000) == 2121  # Saturday: TOU rate 1
    assert dev.meter.tariff.tou[0] == 1000 and tuple(dev.meter.tariff.blocks[0:2]) == (10000, 2000)


# ---- the behaviour's hybrid tariff itself ----------------------------------------------------


def test_hybrid_tariff_prices_tou_and_block_switches_and_checks_what_it_names():
    from smets.behaviour.calendar import Calendar
    from smets.behaviour.errors import BehaviourError
    from smets.behaviour.meter import EsmeBehaviour, GsmeBehaviour
    from smets.behaviour.tariff import HYBRID, TariffConfig
    from smets.behaviour.timeutil import NOW

    t0 = to_seconds(2024, 1, 1)
    cal = Calendar(((1, 1, 0),), ((0,) * 7,), (((0, 2), (8 * HOUR, 101), (20 * HOUR, 1)),))
    cfg = TariffConfig(HYBRID, cal, (700, 900), ((100,),), ((1000, 3000),), price_scale=-5)
    m = EsmeBehaviour(t0)
    m.set_tariff(cfg, NOW, t0)
    assert m.tariff.price_at(t0 + HOUR) == 900 and m.tariff.price_at(t0 + 9 * HOUR) == 1000
    m.consume(t0 + HOUR, 1000)  # TOU rate 2: 1000 x 900 / 1000
    m.consume(t0 + 9 * HOUR, 150)  # block set 1: 100 x 1000 + 50 x 3000
    assert m.tariff.price_at(t0 + 9 * HOUR) == 3000
    m.consume(t0 + 21 * HOUR, 1000)  # TOU rate 1
    assert m.account.balance == -(900 + 250 + 700)
    assert tuple(m.tariff.tou[:2]) == (1000, 1000) and tuple(m.tariff.blocks[:2]) == (100, 50)
    bad = (
        TariffConfig(HYBRID, Calendar.flat(102), (700,), ((100,),), ((1, 2),)),  # set 2 not defined
        TariffConfig(HYBRID, Calendar.flat(3), (700,), ((100,),), ((1, 2),)),  # rate 3 not defined
    )
    for c in bad:
        try:
            m.set_tariff(c, NOW, t0 + DAY)
            raise AssertionError("accepted")
        except BehaviourError:
            pass
    try:
        GsmeBehaviour(t0).set_tariff(cfg, NOW, t0)
        raise AssertionError("a GSME took a hybrid tariff")
    except BehaviourError:
        pass


# ---- the non-disablement calendar ECS08 sets -------------------------------------------------

ND_FOLDER = "2.1_ECS08"


def test_rtds_ecs08_non_disablement_calendar_as_decoded():
    """RTDS 2.1 ECS08 IMMEDIATE: 27 Oct 2014 - 28 Mar 2015, Saturday and Sunday from 00:00 to 09:30
    and from 22:00, Monday to Friday from 00:00 to 07:30 and from 20:00; the same every year 29 Apr
    - 25 Jul; special days (29 Jul, 25 Aug, 6 Sep, 5 Oct, 15 Aug every year): the first, second
    and fifth from 00:00 to 19:00 (26 Jul - 31 Aug), the third and fourth 01:15 - 18:45 (1 Sep -
    26 Oct)."""
    from smets.behaviour import supply as sp
    from smets.behaviour.account import PREPAYMENT

    t0 = to_seconds(2015, 1, 3, 4)  # a Saturday
    dev = rtds_esme(t0)
    rtds_command(dev, ND_FOLDER, "ECS08_2.1_IMMEDIATE_SUCCESS_COMMAND_GBCS.HEX", t0)
    m = dev.meter
    hand = (
        ((2015, 1, 3, 5, 0), True),
        ((2015, 1, 3, 10, 0), False),
        ((2015, 1, 3, 23, 0), True),
        ((2015, 1, 5, 5, 0), True),  # Monday
        ((2015, 1, 5, 8, 0), False),
        ((2015, 1, 5, 21, 0), True),
        ((2015, 4, 10, 5, 0), False),  # between the windows
        ((2015, 5, 4, 5, 0), True),  # Monday, 29 Apr - 25 Jul
        ((2015, 5, 4, 12, 0), False),
        ((2015, 7, 28, 10, 0), False),  # Tuesday, no weekday entries in 26 Jul - 31 Aug
        ((2015, 7, 29, 10, 0), True),  # special day 1
        ((2015, 7, 29, 20, 0), False),
        ((2015, 8, 15, 12, 0), True),  # special day 5
        ((2015, 9, 6, 1, 0), False),  # special day 3, before 01:15
        ((2015, 9, 6, 2, 0), True),
        ((2015, 9, 6, 19, 0), False),
        ((2016, 5, 2, 5, 0), True),  # every year
    )
    for (y, mo, d, hh, mm), active in hand:
        assert m.nd.is_active(to_seconds(y, mo, d, hh, mm)) == active, (y, mo, d, hh, mm)
    # prepayment below the disablement threshold: suspended inside the calendar, disabled after it
    m.set_payment_mode(PREPAYMENT, False, False, 0, t0 + 60, t0 + 60)
    out = m.adjust_balance(-1000, t0 + 60)[1]
    assert (0x8F83, t0 + 60) in out and m.supply.state == sp.ENABLED
    dev.tick(to_seconds(2015, 1, 3, 9, 30))
    assert m.supply.state == sp.DISABLED


def test_rtds_ecs08_future_dated_non_disablement_calendar_activates_at_its_time():
    """RTDS 2.1 ECS08 FUTURE_DATED: the same calendar from 15 January 2030 09:00; in 2030 only the
    every-year entries and special days apply."""
    t0 = to_seconds(2030, 1, 14)
    act = to_seconds(2030, 1, 15, 9)
    dev = rtds_esme(t0)
    rtds_command(dev, ND_FOLDER, "ECS08_2.1_FUTURE_DATED_SUCCESS_COMMAND_GBCS.HEX", t0)
    assert dev.meter.nd is None and len(dev.pending) == 9
    dev.tick(act - 1)
    assert dev.meter.nd is None
    _resp, alerts = split(dev.tick(act))
    assert alert_codes(alerts) == [FUTURE_DATED_OK] * 9 and dev.meter.nd is not None
    nd = dev.meter.nd
    assert not nd.is_active(to_seconds(2030, 1, 19, 5))  # a Saturday outside the 2030 windows
    assert nd.is_active(to_seconds(2030, 5, 6, 5)) and not nd.is_active(to_seconds(2030, 5, 6, 8))
    assert nd.is_active(to_seconds(2030, 7, 29, 10)) and not nd.is_active(to_seconds(2030, 7, 30, 10))


def test_yearly_non_disablement_window_across_new_year():
    from smets.behaviour.errors import BehaviourError
    from smets.behaviour.nondisablement import EsmeSchedule, yearly

    every_day = 0x7F
    s = EsmeSchedule(
        (
            (True, True, 8 * HOUR, every_day, 0, yearly(11, 1), yearly(2, 28)),
            (True, False, 18 * HOUR, every_day, 0, yearly(11, 1), yearly(2, 28)),
        )
    )
    assert s.is_active(to_seconds(2024, 12, 31, 12)) and s.is_active(to_seconds(2025, 1, 1, 12))
    assert s.is_active(to_seconds(2025, 11, 1, 12)) and not s.is_active(to_seconds(2025, 10, 31, 12))
    assert not s.is_active(to_seconds(2025, 3, 1, 12)) and not s.is_active(to_seconds(2025, 1, 1, 19))
    try:
        EsmeSchedule(((True, True, 0, every_day, 0, yearly(1, 1), 9000),))
        raise AssertionError("mixed bounds accepted")
    except BehaviourError:
        pass


# ---- the secondary element: ECS01c and ECS01d from our own head end --------------------------

SECONDARY_CALENDAR = bytes((0, 0, 13, 0, 1, 255))
SECONDARY_SPECIAL_DAYS_PASSIVE = bytes((0, 1, 11, 0, 1, 255))
SECONDARY_SPECIAL_DAYS_ACTIVATION = bytes((0, 0, 94, 44, 128, 30))
SECONDARY_PRICES = bytes((0, 0, 19, 20, 5, 255))


def secondary_prices(prices, scale):
    table = [(ax.T_STRUCTURE, [_octets(bytes((r,))), (ax.T_LONG, prices[r - 1])]) for r in range(1, 5)]
    return (
        ax.T_STRUCTURE,
        [
            (ax.T_STRUCTURE, [(ax.T_INTEGER, 3), (ax.T_INTEGER, scale)]),
            (
                ax.T_STRUCTURE,
                [(ax.T_LONG_UNSIGNED, 3), _octets(bytes((1, 20, 1, 8, 0, 255))), (ax.T_INTEGER, 2)],
            ),
            (ax.T_ARRAY, table),
        ],
    )


def ecs01c(t, prices, scale, counter):
    """SRV 1.1.2 as RTDS orders it; ``t`` a Tariff whose day profiles name selectors 201..204."""
    seasons, weeks, days, special = calendar_values(t)
    specs = [
        dlms.Spec(dlms.SET, 113, SECONDARY_PRICES, 6),
        dlms.Spec(dlms.SET, 20, SECONDARY_CALENDAR, 7),
        dlms.Spec(dlms.SET, 20, SECONDARY_CALENDAR, 8),
        dlms.Spec(dlms.SET, 20, SECONDARY_CALENDAR, 9),
        dlms.Spec(dlms.SET, 11, SECONDARY_SPECIAL_DAYS_PASSIVE, 2),
        dlms.Spec(dlms.SET, 20, SECONDARY_CALENDAR, 10),
        dlms.Spec(dlms.SET, 113, SECONDARY_PRICES, 7),
        dlms.Spec(dlms.SET, 9000, SECONDARY_SPECIAL_DAYS_ACTIVATION, 6),
    ]
    data = [secondary_prices(prices, scale), seasons, weeks, days, special] + [_octets(NOW_OCTETS)] * 3
    payload = dlms.build_payload(dlms.AccessRequest(dlms.BREAK_ON_ERROR | counter, specs, data))
    return command(mc.code_for("ECS01c"), payload, counter)


def ecs01d(prices, scale, counter):
    """SRV 1.2.2: the secondary TOU price matrix and its activation time."""
    specs = [dlms.Spec(dlms.SET, 113, SECONDARY_PRICES, 6), dlms.Spec(dlms.SET, 113, SECONDARY_PRICES, 7)]
    data = [secondary_prices(prices, scale), _octets(NOW_OCTETS)]
    payload = dlms.build_payload(dlms.AccessRequest(dlms.BREAK_ON_ERROR | counter, specs, data))
    return command(mc.code_for("ECS01d"), payload, counter)


def test_secondary_element_ecs01c_and_prices_only_ecs01d_at_their_own_price_scale():
    t0 = to_seconds(2024, 6, 10, 0, 10)  # a Monday
    dev = make_esme(now=t0)
    split(dev.handle(ecs01a(flat_tariff(1000, 0), 900), t0))
    sec = Tariff(
        [(1, 1, 0, None)],
        [[0] * 5 + [1] * 2],
        [[(0, 0, 201), (12, 0, 203)], [(0, 0, 204)]],
        [(None, 6, 11, 1)],
        {},
        {},
        -6,
        0,
        -6,
    )
    responses, _ = split(dev.handle(ecs01c(sec, (12347, 0, 5001, 7), -6, 901), t0 + 60))
    assert results(responses[0]) == [0] * 8
    # secondary prices at 10^-6 GBP/kWh: money units (10^-5) are Wh x price / 10^4, remainder carried
    sec_num = 0
    prim_num = 0
    for hh, wh, sec_wh, price in ((6, 100, 1000, 12347), (13, 100, 3, 5001), (14, 50, 3, 5001)):
        t = to_seconds(2024, 6, 10, hh)
        dev.tick(t)
        dev.meter.consume(t, wh, sec_wh)
        prim_num += wh * 1000 * 10  # the primary's 10^-5 prices, now counted at 10^-6
        sec_num += sec_wh * price
    assert -dev.meter.account.balance == prim_num // 10**4 + sec_num // 10**4
    t1 = to_seconds(2024, 6, 11, 6)  # 11 June, every year, is a special day: rate 4
    responses, _ = split(dev.handle(ecs01d((20000, 0, 0, 30001), -6, 902), t1 - 60))
    assert results(responses[0]) == [0, 0]
    before = dev.meter.account.balance
    dev.tick(t1)
    dev.meter.consume(t1, 0, 1000)
    assert before - dev.meter.account.balance == 30001 * 1000 // 10**4
    assert tuple(dev.meter.tariff.secondary) == (1000, 0, 6, 1000)
