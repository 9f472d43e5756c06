"""The one calendar engine: seasons, week profiles, day profiles with switch times, special days.

Used by the tariff (value = TOU rate or block set), by the GSME non-disablement calendar (value =
1 while non-disablement is active), by the ESME non-disablement schedule (which builds its day
profiles from schedule entries, see ``nondisablement``) and, later, by auxiliary load control.

Shapes (all tuples, so one Calendar can be shared by many meters):
* ``seasons``: ((month, day, week_index), ...) sorted by start date; a season runs every year from
  its start date to the next season's start; before the first start of a year the last season of
  the previous year still runs [I].
* ``weeks``: ((day_index Monday .. day_index Sunday), ...)
* ``days``: (((second_of_day, value), ...), ...) each sorted by time; before the first switch of a
  day the last value of the previous day holds (DLMS activity calendar behaviour) [I].
* ``special``: ((year or 0 for every year, month, day, day_index), ...); a special day replaces
  the week profile for that date.
"""

from .errors import BehaviourError
from .timeutil import DAY, civil_from_days

DEFAULT_VALUE = 0  # value when no switch has happened at all (empty profile)


def profile_value(points, tod, previous_points):
    """The value at second-of-day ``tod`` of a day profile; carries the previous day's last value."""
    v = None
    for sec, val in points:
        if sec <= tod:
            v = val
        else:
            break
    if v is None:
        if previous_points:
            return previous_points[-1][1]
        return DEFAULT_VALUE
    return v


class Limits:
    """Size limits of one calendar kind (from spec §2.5 and §2.8)."""

    __slots__ = ("seasons", "weeks", "days", "points", "special", "values")

    def __init__(self, seasons, weeks, days, points, special, values):
        self.seasons = seasons
        self.weeks = weeks
        self.days = days
        self.points = points
        self.special = special
        self.values = values  # largest value a switch point may carry


class Calendar:
    __slots__ = ("seasons", "weeks", "days", "special")

    def __init__(self, seasons, weeks, days, special=()):
        self.seasons = tuple(sorted(tuple(s) for s in seasons))
        self.weeks = tuple(tuple(w) for w in weeks)
        self.days = tuple(tuple(sorted(tuple(p) for p in d)) for d in days)
        self.special = tuple(tuple(s) for s in special)

    @staticmethod
    def flat(value):
        """A calendar that gives ``value`` all the time."""
        return Calendar(((1, 1, 0),), ((0, 0, 0, 0, 0, 0, 0),), (((0, value),),))

    def validate(self, lim, first_at_midnight=False):
        if not 1 <= len(self.seasons) <= lim.seasons:
            raise BehaviourError("calendar: %d seasons, 1..%d allowed" % (len(self.seasons), lim.seasons))
        if not 1 <= len(self.weeks) <= lim.weeks:
            raise BehaviourError("calendar: %d week profiles, 1..%d allowed" % (len(self.weeks), lim.weeks))
        if not 1 <= len(self.days) <= lim.days:
            raise BehaviourError("calendar: %d day profiles, 1..%d allowed" % (len(self.days), lim.days))
        if len(self.special) > lim.special:
            raise BehaviourError("calendar: %d special days, at most %d" % (len(self.special), lim.special))
        for m, d, w in self.seasons:
            if not (1 <= m <= 12 and 1 <= d <= 31 and 0 <= w < len(self.weeks)):
                raise BehaviourError("calendar: bad season (%d, %d, %d)" % (m, d, w))
        for wk in self.weeks:
            if len(wk) != 7:
                raise BehaviourError("calendar: a week profile needs 7 day indices")
            for di in wk:
                if not 0 <= di < len(self.days):
                    raise BehaviourError("calendar: week profile names day profile %d" % di)
        for day in self.days:
            if not 1 <= len(day) <= lim.points:
                raise BehaviourError("calendar: %d switch points, 1..%d allowed" % (len(day), lim.points))
            if first_at_midnight and day[0][0] != 0:
                raise BehaviourError("calendar: the first switch point must be at midnight")
            for sec, val in day:
                if not (0 <= sec < DAY and 0 <= val <= lim.values):
                    raise BehaviourError("calendar: bad switch point (%d, %d)" % (sec, val))
        for _y, m, d, di in self.special:
            if not (1 <= m <= 12 and 1 <= d <= 31 and 0 <= di < len(self.days)):
                raise BehaviourError("calendar: bad special day")

    def day_points(self, day_number):
        """The switch points in force on a day (days since 2000-01-01)."""
        y, m, d = civil_from_days(day_number)
        for sy, sm, sd, di in self.special:
            if sm == m and sd == d and (sy == 0 or sy == y):
                return self.days[di]
        week = self.seasons[-1][2]
        md = m * 100 + d
        for sm, sd, wi in self.seasons:
            if sm * 100 + sd <= md:
                week = wi
            else:
                break
        return self.days[self.weeks[week][(day_number + 5) % 7]]

    def value_at(self, t):
        dn = t // DAY
        return profile_value(self.day_points(dn), t % DAY, self.day_points(dn - 1))

    def dump(self, w):
        w.u8(len(self.seasons))
        for s in self.seasons:
            w.u8(s[0])
            w.u8(s[1])
            w.u8(s[2])
        w.u8(len(self.weeks))
        for wk in self.weeks:
            for di in wk:
                w.u8(di)
        w.u8(len(self.days))
        for day in self.days:
            w.u8(len(day))
            for sec, val in day:
                w.u32(sec)
                w.u16(val)
        w.u8(len(self.special))
        for y, m, d, di in self.special:
            w.u16(y)
            w.u8(m)
            w.u8(d)
            w.u8(di)

    @staticmethod
    def load(r):
        seasons = [(r.u8(), r.u8(), r.u8()) for _ in range(r.u8())]
        weeks = [tuple(r.u8() for _ in range(7)) for _ in range(r.u8())]
        days = []
        for _ in range(r.u8()):
            days.append(tuple((r.u32(), r.u16()) for _ in range(r.u8())))
        special = [(r.u16(), r.u8(), r.u8(), r.u8()) for _ in range(r.u8())]
        return Calendar(seasons, weeks, days, special)
