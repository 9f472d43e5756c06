"""The GSME prices gas with the tariff a supplier sets over GBCS (GCS01a / GCS01b), and the friendly
credit calendar (GCS05) suspends disablement in its windows.

The head end below builds GCS01a / GCS01b commands from the plain tariff description of
test_esme_tariff (``Tariff``: seasons, week and day profiles, special days, prices), as ZSE Publish
commands with the layouts RTDS 4.5.0 shows (Calendar and Price clusters, server to client, frame
control 0x09); its units are written out here, not taken from the code under test: a price at
``10**-trailing digit`` GBP per kWh, thresholds as ``value * multiplier / divisor`` kWh, day profile
switch times in minutes. The GSME answers, then consumption is fed across switch times, block
thresholds, a season change and special days, and the charges are compared with the independent
reference calendar and ledger of test_esme_tariff (a GSME in credit mode adds them to its bill to
date).

The RTDS tests apply RTDS 4.5.0's own GCS01a / GCS05 commands (RTDS keys, as in test_esme_tariff)
and check half-hours and friendly credit windows worked out by hand from the decodes
(../shared/rtds/decoded/1.1.1_GCS01a.txt, 2.1_GCS05.txt).
"""

from test_device_core import NOW, P, split
from test_device_gsme import default_status, gbz_command, make_gsme, response_components
from test_esme_tariff import Ledger, Tariff, drive, flat_tariff, rtds_device, tou_tariff

from smets import persist
from smets.behaviour import supply as sp
from smets.behaviour.account import PREPAYMENT
from smets.behaviour.timeutil import DAY, HOUR, to_seconds
from smets.build import build_premises
from smets.devices.gsme import Gsme
from smets.wire import gbz
from smets.wire import message_codes as mc
from support import read_frame

PRICE = 0x0700
CALENDAR = 0x0707
S2C = 0x09  # server to client, cluster specific: how RTDS sends every Publish command
DELIVERED = 0x00
FRIENDLY_CREDIT = 0x03
CALENDAR_ID = 4242
NEVER = 0xFFFFFFFF
FUTURE_DATED_OK = 0x8F66
BILLING_DATA_LOG_UPDATED = 0x8F0A
DISABLEMENT_SUSPENDED = 0x8F83
BELOW_DISABLEMENT = 0x8F0F
GBP = 826


# ---- the head end ------------------------------------------------------------------------------


def publish(cluster, command_id, name, fields):
    c = gbz.Component(cluster, command_id, b"", S2C)
    c.set_command(gbz.ZclCommand(name, fields))
    return c


def zcl_date(year, month, day):
    """ZCL Date: year - 1900 (0xFF every year), month, day, day of week (0xFF any)."""
    return bytes((0xFF if year is None else year - 1900, month, day, 0xFF))


def calendar_components(t, start, kind=DELIVERED, value=None):
    """Publish Calendar, Day Profiles (IDs from 1), Week Profiles, Seasons and Special Days of a
    Tariff's calendar; ``value(selector)`` is what a day profile entry carries."""
    head = [["provider_id", 0], ["issuer_event_id", 1], ["issuer_calendar_id", CALENDAR_ID]]
    out = [
        publish(
            CALENDAR,
            0x00,
            "Publish Calendar",
            head
            + [
                ["start_time", start],
                ["calendar_type", kind],
                ["calendar_time_reference", 0],
                ["calendar_name", b""],
                ["number_of_seasons", len(t.seasons)],
                ["number_of_week_profiles", len(t.weeks)],
                ["number_of_day_profiles", len(t.days)],
            ],
        )
    ]
    for i in range(len(t.days)):
        entries = [
            [["start_time", hh * 60 + mm], ["value", value(sel) if value else sel]]
            for hh, mm, sel in t.days[i]
        ]
        out.append(
            publish(
                CALENDAR,
                0x01,
                "Publish Day Profile",
                head
                + [
                    ["day_id", i + 1],
                    ["total_schedule_entries", len(entries)],
                    ["command_index", 0],
                    ["total_commands", 1],
                    ["calendar_type", kind],
                    ["entries", entries],
                ],
            )
        )
    for i in range(len(t.weeks)):
        refs = bytes(d + 1 for d in t.weeks[i])
        out.append(
            publish(
                CALENDAR, 0x02, "Publish Week Profile", head + [["week_id", i + 1], ["day_id_refs", refs]]
            )
        )
    seasons = [[["start_date", zcl_date(y, m, d)], ["week_id_ref", w + 1]] for m, d, w, y in t.seasons]
    out.append(
        publish(
            CALENDAR,
            0x03,
            "Publish Seasons",
            head + [["command_index", 0], ["total_commands", 1], ["seasons", seasons]],
        )
    )
    special = [[["date", zcl_date(y, m, d)], ["day_id_ref", di + 1]] for y, m, d, di in t.special]
    out.append(
        publish(
            CALENDAR,
            0x04,
            "Publish Special Days",
            head
            + [
                ["start_time", start],
                ["calendar_type", kind],
                ["total_special_days", len(special)],
                ["command_index", 0],
                ["total_commands", 1],
                ["special_days", special],
            ],
        )
    )
    return out


def price_components(t, start, multiplier=1, divisor=1000):
    """Publish Tariff Information, [Block Thresholds,] Price Matrix of a Tariff (TOU, or block set
    1 only); its price scale is the negated trailing digit, its standing charge at the same scale."""
    assert t.price_scale == t.standing_scale
    block = 1 in t.blocks
    head = [["provider_id", 0], ["issuer_event_id", 1]]
    thresholds, block_prices = t.blocks[1] if block else ((), ())
    info = publish(
        PRICE,
        0x04,
        "Publish Tariff Information",
        head
        + [
            ["issuer_tariff_id", 1],
            ["start_time", start],
            ["tariff_type_charging_scheme", 0x10 if block else 0x00],
            ["tariff_label", b""],
            ["number_of_price_tiers_in_use", 0 if block else len(t.tou)],
            ["number_of_block_thresholds_in_use", len(thresholds)],
            ["unit_of_measure", 0],
            ["currency", GBP],
            ["price_trailing_digit", (-t.price_scale) << 4],
            ["standing_charge", t.standing],
            ["tier_block_mode", 0xFF],
            ["block_threshold_multiplier", multiplier],
            ["block_threshold_divisor", divisor],
        ],
    )
    tail = [["start_time", start], ["issuer_tariff_id", 1], ["command_index", 0], ["total_commands", 1]]
    out = [info]
    if block:
        raw = []
        for wh in thresholds:  # Wh -> value: wh / 1000 kWh = value * multiplier / divisor
            assert (wh * divisor) % (1000 * multiplier) == 0
            raw.append(wh * divisor // (1000 * multiplier))
        tiers = [[["tier_and_number_of_thresholds", len(raw)], ["thresholds", raw]]]
        out.append(
            publish(
                PRICE,
                0x06,
                "Publish Block Thresholds",
                head + tail + [["sub_payload_control", 1], ["tiers", tiers]],
            )
        )
        prices = [[["tier_block_id", b], ["price", block_prices[b]]] for b in range(len(block_prices))]
        control = 0
    else:
        prices = [[["tier_block_id", r], ["price", t.tou[r]]] for r in sorted(t.tou)]
        control = 1
    out.append(
        publish(
            PRICE,
            0x05,
            "Publish Price Matrix",
            head + tail + [["sub_payload_control", control], ["prices", prices]],
        )
    )
    return out


def gcs01a(t, counter, start=0, multiplier=1, divisor=1000):
    """SRV 1.1.1 as RTDS orders it. A block tariff's day profiles carry tier 0, as RTDS's do."""
    value = (lambda sel: 0) if 1 in t.blocks else None
    comps = calendar_components(t, start, DELIVERED, value) + price_components(t, start, multiplier, divisor)
    return gbz_command("GCS01a", comps, counter)


def gcs01b(t, counter, start=0):
    return gbz_command("GCS01b", price_components(t, start), counter)


def statuses(frames):
    _r, comps, alerts = response_components(frames)
    return [default_status(c) for c in comps], alerts


def gbz_alerts(alerts):
    return [gbz.parse_payload(a.payload) for a in alerts]


def debited(dev):
    """What the GSME has charged: in credit mode its bill to date (ZSE BillToDateDelivered)."""
    return dev.meter.account.bill_to_date


def gas_tou_tariff():
    """test_esme_tariff's TOU tariff with one switch per day profile (the GSME's limit): winter
    weekdays tier 1, weekends tier 2 from 06:00 (before it the previous day's tier holds), summer
    weekdays tier 3, special days tier 4."""
    t = tou_tariff()
    return Tariff(
        t.seasons,
        t.weeks,
        [[(0, 0, 1)], [(6, 0, 2)], [(0, 0, 3)], [(0, 0, 4)]],
        t.special,
        t.tou,
        {},
        -5,
        t.standing,
        -5,
    )


def gas_block_tariff():
    return Tariff(
        seasons=[(1, 1, 0, None)],
        weeks=[[0] * 7],
        days=[[(0, 0, 101)]],  # the reference's block set 1, all day
        special=[],
        tou={},
        blocks={1: ((2000, 5000), (1000, 1500, 2500))},
        price_scale=-4,
        standing=3000,
        standing_scale=-4,
    )


# ---- immediate TOU: day switches, a season change, special days ---------------------------------


def test_immediate_tou_tariff_prices_switches_season_change_and_special_days():
    t0 = to_seconds(2024, 3, 28, 10)  # a Thursday in winter; summer starts on Monday 1 April
    dev = make_gsme()
    dev.tick(t0)
    tar = gas_tou_tariff()
    st, alerts = statuses(dev.handle(gcs01a(tar, 400), t0))
    assert st == [0] * 11
    # a change of tariff is a billing event (0x8F0A); nothing is held
    assert [g.alert_code for g in gbz_alerts(alerts)] == [BILLING_DATA_LOG_UPDATED] and dev.pending == []
    ref = Ledger()
    ref.activate(tar)
    end = to_seconds(2024, 4, 3, 12)
    drive(dev, ref, (2024, 3, 28), t0 + 1800, end, lambda k: 50 + (k * 73) % 450)
    assert debited(dev) == ref.total()
    for tier in (1, 2, 3, 4):
        assert dev.meter.tariff.tou[tier - 1] == ref.energy.get(("tou", tier), 0)
    assert all(ref.energy.get(("tou", r), 0) > 0 for r in (1, 2, 3, 4))
    # Saturday 30 March before 06:00 carries Friday's tier 1; from 06:00 the weekend's tier 2
    assert dev.meter.tariff.price_at(to_seconds(2024, 3, 30, 5)) == 1234
    assert dev.meter.tariff.price_at(to_seconds(2024, 3, 30, 7)) == 2345


# ---- future-dated block tariff: held until its start time, thresholds ---------------------------


def test_future_dated_block_tariff_is_held_until_its_start_time_and_prices_each_block():
    t0 = to_seconds(2024, 6, 10, 8)  # a Monday
    act = to_seconds(2024, 6, 12)  # Wednesday midnight: the new standing charge is that day's
    dev = make_gsme()
    dev.tick(t0)
    old = flat_tariff(2000, 10000)
    new = gas_block_tariff()
    statuses(dev.handle(gcs01a(old, 500), t0))
    old_items = [list(i) for i in dev.calendars]
    # thresholds sent in 0.1 kWh (multiplier 1, divisor 10): 2000 Wh is 20
    st, _ = statuses(dev.handle(gcs01a(new, 501, act, 1, 10), t0 + 60))
    assert st == [0] * 8
    assert len(dev.pending) == 5 and dev.meter.tariff.active.kind == 0  # still the TOU tariff
    assert dev.calendars == old_items  # the new calendar is not kept before its start time
    ref = Ledger()
    ref.activate(old)

    def activate(t):
        ref.activate(new)

    out = drive(
        dev,
        ref,
        (2024, 6, 10),
        t0 + 1800,
        to_seconds(2024, 6, 14, 12),
        lambda k: 200 + (k * 91) % 300,
        {act: activate},
    )
    at_act = gbz_alerts([a for t, alerts in out if t == act for a in alerts])
    assert [g.alert_code for g in at_act[:5]] == [FUTURE_DATED_OK] * 5
    assert BILLING_DATA_LOG_UPDATED in [g.alert_code for g in at_act[5:]]
    bodies = [
        (g.alert_body.message_code, g.alert_body.cluster_id, g.alert_body.command_id) for g in at_act[:5]
    ]
    code = mc.code_for("GCS01a")
    assert bodies == [
        (code, CALENDAR, 0x00),
        (code, CALENDAR, 0x04),
        (code, PRICE, 0x04),
        (code, PRICE, 0x06),
        (code, PRICE, 0x05),
    ]
    assert sum(len(alerts) for t, alerts in out if t < act) == 0
    assert debited(dev) == ref.total()
    for b in range(3):
        assert dev.meter.tariff.blocks[b] == ref.energy.get(("block", 1, b), 0), b
    assert ref.energy.get(("block", 1, 2), 0) > 0
    # the old calendar's second week and day profiles went with it; the new one reads back as sent
    kept = sorted((i[2], i[3]) for i in dev.calendars)
    assert kept == [(0x00, 0), (0x01, 1), (0x02, 1), (0x03, 0), (0x04, 0)]


# ---- prices only, refusals, cancellation ---------------------------------------------------------


def test_prices_only_gcs01b_keeps_the_calendar_at_once_and_at_its_start_time():
    t0 = to_seconds(2024, 3, 28, 10)
    dev = make_gsme()
    dev.tick(t0)
    tar = gas_tou_tariff()
    statuses(dev.handle(gcs01a(tar, 600), t0))
    cheaper = Tariff(
        tar.seasons, tar.weeks, tar.days, tar.special, {1: 1000, 2: 2000, 3: 3000, 4: 4000}, {}, -5, 9999, -5
    )
    dearer = Tariff(
        tar.seasons, tar.weeks, tar.days, tar.special, {1: 1500, 2: 2500, 3: 3500, 4: 4500}, {}, -4, 999, -4
    )
    t1 = to_seconds(2024, 3, 29, 12, 10)
    t2 = to_seconds(2024, 4, 1, 9)
    ref = Ledger()
    ref.activate(tar)
    drive(dev, ref, (2024, 3, 28), t0 + 1800, t1 - 600, lambda k: 100 + k % 7)
    st, _ = statuses(dev.handle(gcs01b(cheaper, 601), t1))
    assert st == [0, 0] and dev.meter.tariff.active.tou_prices == (1000, 2000, 3000, 4000)
    ref.activate(cheaper)
    st, _ = statuses(dev.handle(gcs01b(dearer, 602, t2), t1 + 60))
    assert st == [0, 0] and len(dev.pending) == 2

    def activate(t):
        ref.activate(dearer)

    drive(
        dev,
        ref,
        (2024, 3, 29),
        t1 + 1200,
        to_seconds(2024, 4, 2, 12),
        lambda k: 100 + (k * 29) % 300,
        {t2: activate},
    )
    assert debited(dev) == ref.total()
    assert dev.meter.tariff.active.price_scale == -4


def _calendar_state(dev):
    return [list(i) for i in dev.calendars], [list(i) for i in dev.tariff_items]


def test_a_tariff_that_cannot_be_is_refused_whole_and_changes_nothing():
    t0 = to_seconds(2024, 3, 28, 10)
    dev = make_gsme()
    dev.tick(t0)
    good = gas_tou_tariff()
    statuses(dev.handle(gcs01a(good, 700), t0))
    active = dev.meter.tariff.active
    before = _calendar_state(dev)
    five_tiers = Tariff(good.seasons, good.weeks, [[(0, 0, 5)]] * 4, [], good.tou, {}, -5, 0, -5)
    unknown_day = Tariff(
        good.seasons, [[0, 1, 2, 3, 4, 5, 6], [0] * 7], good.days, [], good.tou, {}, -5, 0, -5
    )
    two_switches = Tariff(good.seasons, good.weeks, [[(0, 0, 1), (7, 0, 2)]] * 4, [], good.tou, {}, -5, 0, -5)
    counter = 701
    for bad in (five_tiers, unknown_day, two_switches):
        for start in (0, t0 + DAY):
            frames = dev.handle(gcs01a(bad, counter, start), t0 + counter)
            _r, comps, _alerts = response_components(frames)
            counter += 1
            # the first tariff component fails; the rest are not run (command 0xFF, FAILURE)
            assert [default_status(c) for c in comps] == [1] * len(comps)
            assert [c.command().get("command_id") for c in comps[1:]] == [0xFF] * (len(comps) - 1)
            assert dev.meter.tariff.active is active and dev.pending == []
            assert _calendar_state(dev) == before


def test_never_cancels_a_held_tariff():
    t0 = to_seconds(2024, 6, 10, 8)
    dev = make_gsme()
    dev.tick(t0)
    statuses(dev.handle(gcs01a(flat_tariff(2000, 0), 800), t0))
    statuses(dev.handle(gcs01a(gas_block_tariff(), 801, t0 + DAY), t0 + 1))
    assert len(dev.pending) == 5
    st, _ = statuses(dev.handle(gcs01a(gas_block_tariff(), 802, NEVER), t0 + 2))
    assert st == [0] * 8 and dev.pending == []
    dev.consume(t0 + 2 * DAY, 1000)
    assert dev.meter.tariff.active.tou_prices == (2000,)
    assert debited(dev) == 2000


# ---- RTDS: the supplier's own commands, priced by hand ------------------------------------------

GCS01A = "1.1.1_GCS01a"
GCS05 = "2.1_GCS05"


def rtds_gsme(now):
    return rtds_device(Gsme, "00DB1234567890A1", now)


def rtds_command(dev, folder, name, now):
    frames = dev.handle(read_frame(folder, name), now)
    assert dev.last_gate == "accepted" and dev.last_error is None
    st, alerts = statuses(frames)
    assert st == [0] * len(st)
    return alerts


def cost_of(dev, t, wh):
    """Money charged for energy at t alone (time first brought up to t)."""
    dev.tick(t)
    before = debited(dev)
    dev.consume(t, wh)
    return debited(dev) - before


def test_rtds_gcs01a_tou_prices_half_hours_as_decoded():
    """RTDS 1.1.1 IMMEDIATE_TOU: seasons from 20 March (week 1) and 21 June (week 2); week 1 Monday
    to Friday day 1 (tier 1), weekends day 2 (tier 2); week 2 weekdays day 3 (tier 3), weekends day 4
    (tier 4); special days of 2015 (1 Jan, 2 Jan, 1 Mar, 17 Mar, ...) day 2. Prices 9600, 10200,
    10750, 11000 with trailing digit 5 (x 10^-5 GBP/kWh), standing charge 22465 x 10^-5 GBP/day."""
    t0 = to_seconds(2015, 1, 1)  # a Thursday, and a special day
    dev = rtds_gsme(t0)
    rtds_command(dev, GCS01A, "GCS01a_1.1.1_IMMEDIATE_TOU_SUCCESS_COMMAND_GBCS.HEX", t0)
    assert cost_of(dev, to_seconds(2015, 1, 1, 12), 1000) == 10200  # special day: tier 2
    # 2 January is special too; 5 January, a Monday before 20 March: the last season (week 2)
    assert cost_of(dev, to_seconds(2015, 1, 5, 12), 500) == 5375  # tier 3: 500 x 10750 / 1000
    before = debited(dev)
    dev.tick(to_seconds(2015, 1, 7))
    assert debited(dev) - before == 2 * 22465  # standing charges of 6 and 7 January
    assert cost_of(dev, to_seconds(2015, 1, 10, 3), 2000) == 22000  # Saturday: tier 4
    assert cost_of(dev, to_seconds(2015, 3, 17, 9), 1000) == 10200  # a special day
    assert cost_of(dev, to_seconds(2015, 3, 18, 9), 1000) == 10750  # Wednesday, still week 2
    assert cost_of(dev, to_seconds(2015, 3, 21, 9), 1000) == 10200  # Saturday, week 1: tier 2
    assert cost_of(dev, to_seconds(2015, 3, 23, 9), 1000) == 9600  # Monday, week 1: tier 1
    assert cost_of(dev, to_seconds(2015, 6, 22, 9), 1000) == 10750  # Monday, week 2 again
    assert cost_of(dev, to_seconds(2016, 1, 1, 9), 1000) == 10750  # 1 January 2016 is not special
    # the Price attributes GCS21f reads give the tariff back (RTDS GCS21f's IDs and types)
    assert [dev.read(PRICE, a) for a in (0x0410, 0x0420, 0x0430, 0x0440)] == [
        (0x23, 9600),
        (0x23, 10200),
        (0x23, 10750),
        (0x23, 11000),
    ]
    assert dev.read(PRICE, 0x0301) == (0x23, 22465) and dev.read(PRICE, 0x0617) == (0x18, 0x50)
    assert dev.read(PRICE, 0x0616) == (0x21, GBP) and dev.read(PRICE, 0x0400) is None


def test_rtds_gcs01a_future_dated_block_tariff_prices_as_decoded():
    """RTDS 1.1.1 FUTURE_DATED_BLOCK from 15 January 2030 09:00: thresholds 1000000 x 1 / 1000 kWh
    (1000, 2000, 3000 kWh), block prices 9600, 10200, 10750, 11000 (x 10^-5 GBP/kWh), standing
    charge 54794 x 10^-5 GBP/day."""
    t0 = to_seconds(2030, 1, 14)
    act = to_seconds(2030, 1, 15, 9)
    dev = rtds_gsme(t0)
    rtds_command(dev, GCS01A, "GCS01a_1.1.1_FUTURE_DATED_BLOCK_SUCCESS_COMMAND_GBCS.HEX", t0)
    assert len(dev.pending) == 5 and dev.meter.tariff.active is None and dev.calendars == []
    _resp, alerts = split(dev.tick(act))
    assert [g.alert_code for g in gbz_alerts(alerts)][:5] == [FUTURE_DATED_OK] * 5
    assert cost_of(dev, to_seconds(2030, 1, 15, 12), 1000500) == 9600000 + 5100  # 1000 kWh, then 0.5
    # then 999.5 kWh to the second threshold, 1000 kWh in the third block, 0.5 kWh in the fourth
    assert (
        cost_of(dev, to_seconds(2030, 1, 15, 13), 2000000)
        == (999500 * 10200 + 1000000 * 10750 + 500 * 11000) // 1000
    )
    before = debited(dev)
    dev.tick(to_seconds(2030, 1, 17))
    assert debited(dev) - before == 2 * 54794
    thresholds = [dev.read(PRICE, a) for a in (0x0100, 0x0101, 0x0102)]
    assert thresholds == [(0x25, 1000000), (0x25, 2000000), (0x25, 3000000)]
    assert [dev.read(PRICE, a)[1] for a in (0x0400, 0x0401, 0x0402, 0x0403)] == [9600, 10200, 10750, 11000]
    assert dev.read(PRICE, 0x0203) == (0x22, 1000) and dev.read(PRICE, 0x0410) is None


def test_rtds_gcs05_friendly_credit_calendar_as_decoded():
    """RTDS 2.1 GCS05 IMMEDIATE: seasons from 27 October (week 1) and 29 March (week 2); week 1
    Monday to Friday day 1 (on 00:00, off 08:00, on 18:00), weekends day 3 (on all day); week 2
    weekdays day 2 (on, off 07:00, on 17:00), weekends day 3; special days 5 April 2015 (day 1),
    31 August 2015 (day 2), 1 January (day 3) and 25 December (day 1) every year."""
    t0 = to_seconds(2015, 1, 3, 4)  # a Saturday
    dev = rtds_gsme(t0)
    rtds_command(dev, GCS05, "GCS05_2.1_IMMEDIATE_SUCCESS_COMMAND_GBCS.HEX", t0)
    m = dev.meter
    hand = (
        ((2015, 1, 3, 12, 0), True),  # Saturday, week 1: day 3
        ((2015, 1, 5, 7, 30), True),  # Monday, week 1: day 1 until 08:00
        ((2015, 1, 5, 12, 0), False),
        ((2015, 1, 5, 18, 30), True),
        ((2015, 4, 6, 7, 30), False),  # Monday, week 2: day 2 off from 07:00
        ((2015, 4, 6, 17, 30), True),
        ((2015, 4, 5, 12, 0), False),  # Sunday 5 April 2015: special, day 1
        ((2015, 4, 12, 12, 0), True),  # the Sunday after: day 3
        ((2015, 8, 31, 7, 30), False),  # Monday 31 August 2015: special, day 2
        ((2015, 12, 25, 12, 0), False),  # Friday 25 December: day 1 (week 1 would give day 1 too)
        ((2015, 12, 26, 12, 0), True),
        ((2016, 1, 1, 12, 0), True),  # Friday 1 January 2016, every year: day 3
        ((2016, 1, 4, 12, 0), False),
    )
    for (y, mo, d, hh, mm), active in hand:
        assert m.nd.is_active(to_seconds(y, mo, d, hh, mm)) == active, (y, mo, d, hh, mm)
    assert dev.friendly_credit[1] == 473385600  # the calendar in force, as the payment mode reports


def test_rtds_gcs05_future_dated_calendar_activates_at_its_time():
    t0 = to_seconds(2030, 1, 14)
    act = to_seconds(2030, 1, 15, 9)
    dev = rtds_gsme(t0)
    rtds_command(dev, GCS05, "GCS05_2.1_FUTURE_DATED_SUCCESS_COMMAND_GBCS.HEX", t0)
    assert dev.meter.nd is None and len(dev.pending) == 6
    dev.tick(act - 1)
    assert dev.meter.nd is None
    _resp, alerts = split(dev.tick(act))
    assert [g.alert_code for g in gbz_alerts(alerts)][:6] == [FUTURE_DATED_OK] * 6
    nd = dev.meter.nd
    assert nd.is_active(to_seconds(2030, 1, 15, 19)) and not nd.is_active(to_seconds(2030, 1, 16, 12))


# ---- the friendly credit calendar from our own head end ------------------------------------------


def test_friendly_credit_calendar_suspends_disablement_in_its_window():
    """GCS05 with a calendar from 22:00 to 06:00 every day, future-dated: before it a prepayment
    GSME out of credit is disabled at once; once it is in force, running out of credit at 23:00 is
    suspended (0x8F83) until 06:00, when supply is disabled (0x8F0F)."""
    t0 = to_seconds(2024, 5, 6, 12)  # a Monday
    start = to_seconds(2024, 5, 7)
    nights = Tariff([(1, 1, 0, None)], [[0] * 7], [[(0, 0, 1), (6, 0, 0), (22, 0, 1)]], [], {}, {}, -5, 0, -5)
    dev = make_gsme()
    dev.tick(t0)
    statuses(dev.handle(gcs01a(flat_tariff(1000, 0), 899), t0))
    dev.meter.set_payment_mode(PREPAYMENT, False, False, 0, t0, t0)
    dev.meter.account.balance = 500
    st, _ = statuses(
        dev.handle(gbz_command("GCS05", calendar_components(nights, start, FRIENDLY_CREDIT), 900), t0)
    )
    assert st == [0] * 5 and len(dev.pending) == 2 and dev.meter.nd is None
    # not yet in force: out of credit at 23:00 on Monday disables at once
    _r, alerts = split(dev.consume(to_seconds(2024, 5, 6, 23), 1000))
    assert BELOW_DISABLEMENT in [g.alert_code for g in gbz_alerts(alerts)]
    assert dev.meter.supply.state == sp.DISABLED
    # in force from Tuesday: top the balance up, re-arm, enable, and run out again at 23:00
    dev.tick(start)
    assert dev.meter.nd is not None
    dev.meter.account.balance = 500
    dev.meter.adjust_balance(0, start + 60)
    dev.meter.local_enable(start + 120)
    assert dev.meter.supply.state == sp.ENABLED
    _r, alerts = split(dev.consume(to_seconds(2024, 5, 7, 23), 1000))
    assert DISABLEMENT_SUSPENDED in [g.alert_code for g in gbz_alerts(alerts)]
    assert dev.meter.supply.state == sp.ENABLED
    _r, alerts = split(dev.tick(to_seconds(2024, 5, 8, 5, 30)))
    assert dev.meter.supply.state == sp.ENABLED
    _r, alerts = split(dev.tick(to_seconds(2024, 5, 8, 6)))
    assert BELOW_DISABLEMENT in [g.alert_code for g in gbz_alerts(alerts)]
    assert dev.meter.supply.state == sp.DISABLED


# ---- the premises: device log, a held tariff across a restart ------------------------------------


def test_premises_gsme_device_log_and_a_held_tariff_survive_a_restart():
    from test_persist import config

    cfg = config(("chf", "gpf", "gsme", "ppmid", "ihd"))
    pr = build_premises(cfg, P, NOW)
    # the GSME's device log (CS07) holds the premises' GPF and PPMID (GBCS device types 3 and 5)
    assert pr.gsme.join_log == [(pr.gpf.eui, 3), (pr.han[0].eui, 5)]
    gsme = pr.gsme
    t0 = to_seconds(2024, 6, 10, 8)
    gsme.tick(t0)
    statuses(gsme.handle(gcs01a(flat_tariff(2000, 0), 1000), t0))
    statuses(gsme.handle(gcs01a(gas_block_tariff(), 1001, t0 + DAY), t0 + 60))
    assert len(gsme.pending) == 5
    text = persist.to_json(persist.dump(pr))
    restored = persist.load_premises(cfg, persist.from_json(text), P)
    for d in (gsme, restored.gsme):
        assert len(d.pending) == 5 and d.meter.tariff.active.kind == 0
        d.tick(t0 + DAY)
        assert d.meter.tariff.active.kind == 1 and d.meter.tariff.active.block_thresholds == ((2000, 5000),)
        assert cost_of(d, t0 + DAY + HOUR, 3000) == (2000 * 1000 + 1000 * 1500) // 100  # scale -4
    assert restored.gsme.calendars == gsme.calendars and restored.gsme.tariff_items == gsme.tariff_items


def test_rtds_tariff_and_friendly_credit_calendars_share_an_id_and_stay_apart():
    """RTDS sends both calendars under issuer calendar ID 473385600: each is kept under its type,
    read back by "the calendar in force" of its type, and both are in force."""
    from smets.usecases import calendars

    t0 = to_seconds(2015, 1, 1)
    dev = rtds_gsme(t0)
    rtds_command(dev, GCS05, "GCS05_2.1_IMMEDIATE_SUCCESS_COMMAND_GBCS.HEX", t0)  # counter 1000
    rtds_command(dev, GCS01A, "GCS01a_1.1.1_IMMEDIATE_TOU_SUCCESS_COMMAND_GBCS.HEX", t0 + 60)  # 1007
    assert dev.meter.tariff.active.tou_prices == (9600, 10200, 10750, 11000) and dev.meter.nd is not None

    def day_profiles(current_id):
        get = gbz.Component(CALENDAR, 0x01, b"", 0x01)
        fields = [
            ["provider_id", 0],
            ["issuer_calendar_id", current_id],
            ["start_day_id", 1],
            ["number_of_days", 0],
        ]
        get.set_command(gbz.ZclCommand("Get Day Profiles", fields))
        out = calendars.get_items(dev, None, get, get.command())
        return [(c.command().get("calendar_type"), len(c.command().get("entries"))) for c in out]

    assert day_profiles(0xFFFFFFFF) == [(DELIVERED, 1)] * 4  # four tariff days of one switch
    assert day_profiles(0xFFFFFFFE) == [(FRIENDLY_CREDIT, 3), (FRIENDLY_CREDIT, 3), (FRIENDLY_CREDIT, 1)]
    # the tariff still prices as it did: Monday 5 January 2015 on tier 3
    assert cost_of(dev, to_seconds(2015, 1, 5, 12), 1000) == 10750
