"""Non-disablement ("friendly credit") periods: the ESME schedule and the GSME calendar.

While a period is active, supply is not disabled for lack of credit (0x8F83 instead of 0x8F0F).

* ESME (DLMS Schedule 0-1:12.0.1.255 + special days 0-1:11.0.2.255): up to 22 entries of
  (enabled, start, switch_time, weekday_mask, special_mask, begin_day, end_day) where ``start`` is
  True for the "start non-disablement" script selector and False for "stop" [I: selectors 32/33];
  ``weekday_mask`` bit 0 = Monday; ``special_mask`` bit k = special-day id k; begin/end are days
  since 2000-01-01 (inclusive) or None for open-ended, or a date every year written
  ``yearly(month, day)`` (a negative number; DLMS begin/end dates with year 0xFFFF): an entry with
  yearly bounds runs from its begin date to its end date each year (across New Year when the end
  comes first), an open bound being 1 January / 31 December; yearly and absolute bounds do not mix.
  Special days are (year or 0, month, day, id) with id 0..31, up to 20. On a special day only
  entries whose special_mask names its id run; otherwise entries whose weekday bit is set run [I].
  The day's entries become a day profile for the calendar engine, so the last state of the previous
  day carries over midnight.
* GSME (ZSE calendar): a ``calendar.Calendar`` whose switch values are 1 (active) or 0, with 3
  seasons, 2 week profiles, 5 day profiles of up to 3 points starting at midnight, 20 special days.
"""

from .calendar import Calendar, Limits, profile_value
from .errors import BehaviourError
from .timeutil import DAY, civil_from_days

ESME_MAX_ENTRIES = 22
MAX_SPECIAL_DAYS = 20
GSME_LIMITS = Limits(3, 2, 5, 3, MAX_SPECIAL_DAYS, 1)


def yearly(month, day):
    """A begin/end bound meaning this date every year."""
    return -(month * 100 + day)


def _in_window(begin, end, dn, md):
    """Whether day ``dn`` (month * 100 + day ``md``) lies within an entry's bounds."""
    if (begin is not None and begin < 0) or (end is not None and end < 0):
        b = -begin if begin is not None else 101
        e = -end if end is not None else 1231
        return b <= md <= e if b <= e else (md >= b or md <= e)
    return (begin is None or dn >= begin) and (end is None or dn <= end)


class EsmeSchedule:
    __slots__ = ("entries", "special")

    def __init__(self, entries, special=()):
        self.entries = tuple(tuple(e) for e in entries)
        self.special = tuple(tuple(s) for s in special)
        if len(self.entries) > ESME_MAX_ENTRIES:
            raise BehaviourError("non-disablement schedule: at most %d entries" % ESME_MAX_ENTRIES)
        if len(self.special) > MAX_SPECIAL_DAYS:
            raise BehaviourError("non-disablement schedule: at most %d special days" % MAX_SPECIAL_DAYS)
        for e in self.entries:
            if len(e) != 7 or not 0 <= e[2] < DAY or not 0 <= e[3] < 128:
                raise BehaviourError("non-disablement schedule: bad entry")
            b, en = e[5], e[6]
            if b is not None and en is not None and (b < 0) != (en < 0):
                raise BehaviourError("non-disablement schedule: yearly and absolute bounds mixed")
        for s in self.special:
            if len(s) != 4 or not 0 <= s[3] < 32:
                raise BehaviourError("non-disablement schedule: bad special day")

    def day_points(self, dn):
        y, m, d = civil_from_days(dn)
        sid = -1
        for sy, sm, sd, i in self.special:
            if sm == m and sd == d and (sy == 0 or sy == y):
                sid = i
                break
        md = m * 100 + d
        wbit = 1 << ((dn + 5) % 7)
        pts = []
        for enabled, start, sec, wmask, smask, begin, end in self.entries:
            if not enabled:
                continue
            if not _in_window(begin, end, dn, md):
                continue
            if sid >= 0:
                if not (smask >> sid) & 1:
                    continue
            elif not wmask & wbit:
                continue
            pts.append((sec, 1 if start else 0))
        pts.sort()
        return pts

    def is_active(self, t):
        dn = t // DAY
        return profile_value(self.day_points(dn), t % DAY, self.day_points(dn - 1)) == 1

    def dump(self, w):
        w.u8(len(self.entries))
        for enabled, start, sec, wmask, smask, begin, end in self.entries:
            w.bool(enabled)
            w.bool(start)
            w.u32(sec)
            w.u8(wmask)
            w.u32(smask)
            w.opt_i64(begin)
            w.opt_i64(end)
        w.u8(len(self.special))
        for y, m, d, sid in self.special:
            w.u16(y)
            w.u8(m)
            w.u8(d)
            w.u8(sid)

    @staticmethod
    def load(r):
        entries = []
        for _ in range(r.u8()):
            entries.append((r.bool(), r.bool(), r.u32(), r.u8(), r.u32(), r.opt_i64(), r.opt_i64()))
        special = [(r.u16(), r.u8(), r.u8(), r.u8()) for _ in range(r.u8())]
        return EsmeSchedule(entries, special)


class GsmeCalendar:
    __slots__ = ("calendar",)

    def __init__(self, calendar):
        calendar.validate(GSME_LIMITS, first_at_midnight=True)
        self.calendar = calendar

    def is_active(self, t):
        return self.calendar.value_at(t) == 1

    def dump(self, w):
        self.calendar.dump(w)

    @staticmethod
    def load(r):
        return GsmeCalendar(Calendar.load(r))


# Kind bytes for the snapshot.
_NONE = 0
_ESME = 1
_GSME = 2


def dump_any(w, nd):
    if nd is None:
        w.u8(_NONE)
    elif isinstance(nd, EsmeSchedule):
        w.u8(_ESME)
        nd.dump(w)
    else:
        w.u8(_GSME)
        nd.dump(w)


def load_any(r):
    k = r.u8()
    if k == _NONE:
        return None
    if k == _ESME:
        return EsmeSchedule.load(r)
    if k == _GSME:
        return GsmeCalendar.load(r)
    raise BehaviourError("snapshot: bad non-disablement kind %d" % k)
