"""Calendar arithmetic on UTC seconds since 2000-01-01, integers only (no datetime on boards).

The core's one clock: every `now` and every time in behaviour is seconds since 2000-01-01 UTC
(ZigBee UTCTime, and the epoch of MicroPython on ESP32). DLMS date-times convert through here too.

2000-01-01 was a Saturday. Weekdays are numbered 0 = Monday .. 6 = Sunday, as in DLMS.
"""

from smets.compat import const

DAY = const(86400)
HOUR = const(3600)
HALF_HOUR = const(1800)
WEEK = const(604800)
UNIX_OFFSET = const(946684800)  # Unix time of 2000-01-01T00:00:00Z

# Activation date-time meaning "never" (the all-0xFF DLMS date-time). "Now" is any time <= now,
# conventionally 0 (the all-zero DLMS date-time).
NEVER = const(0xFFFFFFFF)
NOW = const(0)


def days_from_civil(y, m, d):
    """Days since 2000-01-01 for a proleptic Gregorian date (H. Hinnant's algorithm)."""
    if m <= 2:
        y -= 1
    era = y // 400
    yoe = y - era * 400
    mp = m - 3 if m > 2 else m + 9
    doy = (153 * mp + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 730425


def civil_from_days(z):
    """(year, month, day) for days since 2000-01-01."""
    z += 730425
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    if m <= 2:
        y += 1
    return y, m, d


def to_seconds(y, m, d, hh=0, mm=0, ss=0):
    return days_from_civil(y, m, d) * DAY + hh * HOUR + mm * 60 + ss


def weekday(t):
    """0 = Monday .. 6 = Sunday; 2000-01-01 (day 0) was a Saturday (5)."""
    return (t // DAY + 5) % 7


def day_start(t):
    return t - t % DAY


def next_boundary(t, step):
    """The first multiple of ``step`` strictly after ``t``."""
    return t - t % step + step


def add_months(t, months):
    """Same day-of-month and time ``months`` later, the day clamped to the month's length."""
    y, m, d = civil_from_days(t // DAY)
    tod = t % DAY
    m0 = m - 1 + months
    y += m0 // 12
    m = m0 % 12 + 1
    while d > 28 and civil_from_days(days_from_civil(y, m, d))[1] != m:
        d -= 1
    return days_from_civil(y, m, d) * DAY + tod
