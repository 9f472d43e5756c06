"""The GSME tariff and friendly credit calendar as ZSE items, and the one translation of those items
into the behaviour's ``TariffConfig`` (smets.behaviour.tariff, on the calendar engine
smets.behaviour.calendar) and ``GsmeCalendar`` (smets.behaviour.nondisablement).

What a supplier sends (GBCS GCS01a / GCS01b / GCS05; RTDS 4.5.0 decodes 1.1.1, 1.2.1, 2.1):

* Calendar cluster 0x0707, server to client: Publish Calendar (issuer calendar ID, start time,
  calendar type 0x00 delivered = the tariff, 0x03 friendly credit), Publish Day Profile (day ID, up
  to n entries of (start time in minutes after midnight, value: the price tier, or 1/0 friendly
  credit on/off)), Publish Week Profile (week ID, day IDs Monday..Sunday), Publish Seasons ((start
  date, week ID)...), Publish Special Days (start time, (date, day ID)...). Items are kept by
  usecases.calendars.
* Price cluster 0x0700, server to client: Publish Tariff Information (charging scheme in the high
  nibble of the tariff type: 0 TOU, 1 block; tiers and block thresholds in use; unit of measure;
  price trailing digit in the high nibble; standing charge; block threshold multiplier and
  divisor), Publish Price Matrix (sub-payload control bit 0: 1 TOU, the ID is the tier 1..4; 0
  block, the ID's low nibble is the block 0..3 and its high nibble the tier, 0 for none), Publish
  Block Thresholds (tiers of (tier << 4 | count, thresholds)). Kept in the device's
  ``tariff_items`` as [command ID, command index, fields].

Units: a price is ``price * 10**-trailing_digit`` currency units per kWh (the unit of measure must
be kWh, 0x00); the standing charge per day, at the same trailing digit [I]; a threshold is ``value *
multiplier / divisor`` kWh, kept in Wh (rounded down). Dates are ZCL dates (year - 1900, month, day,
weekday; 0xFF any): a season start recurs every year on its month and day (a year in it is not
kept, as on the ESME); a special day with year 0xFF is every year. Start times 0 (now) and
0xFFFFFFFE / 0xFFFFFFFF (never, which cancels what was held) as GBCS sends them.

The GSME's limits (SMETS; behaviour.tariff.GSME_LIMITS, nondisablement.GSME_LIMITS): a tariff
calendar of up to 3 seasons, 2 week profiles, 4 day profiles of one switch each and 20 special days,
TOU tariffs of up to 4 tiers, a block tariff of 1..3 thresholds (4 blocks); the friendly credit
calendar up to 5 day profiles of 3 switches, the first at midnight.

Choices [I]: a block tariff prices with its one block set all day (the GSME has one; RTDS's block
calendar names tier 0): the calendar is not needed for it. The latest Tariff Information, Price
Matrix and Block Thresholds kept make the tariff (their issuer tariff IDs are not compared). A Publish
Calendar in force whose profiles do not resolve (a week naming a day not sent) is an error, not a
calendar still to come: a calendar comes whole in one command.

A tariff given to the behaviour also sets the Price cluster attributes a read gives back (GCS21f,
``price_attributes``): unit, currency, trailing digit, standing charge, threshold multiplier and
divisor, the thresholds as sent, and the prices (TOU tier t at 0x04t0, block b at 0x040(b-1)).

When items take effect (``Plan``): an item with a start time in the future is held (one 0x8F66 per
item, as RTDS shows) and kept when it falls due; a Day Profile, Week Profile or Seasons item has no
start time of its own and takes that of its Publish Calendar in the same command (held with it).
Everything else is kept at once. Before anything of a command is kept, the items as they will be
(those taking effect now, and all of them as if they did) are translated: a command that cannot make
a tariff or calendar is refused at its first tariff component (FAILURE, the rest not run) and changes
nothing. What a command keeps at once is given to the behaviour once, after the command (a tariff
activation: a billing data log snapshot, 0x8F0A); what falls due is given to it for that instant, the
items of one command due together making one tariff (an intermediate mix of new and old items that
is not a tariff is skipped).
"""

from smets.behaviour.calendar import Calendar
from smets.behaviour.errors import BehaviourError
from smets.behaviour.nondisablement import GsmeCalendar
from smets.behaviour.tariff import BLOCK, TOU, TariffConfig
from smets.usecases import zse_runner
from smets.usecases.registry import Held

PRICE = 0x0700
CALENDAR = 0x0707
FC_S2C = 0x08  # zse.FC_S2C: the Publish commands go server to client
DELIVERED = 0x00  # zcl_names.CALENDAR_DELIVERED
FRIENDLY_CREDIT = 0x03  # zcl_names.CALENDAR_FRIENDLY_CREDIT
# Calendar cluster Publish commands (server to client).
PUBLISH_CALENDAR = 0x00
DAY_PROFILE = 0x01
WEEK_PROFILE = 0x02
SEASONS = 0x03
SPECIAL_DAYS = 0x04
CALENDAR_ITEMS = (PUBLISH_CALENDAR, DAY_PROFILE, WEEK_PROFILE, SEASONS, SPECIAL_DAYS)
# Items that take the start time of their Publish Calendar.
CALENDAR_PARTS = (DAY_PROFILE, WEEK_PROFILE, SEASONS)
# Price cluster Publish commands (server to client).
TARIFF_INFORMATION = 0x04
PRICE_MATRIX = 0x05
BLOCK_THRESHOLDS = 0x06
PRICE_ITEMS = (TARIFF_INFORMATION, PRICE_MATRIX, BLOCK_THRESHOLDS)
# Charging schemes (high nibble of the tariff type).
SCHEME_TOU = 0
SCHEME_BLOCK = 1
UNIT_KWH = 0x00
TOU_TIERS = 4
MAX_THRESHOLDS = 3
MINUTES_PER_DAY = 1440
# The calendar type of Week Profile and Seasons items (which carry none) by use case; else DELIVERED.
USE_CASE_CALENDARS = (("GCS05", FRIENDLY_CREDIT),)

# Price cluster attributes that read back the tariff in force (GCS21f; ZCL types as RTDS shows them).
A_THRESHOLD = 0x0100  # + n: block threshold n + 1, as sent
A_MULTIPLIER = 0x0202
A_DIVISOR = 0x0203
A_STANDING_CHARGE = 0x0301
A_PRICE = 0x0400  # + (tier << 4 | block - 1): "No Tier Block 1 Price" .. "Tier 4 Block 1 Price"
A_UNIT = 0x0615
A_CURRENCY = 0x0616
A_TRAILING_DIGIT = 0x0617
T_BITMAP8 = 0x18
T_UINT16 = 0x21
T_UINT24 = 0x22
T_UINT32 = 0x23
T_UINT48 = 0x25
T_ENUM8 = 0x30
INFO_ATTRIBUTES = (
    ("unit_of_measure", A_UNIT, T_ENUM8),
    ("currency", A_CURRENCY, T_UINT16),
    ("price_trailing_digit", A_TRAILING_DIGIT, T_BITMAP8),
    ("standing_charge", A_STANDING_CHARGE, T_UINT32),
    ("block_threshold_multiplier", A_MULTIPLIER, T_UINT24),
    ("block_threshold_divisor", A_DIVISOR, T_UINT24),
)

# What an item moves.
MOVES_NOTHING = 0
MOVES_TARIFF = 1
MOVES_FRIENDLY = 2

# When an item takes effect.
NOW = 0
LATER = 1
NEVER = 2


# ---- values --------------------------------------------------------------------------------------


def _get(fields, name, default=None):
    for f in fields:
        if f[0] == name:
            return f[1]
    return default


def _int(fields, name):
    v = _get(fields, name)
    if not isinstance(v, int) or isinstance(v, bool):
        raise BehaviourError("tariff: %s missing" % name)
    return v


def _date(octets, what):
    """(year or 0 for every year, month, day) of a ZCL date; month and day must be given."""
    if not isinstance(octets, (bytes, bytearray)) or len(octets) != 4:
        raise BehaviourError("tariff: %s is not a date" % what)
    m, d = octets[1], octets[2]
    if not (1 <= m <= 12 and 1 <= d <= 31):
        raise BehaviourError("tariff: %s needs a month and a day of month" % what)
    return 0 if octets[0] == 0xFF else 1900 + octets[0], m, d


def _index(ids, wanted, what):
    for i in range(len(ids)):
        if ids[i] == wanted:
            return i
    raise BehaviourError("calendar: no %s %d" % (what, wanted))


# ---- the translation -------------------------------------------------------------------------


def calendar(items, kind):
    """The Calendar of the calendar of type ``kind`` among kept calendar items (lists of [type,
    issuer calendar ID, command ID, key, fields]), values as sent; None without a Publish Calendar
    of that type."""
    cal = None
    for it in items:
        if it[0] == kind and it[2] == PUBLISH_CALENDAR:
            cal = it
    if cal is None:
        return None
    cid = cal[1]
    day_ids = []
    days = []
    week_ids = []
    weeks = []
    seasons = []
    special = []
    for it in items:
        if it[1] != cid or it[0] not in (kind, None):
            continue
        f = it[4]
        c = it[2]
        if c == DAY_PROFILE:
            points = []
            for e in _get(f, "entries", ()):
                minutes = _int(e, "start_time")
                if minutes >= MINUTES_PER_DAY:
                    raise BehaviourError("calendar: switch time %d minutes" % minutes)
                points.append((minutes * 60, _int(e, "value")))
            day_ids.append(_int(f, "day_id"))
            days.append(points)
        elif c == WEEK_PROFILE:
            refs = _get(f, "day_id_refs")
            if not isinstance(refs, (bytes, bytearray)) or len(refs) != 7:
                raise BehaviourError("calendar: a week profile names 7 days")
            week_ids.append(_int(f, "week_id"))
            weeks.append(refs)
        elif c == SEASONS:
            for e in _get(f, "seasons", ()):
                _y, m, d = _date(_get(e, "start_date"), "a season start")
                seasons.append((m, d, _int(e, "week_id_ref")))
        elif c == SPECIAL_DAYS:
            for e in _get(f, "special_days", ()):
                y, m, d = _date(_get(e, "date"), "a special day")
                special.append((y, m, d, _int(e, "day_id_ref")))
    weeks = [tuple(_index(day_ids, r, "day profile") for r in refs) for refs in weeks]
    seasons = [(m, d, _index(week_ids, w, "week profile")) for m, d, w in seasons]
    special = [(y, m, d, _index(day_ids, di, "day profile")) for y, m, d, di in special]
    return Calendar(seasons, weeks, days, special)


def _price_item(items, command_id):
    """The fields of a kept price item (command index 0), or None."""
    for it in items:
        if it[0] == command_id and it[1] == 0:
            return it[2]
    return None


def _matrix(items):
    """{tier / block ID: price} over the kept Price Matrix commands, and the sub-payload control."""
    prices = {}
    control = None
    for it in items:
        if it[0] != PRICE_MATRIX:
            continue
        if it[1] == 0:
            control = _int(it[2], "sub_payload_control")
        for e in _get(it[2], "prices", ()):
            prices[_int(e, "tier_block_id")] = _int(e, "price")
    return prices, control


def tariff_config(calendar_items, price_items):
    """The TariffConfig the kept items make (see the module docstring); None while they do not
    make one yet (no tariff information or prices, a TOU tariff without its calendar, a block
    tariff without thresholds); raises BehaviourError for items no GSME tariff can have."""
    info = _price_item(price_items, TARIFF_INFORMATION)
    prices, control = _matrix(price_items)
    if info is None or control is None:
        return None
    kind = _int(info, "tariff_type_charging_scheme")
    scheme = kind >> 4
    if kind & 0x0F:
        raise BehaviourError("tariff: tariff type %d is not a delivered tariff" % (kind & 0x0F))
    if _int(info, "unit_of_measure") != UNIT_KWH:
        raise BehaviourError("tariff: prices are per kWh")
    scale = -(_int(info, "price_trailing_digit") >> 4)
    standing = _int(info, "standing_charge")
    if scheme == SCHEME_TOU:
        if not control & 1:
            raise BehaviourError("tariff: a block price matrix for a TOU tariff")
        n = _int(info, "number_of_price_tiers_in_use")
        if not 1 <= n <= TOU_TIERS:
            raise BehaviourError("tariff: %d price tiers in use, 1..%d" % (n, TOU_TIERS))
        cal = calendar(calendar_items, DELIVERED)
        if cal is None:
            return None
        tou = [prices.get(t, 0) for t in range(1, n + 1)]
        cfg = TariffConfig(TOU, cal, tou, (), (), scale, standing, scale)
    elif scheme == SCHEME_BLOCK:
        if control & 1:
            raise BehaviourError("tariff: a TOU price matrix for a block tariff")
        n = _int(info, "number_of_block_thresholds_in_use")
        if not 1 <= n <= MAX_THRESHOLDS:
            raise BehaviourError("tariff: %d block thresholds in use, 1..%d" % (n, MAX_THRESHOLDS))
        th_fields = _price_item(price_items, BLOCK_THRESHOLDS)
        if th_fields is None:
            return None
        tiers = _get(th_fields, "tiers", ())
        sent = _get(tiers[0], "thresholds", ()) if tiers else ()
        if len(sent) < n:
            raise BehaviourError("tariff: %d block thresholds in use, %d sent" % (n, len(sent)))
        mult = _int(info, "block_threshold_multiplier")
        div = _int(info, "block_threshold_divisor")
        if div == 0:
            raise BehaviourError("tariff: block threshold divisor 0")
        thresholds = [v * mult * 1000 // div for v in sent[:n]]
        block_prices = [prices.get(b, 0) for b in range(n + 1)]  # tier 0 (none), block b
        flat = Calendar.flat(1)
        cfg = TariffConfig(BLOCK, flat, (), (thresholds,), (block_prices,), scale, standing, scale)
    else:
        raise BehaviourError("tariff: charging scheme %d is not a GSME tariff" % scheme)
    cfg.validate(False)
    return cfg


def friendly_calendar(calendar_items):
    """The GsmeCalendar of the friendly credit calendar kept, or None without one."""
    cal = calendar(calendar_items, FRIENDLY_CREDIT)
    return None if cal is None else GsmeCalendar(cal)


# ---- the items a device keeps ------------------------------------------------------------------


def keep_price(items, command_id, fields):
    """Keep a Price cluster item in ``items`` ([command ID, command index, fields]); a command
    index 0 starts that command afresh."""
    index = _get(fields, "command_index", 0)
    for i in range(len(items) - 1, -1, -1):
        old = items[i]
        if old[0] == command_id and (index == 0 or old[1] == index):
            del items[i]
    items.append([command_id, index, [list(f) for f in fields]])


def keep_item(calendar_items, price_items, cluster, command_id, kind, fields):
    """Keep one item; returns what it moves (MOVES_*)."""
    if cluster == PRICE:
        keep_price(price_items, command_id, fields)
        return MOVES_TARIFF
    from smets.usecases import calendars

    kept = calendars.keep_in(calendar_items, kind, command_id, fields)
    if kept == -1:
        raise BehaviourError("calendar: the store is full")
    if kept == DELIVERED:
        return MOVES_TARIFF
    if kept == FRIENDLY_CREDIT:
        return MOVES_FRIENDLY
    return MOVES_NOTHING


def _check(calendar_items, price_items):
    tariff_config(calendar_items, price_items)
    friendly_calendar(calendar_items)


def _copy(items):
    return [list(i) for i in items]


# ---- a command's plan --------------------------------------------------------------------------


class Plan:
    """What one command's tariff items do: per component (component, when class, time, calendar
    type, fields), and what the items kept at once moved."""

    __slots__ = ("items", "moved")

    def __init__(self):
        self.items = []
        self.moved = 0

    def find(self, comp):
        for it in self.items:
            if it[0] is comp:
                return it
        return None


def is_item(comp):
    if not comp.frame_control & FC_S2C or not comp.is_cluster_specific():
        return False
    if comp.cluster_id == CALENDAR:
        return comp.command_id in CALENDAR_ITEMS
    return comp.cluster_id == PRICE and comp.command_id in PRICE_ITEMS


def _kind(ctx, comp, cmd):
    """The calendar type of a calendar item: as sent, else the use case's."""
    if comp.cluster_id != CALENDAR:
        return None
    kind = cmd.get("calendar_type")
    if kind is not None:
        return kind
    for name, k in USE_CASE_CALENDARS:
        if ctx.usecase.name == name:
            return k
    return DELIVERED


def _when(ctx, when):
    from smets.usecases import zse

    if when is None or when == zse.ZCL_NOW or (not zse.is_never(when) and when <= ctx.now):
        return NOW, ctx.now
    if zse.is_never(when):
        return NEVER, when
    return LATER, when


def plan(dev, ctx):
    """The command's Plan, made once (kept in ``ctx.outcome``) before anything of it is kept:
    raises BehaviourError when the items taking effect now, or all of them, make no tariff or
    calendar."""
    if isinstance(ctx.outcome, Plan):
        return ctx.outcome
    from smets.usecases import zse
    from smets.wire.errors import DecodeError

    p = Plan()
    starts = []  # (calendar type, issuer calendar ID, start time) of the Publish Calendars sent
    for comp in ctx.request.components:
        if not is_item(comp):
            continue
        try:
            cmd = comp.command()
        except DecodeError:
            continue  # that component answers INVALID_FIELD itself
        if cmd is None:
            continue
        kind = _kind(ctx, comp, cmd)
        when = zse.item_time(comp, cmd)
        p.items.append([comp, when, None, kind, cmd.fields])
        if comp.cluster_id == CALENDAR and comp.command_id == PUBLISH_CALENDAR:
            starts.append((kind, cmd.get("issuer_calendar_id"), when))
    now_cal, now_price = _copy(dev.calendars), _copy(dev.tariff_items)
    all_cal, all_price = _copy(dev.calendars), _copy(dev.tariff_items)
    for it in p.items:
        comp, when, kind, fields = it[0], it[1], it[3], it[4]
        if when is None and comp.cluster_id == CALENDAR and comp.command_id in CALENDAR_PARTS:
            cid = _get(fields, "issuer_calendar_id")
            for k, c, t in starts:
                if k == kind and c == cid:
                    when = t
        it[1], it[2] = _when(ctx, when)
        if it[1] == NEVER:
            continue
        keep_item(all_cal, all_price, comp.cluster_id, comp.command_id, kind, fields)
        if it[1] == NOW:
            keep_item(now_cal, now_price, comp.cluster_id, comp.command_id, kind, fields)
    _check(now_cal, now_price)
    _check(all_cal, all_price)
    ctx.outcome = p
    return p


# ---- handlers, the held runner, the use case ---------------------------------------------------


def publish(dev, ctx, comp, cmd):
    """GCS01a / GCS01b / GCS05: a tariff or calendar item sent; kept at once when it takes effect
    now (a future one is held by zse.schedule with ``make_run``; a never one cancels)."""
    from smets.usecases import zse

    p = plan(dev, ctx)
    it = p.find(comp)
    if it is not None and it[1] == NOW:
        p.moved |= keep_item(dev.calendars, dev.tariff_items, comp.cluster_id, comp.command_id, it[3], it[4])
    return zse.S_SUCCESS


def make_run(dev, ctx, comp, cmd):
    """The Held a future-dated item runs: keep it (a Publish Calendar with the profiles of its
    calendar sent with it), then give the behaviour what it moved for that instant."""
    p = plan(dev, ctx)
    it = p.find(comp)
    if it is None:
        return None
    parts = []
    if comp.cluster_id == CALENDAR and comp.command_id == PUBLISH_CALENDAR:
        cid = _get(it[4], "issuer_calendar_id")
        for o in p.items:
            c = o[0]
            if (
                c.cluster_id == CALENDAR
                and c.command_id in CALENDAR_PARTS
                and o[1] == LATER
                and o[2] == it[2]
                and o[3] == it[3]
                and _get(o[4], "issuer_calendar_id") == cid
            ):
                parts.append([c.command_id, [list(f) for f in o[4]]])
    args = (comp.cluster_id, comp.command_id, it[3], [list(f) for f in it[4]], parts)
    return Held(zse_runner.run_activation, args)


def run_activation(dev, at, cluster, command_id, kind, fields, parts):
    """A held item falls due: kept, with its calendar's profiles; what it moves goes to the behaviour."""
    moved = keep_item(dev.calendars, dev.tariff_items, cluster, command_id, kind, fields)
    for part_id, part_fields in parts:
        moved |= keep_item(dev.calendars, dev.tariff_items, CALENDAR, part_id, kind, part_fields)
    apply(dev, moved, at, True)
    return True


def apply(dev, moved, at, held=False):
    """Give the behaviour the tariff and / or friendly credit calendar the kept items make, in force
    from ``at``. A held activation skips what is not (yet) a tariff."""
    m = dev.meter
    if moved & MOVES_TARIFF:
        try:
            cfg = tariff_config(dev.calendars, dev.tariff_items)
        except BehaviourError:
            if not held:
                raise
            cfg = None
        if cfg is not None:
            t = m.tariff
            if t.passive is not None and t.passive_at < at:
                dev.behaviour_call((None, m.tick(t.passive_at)))  # one due earlier activates first
            dev.behaviour_call(m.set_tariff(cfg, at, m.now))
            price_attributes(dev)
    if moved & MOVES_FRIENDLY:
        try:
            nd = friendly_calendar(dev.calendars)
        except BehaviourError:
            if not held:
                raise
            nd = None
        if nd is not None:
            if m.nd_pending is not None and m.nd_at < at:
                dev.behaviour_call((None, m.tick(m.nd_at)))
            dev.behaviour_call(m.set_non_disablement(nd, at, m.now))
            for it in dev.calendars:
                if it[0] == FRIENDLY_CREDIT and it[2] == PUBLISH_CALENDAR:
                    dev.friendly_credit = (dev.friendly_credit[0], it[1])


def price_attributes(dev):
    """Set the Price cluster attributes from the tariff items in force, so that a read (GCS21f)
    gives them back: a TOU price matrix sets the tier prices, a block one the block prices (the
    others keep their values, as RTDS GCS21f shows both)."""
    info = _price_item(dev.tariff_items, TARIFF_INFORMATION)
    if info is not None:
        for name, attr, t in INFO_ATTRIBUTES:
            v = _get(info, name)
            if v is not None:
                dev.load(PRICE, attr, t, v)
    prices, control = _matrix(dev.tariff_items)
    for k in prices:
        attr = A_PRICE + ((k << 4) if control & 1 else k)
        if A_PRICE <= attr < A_PRICE + 0x100:
            dev.load(PRICE, attr, T_UINT32, prices[k])
    th = _price_item(dev.tariff_items, BLOCK_THRESHOLDS)
    tiers = _get(th, "tiers", ()) if th is not None else ()
    if tiers:
        sent = _get(tiers[0], "thresholds", ())
        for i in range(len(sent)):
            dev.load(PRICE, A_THRESHOLD + i, T_UINT48, sent[i])


def use_case():
    """The GBZ use case of GCS01a / GCS01b / GCS05: every component runs (usecases.zse), then what
    the command kept at once goes to the behaviour, once."""
    from smets.usecases import zse

    run = zse.gbz_use_case()

    def handler(dev, ctx):
        out = run(dev, ctx)
        p = ctx.outcome
        if isinstance(p, Plan) and p.moved:
            try:
                apply(dev, p.moved, ctx.now)
            except BehaviourError:
                pass  # a command stopped part way (a hardware fault) left items that make no tariff
        return out

    return handler


def bind(model):
    for command_id in CALENDAR_ITEMS:
        model.command(CALENDAR, True, command_id, publish)
        model.runner(CALENDAR, True, command_id, make_run)
    for command_id in PRICE_ITEMS:
        model.command(PRICE, True, command_id, publish)
        model.runner(PRICE, True, command_id, make_run)
