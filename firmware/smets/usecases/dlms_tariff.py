"""The ESME tariff and non-disablement calendar as DLMS COSEM objects, and the one translation of
those objects into the behaviour's ``TariffConfig`` (smets.behaviour.tariff, on the one calendar
engine smets.behaviour.calendar) and ``EsmeSchedule`` (smets.behaviour.nondisablement).

What a supplier sets (ECS01a/b/c/d, GBCS use-case mapping tables; RTDS 4.5.0 decodes):

* Tariff Switching Table, Activity Calendar 0-0:13.0.0.255 (secondary element 0-0:13.0.1.255):
  seasons (name, start date-time, week name), week profiles (name, day_id Monday..Sunday), day
  profiles (day_id, switches of (start time, script 0-0:10.0.100.255, script selector)); passive
  attributes 7/8/9, active 3/4/5, activation time attribute 10.
* Special days, Special Days Table (class 11): passive 0-1:11.0.0.255 (.1 secondary), active
  0-0:11.0.0.255 (.1); entries (index, date, day_id); activation time GBCS extended data
  0-0:94.44.128.29 (.30 secondary) attribute 6.
* Block thresholds, Register Monitors (class 21) attribute 2: passive 0-0:16.1.11..18.255, active
  0-0:16.0.11..18.255 (block sets 1..8, up to 3 thresholds each); activation time Tariff Threshold
  Matrix 0-0:63.1.1.255 attribute 6.
* Prices, Charge (class 113) unit_charge passive attribute 6, active 5, activation time 7: the
  Tariff Block Price Matrix 0-0:19.20.0.255 (charge_per_unit_scaling {commodity scale, price
  scale}, then 80 (index, price): index 0x01..0x30 = TOU rates 1..48; 0xA1..0xA8, 0xB1..0xB8,
  0xC1..0xC8, 0xD1..0xD8 = blocks 1, 2, 3, 4 of block sets 1..8), the Standing Charge
  0-0:19.20.4.255 (one price per day) and the secondary element's TOU Price Matrix 0-0:19.20.5.255
  (indices 1..4).
* Currency unit 0-0:94.44.2.0 (GB pounds or euro): kept and read back; it does not change a price.

Script selectors (GBCS 7.3.7, as RTDS shows them and DCC's own ECS24 decoder reads them): 1..48
a TOU rate, 101..108 a block set, 201..204 a secondary element TOU rate. A primary calendar of
TOU rates only is a TOU tariff, of block sets only a block tariff, of both a hybrid one.

Units: a price is ``price * 10**price_scale`` currency units per ``10**commodity_scale`` Wh (GBCS
fixes the commodity scale at 3: per kWh); the behaviour keeps prices per kWh. Thresholds are Wh,
the unit of the ESME's energy registers (RTDS ECS17a: scaler 0, unit 30 = Wh). The standing charge
is ``charge * 10**price_scale`` per day.

Choices [I]: a season's start recurs every year on its month and day (the calendar engine's model;
a year in the start date is not kept). A special day's year 0xFFFF means every year. Day-of-month
and month wildcards, and the "last day of month" forms, are refused. A time field 0xFF (not
specified) in a switch time is 0. Primary and secondary prices share one price scale in the
behaviour: the one with the larger scale is multiplied out to the smaller (exact). The secondary
element is priced only with a primary tariff in force.

Non-disablement calendar (ECS08/ECS08a, SRV 2.1): Schedule (class 10) entries, passive
0-1:12.0.1.255, active 0-0:12.0.1.255, activation time 0-0:94.44.128.28 attribute 6; its special days
passive 0-1:11.0.2.255, active 0-0:11.0.2.255, activation time 0-0:94.44.128.31. An entry is (index,
enabled, script 0-0:10.0.106.255, selector 32 start / 33 stop non-disablement, switch time, validity
window, exec_weekdays (7 bits, Monday first), exec_specdays, begin date, end date). exec_specdays
has one bit per special day of the associated table, in its order (GBCS: the bit-string's "length
must align to the number of special days"; RTDS ECS08 names exactly the special days inside each
entry's date window that way); the validity window is not used [I]. A begin/end date with year
0xFFFF is that date every year; one with month or day unspecified is open [I].

``get(class_id, instance, attr)`` gives a Data value or None; ``tariff_config(get)`` builds the
tariff of those values, None while they do not make one yet (no calendar, no prices, a block set
named without thresholds), and raises BehaviourError for values no tariff can have;
``nd_schedule(get)`` the same for the non-disablement calendar.
"""

from smets.behaviour.calendar import Calendar
from smets.behaviour.errors import BehaviourError
from smets.behaviour.nondisablement import EsmeSchedule, yearly
from smets.behaviour.tariff import BLOCK, HYBRID, TOU, TariffConfig
from smets.behaviour.timeutil import days_from_civil
from smets.usecases.tariff_objects import (
    ACTIVITY_CALENDAR,
    BLOCK_INDEX_BASE,
    BLOCK_SELECTOR_BASE,
    BLOCK_SETS,
    CHARGE,
    DAYS_ACTIVE,
    ENTRIES,
    ND_CALENDAR,
    ND_SPECIAL_DAYS,
    ND_START,
    ND_STOP,
    PRICE_MATRIX,
    PRIMARY_CALENDAR,
    PRIMARY_SPECIAL_DAYS,
    REGISTER_MONITOR,
    SCHEDULE,
    SEASONS_ACTIVE,
    SECONDARY_CALENDAR,
    SECONDARY_PRICES,
    SECONDARY_RATES,
    SECONDARY_SELECTOR_BASE,
    SECONDARY_SPECIAL_DAYS,
    SPECIAL_DAYS_TABLE,
    STANDING_CHARGE,
    TOU_RATES,
    UNIT_CHARGE_ACTIVE,
    WEEKS_ACTIVE,
    thresholds_active,
)
from smets.wire import dlms_axdr as ax

# ---- Data values -----------------------------------------------------------------------------


def _members(value, tag, what):
    if not isinstance(value, tuple) or len(value) != 2 or value[0] != tag:
        raise BehaviourError("tariff: %s is not data tag %d" % (what, tag))
    return value[1]


def _int(value, what):
    v = value[1] if isinstance(value, tuple) and len(value) == 2 else None
    if not isinstance(v, int) or isinstance(v, bool):
        raise BehaviourError("tariff: %s is not an integer" % what)
    return v


def _octets(value, what, length=None):
    v = value[1] if isinstance(value, tuple) and len(value) == 2 else None
    if not isinstance(v, (bytes, bytearray)) or (length is not None and len(v) != length):
        raise BehaviourError(
            "tariff: %s is not an octet string%s" % (what, "" if length is None else "(%d)" % length)
        )
    return bytes(v)


def _month_day(octets, at, what):
    """(month, day) at octets[at], octets[at + 1], both specified."""
    m, d = octets[at], octets[at + 1]
    if not (1 <= m <= 12 and 1 <= d <= 31):
        raise BehaviourError("tariff: %s needs a month and a day of month" % what)
    return m, d


def _second_of_day(octets):
    """Seconds since midnight of a DLMS time (hour, minute, second, hundredths); 0xFF is 0 [I]."""
    h = octets[0]
    if h > 23:
        raise BehaviourError("tariff: switch time hour %d" % h)
    mi = 0 if octets[1] == 0xFF else octets[1]
    se = 0 if octets[2] == 0xFF else octets[2]
    if mi > 59 or se > 59:
        raise BehaviourError("tariff: switch time out of range")
    return h * 3600 + mi * 60 + se


# ---- calendars -------------------------------------------------------------------------------


def calendar_parts(get, instance, special_instance):
    """(seasons, weeks, days, special) in the calendar engine's shapes, with each switch carrying
    its script selector; None when the activity calendar has no active profiles."""
    seasons_v = get(ACTIVITY_CALENDAR, instance, SEASONS_ACTIVE)
    weeks_v = get(ACTIVITY_CALENDAR, instance, WEEKS_ACTIVE)
    days_v = get(ACTIVITY_CALENDAR, instance, DAYS_ACTIVE)
    if seasons_v is None or weeks_v is None or days_v is None:
        return None
    day_ids = []
    days = []
    for d in _members(days_v, ax.T_ARRAY, "day profile table"):
        f = _members(d, ax.T_STRUCTURE, "day profile")
        day_ids.append(_int(f[0], "day_id"))
        points = []
        for action in _members(f[1], ax.T_ARRAY, "day schedule"):
            a = _members(action, ax.T_STRUCTURE, "day profile action")
            points.append((_second_of_day(_octets(a[0], "start time", 4)), _int(a[2], "script selector")))
        days.append(points)
    week_names = []
    weeks = []
    for w in _members(weeks_v, ax.T_ARRAY, "week profile table"):
        f = _members(w, ax.T_STRUCTURE, "week profile")
        if len(f) != 8:
            raise BehaviourError("tariff: a week profile names 7 days")
        week_names.append(_octets(f[0], "week profile name"))
        weeks.append(tuple(_index(day_ids, _int(f[i], "day_id"), "day_id") for i in range(1, 8)))
    seasons = []
    for s in _members(seasons_v, ax.T_ARRAY, "season profile"):
        f = _members(s, ax.T_STRUCTURE, "season")
        m, d = _month_day(_octets(f[1], "season start", 12), 2, "a season start")
        seasons.append((m, d, _index(week_names, _octets(f[2], "week name"), "week name")))
    special = []
    special_v = get(SPECIAL_DAYS_TABLE, special_instance, ENTRIES) if special_instance is not None else None
    if special_v is not None:
        for e in _members(special_v, ax.T_ARRAY, "special days"):
            f = _members(e, ax.T_STRUCTURE, "special day")
            date = _octets(f[1], "special day date", 5)
            year = (date[0] << 8) | date[1]
            m, d = _month_day(date, 2, "a special day")
            special.append(
                (0 if year == 0xFFFF else year, m, d, _index(day_ids, _int(f[2], "day_id"), "day_id"))
            )
    return seasons, weeks, days, special


def _index(names, name, what):
    for i in range(len(names)):
        if names[i] == name:
            return i
    raise BehaviourError("tariff: no %s %r" % (what, name))


def _mapped(days, fn):
    return [[(sec, fn(v)) for sec, v in points] for points in days]


# ---- prices ----------------------------------------------------------------------------------


def unit_charge(value):
    """(price scale per kWh, {index: price}) of a unit_charge structure."""
    f = _members(value, ax.T_STRUCTURE, "unit charge")
    scaling = _members(f[0], ax.T_STRUCTURE, "charge per unit scaling")
    commodity_scale = _int(scaling[0], "commodity scale")
    price_scale = _int(scaling[1], "price scale")
    table = {}
    for e in _members(f[2], ax.T_ARRAY, "charge table"):
        g = _members(e, ax.T_STRUCTURE, "charge table element")
        index = _octets(g[0], "charge table index")
        table[index[0] if len(index) == 1 else -1] = _int(g[1], "charge per unit")
    return price_scale + 3 - commodity_scale, table


def _times_ten(values, n):
    m = 10**n
    return tuple(v * m for v in values)


def tariff_config(get):
    """The TariffConfig of the tariff objects ``get`` gives (see the module docstring)."""
    parts = calendar_parts(get, PRIMARY_CALENDAR, PRIMARY_SPECIAL_DAYS)
    matrix = get(CHARGE, PRICE_MATRIX, UNIT_CHARGE_ACTIVE)
    if parts is None or matrix is None:
        return None
    seasons, weeks, days, special = parts
    price_scale, table = unit_charge(matrix)
    top_rate = 0
    top_set = 0
    for points in days:
        for _sec, v in points:
            if 1 <= v <= TOU_RATES:
                top_rate = max(top_rate, v)
            elif BLOCK_SELECTOR_BASE < v <= BLOCK_SELECTOR_BASE + BLOCK_SETS:
                top_set = max(top_set, v - BLOCK_SELECTOR_BASE)
            else:
                raise BehaviourError("tariff: script selector %d is not a primary TOU rate or block set" % v)
    for k in table:
        if not (1 <= k <= TOU_RATES or _block_index(k) is not None):
            raise BehaviourError("tariff: price matrix index 0x%02X" % (k & 0xFF))
    tou = tuple(table.get(r, 0) for r in range(1, top_rate + 1))
    thresholds = []
    block_prices = []
    for s in range(1, top_set + 1):
        th_v = get(REGISTER_MONITOR, thresholds_active(s), ENTRIES)
        if th_v is None:
            return None
        th = tuple(_int(x, "threshold") for x in _members(th_v, ax.T_ARRAY, "thresholds"))
        thresholds.append(th)
        block_prices.append(tuple(table.get(BLOCK_INDEX_BASE + 16 * b + s, 0) for b in range(len(th) + 1)))
    if top_rate and top_set:
        kind = HYBRID
        cal_days = days
    elif top_set:
        kind = BLOCK
        cal_days = _mapped(days, lambda v: v - BLOCK_SELECTOR_BASE)
    else:
        kind = TOU
        cal_days = days
    calendar = Calendar(seasons, weeks, cal_days, special)
    standing, standing_scale = 0, -5
    sc = get(CHARGE, STANDING_CHARGE, UNIT_CHARGE_ACTIVE)
    if sc is not None:
        f = _members(sc, ax.T_STRUCTURE, "standing charge")
        standing_scale = _int(_members(f[0], ax.T_STRUCTURE, "standing charge scaling")[1], "price scale")
        entries = _members(f[2], ax.T_ARRAY, "standing charge table")
        if entries:
            standing = _int(
                _members(entries[0], ax.T_STRUCTURE, "charge table element")[1], "standing charge"
            )
    secondary_calendar = None
    secondary_prices = ()
    sec_parts = calendar_parts(get, SECONDARY_CALENDAR, SECONDARY_SPECIAL_DAYS)
    sec_matrix = get(CHARGE, SECONDARY_PRICES, UNIT_CHARGE_ACTIVE)
    if sec_parts is not None and sec_matrix is not None:
        s_seasons, s_weeks, s_days, s_special = sec_parts
        for points in s_days:
            for _sec, v in points:
                if not SECONDARY_SELECTOR_BASE < v <= SECONDARY_SELECTOR_BASE + SECONDARY_RATES:
                    raise BehaviourError("tariff: script selector %d is not a secondary TOU rate" % v)
        secondary_calendar = Calendar(
            s_seasons, s_weeks, _mapped(s_days, lambda v: v - SECONDARY_SELECTOR_BASE), s_special
        )
        sec_scale, sec_table = unit_charge(sec_matrix)
        secondary_prices = tuple(sec_table.get(r, 0) for r in range(1, SECONDARY_RATES + 1))
        if sec_scale > price_scale:
            secondary_prices = _times_ten(secondary_prices, sec_scale - price_scale)
        elif sec_scale < price_scale:
            n = price_scale - sec_scale
            tou = _times_ten(tou, n)
            block_prices = [_times_ten(p, n) for p in block_prices]
            price_scale = sec_scale
    cfg = TariffConfig(
        kind,
        calendar,
        tou,
        thresholds,
        block_prices,
        price_scale,
        standing,
        standing_scale,
        secondary_calendar,
        secondary_prices,
    )
    cfg.validate(True)
    return cfg


def _block_index(k):
    """(block 0..3, set 1..8) of a price matrix index, or None."""
    b = (k >> 4) - (BLOCK_INDEX_BASE >> 4)
    s = k & 0x0F
    if 0 <= b < 4 and 1 <= s <= BLOCK_SETS:
        return b, s
    return None


# ---- the non-disablement calendar ------------------------------------------------------------


def _bits(value, what):
    """A bit-string as an int, its first (leftmost) bit as bit 0."""
    v = value[1] if isinstance(value, tuple) and len(value) == 2 and value[0] == ax.T_BIT_STRING else None
    if not isinstance(v, tuple) or len(v) != 2:
        raise BehaviourError("non-disablement: %s is not a bit-string" % what)
    n, octets = v
    mask = 0
    for i in range(n):
        if octets[i // 8] & (0x80 >> (i % 8)):
            mask |= 1 << i
    return mask


def _bound(value):
    """A begin/end date: a day since 2000, ``yearly(month, day)``, or None (open)."""
    date = _octets(value, "begin/end date", 5)
    year = (date[0] << 8) | date[1]
    m, d = date[2], date[3]
    if not (1 <= m <= 12 and 1 <= d <= 31):
        return None
    if year == 0xFFFF:
        return yearly(m, d)
    return days_from_civil(year, m, d)


def nd_schedule(get):
    """The EsmeSchedule of the non-disablement objects ``get`` gives, None without entries."""
    entries_v = get(SCHEDULE, ND_CALENDAR, ENTRIES)
    if entries_v is None:
        return None
    special = []
    special_v = get(SPECIAL_DAYS_TABLE, ND_SPECIAL_DAYS, ENTRIES)
    if special_v is not None:
        items = _members(special_v, ax.T_ARRAY, "special days")
        for i in range(len(items)):
            date = _octets(_members(items[i], ax.T_STRUCTURE, "special day")[1], "special day date", 5)
            year = (date[0] << 8) | date[1]
            m, d = _month_day(date, 2, "a special day")
            special.append((0 if year == 0xFFFF else year, m, d, i))
    entries = []
    for e in _members(entries_v, ax.T_ARRAY, "schedule"):
        f = _members(e, ax.T_STRUCTURE, "schedule entry")
        if len(f) != 10:
            raise BehaviourError("non-disablement: a schedule entry has 10 members")
        enabled = f[1][1] if isinstance(f[1], tuple) else None
        if not isinstance(enabled, bool):
            raise BehaviourError("non-disablement: enable is not a boolean")
        selector = _int(f[3], "script selector")
        if selector not in (ND_START, ND_STOP):
            raise BehaviourError("non-disablement: script selector %d" % selector)
        entries.append(
            (
                enabled,
                selector == ND_START,
                _second_of_day(_octets(f[4], "switch time", 4)),
                _bits(f[6], "exec_weekdays") & 0x7F,
                _bits(f[7], "exec_specdays"),
                _bound(f[8]),
                _bound(f[9]),
            )
        )
    return EsmeSchedule(entries, special)
