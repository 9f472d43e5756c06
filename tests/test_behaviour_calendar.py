"""Calendar engine, date arithmetic and the non-disablement calendars: midnight, seasons, special days."""

from smets.behaviour.calendar import Calendar, Limits
from smets.behaviour.errors import BehaviourError
from smets.behaviour.nondisablement import EsmeSchedule, GsmeCalendar
from smets.behaviour.timeutil import (
    DAY,
    HOUR,
    add_months,
    civil_from_days,
    days_from_civil,
    to_seconds,
    weekday,
)
from support import raised


def test_epoch_and_known_dates():
    assert to_seconds(2000, 1, 1) == 0
    # RTDS 6.13_CS10a decodes event time 0x1C35F900 = 473299200 as 2014-12-31 00:00:00 (spec §2.1
    # says 2015-01-01, one day off: 15 years of 365 days plus the leap days of 2000, 04, 08, 12).
    assert to_seconds(2014, 12, 31) == 473299200
    assert to_seconds(2015, 1, 1) == (15 * 365 + 4) * DAY
    assert weekday(0) == 5  # 2000-01-01 was a Saturday
    assert weekday(to_seconds(2024, 1, 1)) == 0  # a Monday
    assert days_from_civil(2024, 3, 1) - days_from_civil(2024, 2, 28) == 2  # leap year
    assert days_from_civil(2100, 3, 1) - days_from_civil(2100, 2, 28) == 1  # not a leap year
    for dn in (0, 59, 60, 365, 366, 9000, 36524, -1, -400):
        assert days_from_civil(*civil_from_days(dn)) == dn


def test_add_months_clamps_to_month_end():
    assert add_months(to_seconds(2024, 1, 31, 6), 1) == to_seconds(2024, 2, 29, 6)
    assert add_months(to_seconds(2023, 1, 31), 1) == to_seconds(2023, 2, 28)
    assert add_months(to_seconds(2024, 11, 15), 3) == to_seconds(2025, 2, 15)


def _two_rate():
    # night rate 1 from 00:00, day rate 2 from 07:00
    return Calendar(((1, 1, 0),), ((0,) * 7,), (((0, 1), (7 * HOUR, 2)),))


def test_switch_times_exactly_at_one_second_before_and_after():
    cal = _two_rate()
    d = to_seconds(2024, 5, 5)
    assert cal.value_at(d + 7 * HOUR - 1) == 1
    assert cal.value_at(d + 7 * HOUR) == 2
    assert cal.value_at(d + 7 * HOUR + 1) == 2
    assert cal.value_at(d - 1) == 2  # 23:59:59 the day before
    assert cal.value_at(d) == 1  # midnight switch


def test_previous_day_value_carries_over_midnight_when_no_midnight_switch():
    # day profile 0 switches to 3 at 22:00 only; profile 1 switches to 1 at 06:00 only
    cal = Calendar(((1, 1, 0),), ((0, 1, 0, 1, 0, 1, 1),), (((22 * HOUR, 3),), ((6 * HOUR, 1),)))
    mon = to_seconds(2024, 1, 1)
    assert cal.value_at(mon + HOUR) == 1  # Monday 01:00: Sunday (profile 1) ended at value 1
    tue = mon + DAY
    assert cal.value_at(tue + HOUR) == 3  # Tuesday 01:00: Monday (profile 0) ended at 3
    assert cal.value_at(tue + 6 * HOUR) == 1


def test_season_changes_at_their_start_dates_and_wrap_over_new_year():
    # winter from 1 Nov uses week 0 (rate 1), summer from 1 Apr uses week 1 (rate 2)
    cal = Calendar(((4, 1, 1), (11, 1, 0)), ((0,) * 7, (1,) * 7), (((0, 1),), ((0, 2),)))
    assert cal.value_at(to_seconds(2024, 3, 31, 23, 59, 59)) == 1
    assert cal.value_at(to_seconds(2024, 4, 1)) == 2
    assert cal.value_at(to_seconds(2024, 10, 31, 12)) == 2
    assert cal.value_at(to_seconds(2024, 11, 1)) == 1
    assert cal.value_at(to_seconds(2025, 1, 15)) == 1  # before the first start: last season runs


def test_special_days_every_year_and_one_year_only():
    cal = Calendar(
        ((1, 1, 0),), ((0,) * 7,), (((0, 1),), ((0, 4),), ((0, 3),)), ((0, 12, 25, 1), (2024, 5, 6, 2))
    )
    assert cal.value_at(to_seconds(2024, 12, 25, 10)) == 4
    assert cal.value_at(to_seconds(2031, 12, 25, 10)) == 4
    assert cal.value_at(to_seconds(2024, 5, 6, 10)) == 3
    assert cal.value_at(to_seconds(2025, 5, 6, 10)) == 1
    assert cal.value_at(to_seconds(2024, 12, 26, 0)) == 1


def test_calendar_limits_are_enforced():
    lim = Limits(1, 1, 1, 2, 0, 5)
    ok = Calendar(((1, 1, 0),), ((0,) * 7,), (((0, 1), (HOUR, 2)),))
    ok.validate(lim)
    assert raised(
        BehaviourError,
        Calendar(((1, 1, 0),), ((0,) * 7,), (((0, 1), (HOUR, 2), (2 * HOUR, 3)),)).validate,
        lim,
    )
    assert raised(BehaviourError, Calendar(((1, 1, 0),), ((0,) * 7,), (((0, 6),),)).validate, lim)
    assert raised(BehaviourError, Calendar(((1, 1, 0),), ((0,) * 6,), (((0, 1),),)).validate, lim)
    assert raised(
        BehaviourError, Calendar(((1, 1, 0),), ((0,) * 7,), (((0, 1),),), ((0, 1, 1, 0),)).validate, lim
    )


def test_esme_schedule_weekdays_special_days_and_date_range():
    mon = to_seconds(2024, 1, 1)
    weekdays = 0x1F  # Monday..Friday
    sched = EsmeSchedule(
        (
            (True, True, 17 * HOUR, weekdays, 0, None, None),
            (True, False, 19 * HOUR, weekdays, 0, None, None),
            (True, True, 0, 0, 1 << 2, None, None),  # special-day id 2: all day
            (False, True, 8 * HOUR, 0x7F, 0, None, None),  # disabled entry
            (True, True, 9 * HOUR, 0x7F, 0, days_from_civil(2024, 1, 3), days_from_civil(2024, 1, 3)),
            (True, False, 10 * HOUR, 0x7F, 0, days_from_civil(2024, 1, 3), days_from_civil(2024, 1, 3)),
        ),
        ((2024, 1, 5, 2),),
    )
    assert not sched.is_active(mon + 17 * HOUR - 1)
    assert sched.is_active(mon + 17 * HOUR)
    assert sched.is_active(mon + 19 * HOUR - 1)
    assert not sched.is_active(mon + 19 * HOUR)
    assert not sched.is_active(mon + 8 * HOUR)  # the disabled entry does nothing
    assert not sched.is_active(mon + 9 * HOUR)  # the dated entry only runs on 3 January
    assert sched.is_active(mon + 2 * DAY + 9 * HOUR)
    assert not sched.is_active(mon + 2 * DAY + 10 * HOUR)
    fri = mon + 4 * DAY  # special day: weekday entries do not run, the special one does
    assert sched.is_active(fri + 1)
    assert sched.is_active(fri + 20 * HOUR)
    sat = mon + 5 * DAY  # carried over from Friday's last state (start at 00:00)
    assert sched.is_active(sat + HOUR)


def test_esme_schedule_limits():
    e = (True, True, 0, 0x7F, 0, None, None)
    EsmeSchedule((e,) * 22)
    assert raised(BehaviourError, EsmeSchedule, (e,) * 23)
    assert raised(BehaviourError, EsmeSchedule, (), ((0, 1, d, 0) for d in range(1, 22)))


def test_gsme_non_disablement_calendar_rules():
    cal = Calendar(
        ((1, 1, 0),), ((0, 0, 0, 0, 0, 1, 1),), (((0, 0), (18 * HOUR, 1), (21 * HOUR, 0)), ((0, 1),))
    )
    nd = GsmeCalendar(cal)
    mon = to_seconds(2024, 1, 1)
    assert not nd.is_active(mon + 18 * HOUR - 1)
    assert nd.is_active(mon + 18 * HOUR)
    assert not nd.is_active(mon + 21 * HOUR)
    assert nd.is_active(mon + 5 * DAY)
    # the first switch point must be at midnight; at most 3 points, 5 day profiles, 2 weeks, 3 seasons
    assert raised(BehaviourError, GsmeCalendar, Calendar(((1, 1, 0),), ((0,) * 7,), (((60, 1),),)))
    four = (((0, 0), (1, 1), (2, 0), (3, 1)),)
    assert raised(BehaviourError, GsmeCalendar, Calendar(((1, 1, 0),), ((0,) * 7,), four))
    assert raised(BehaviourError, GsmeCalendar, Calendar(((1, 1, 0),), ((0,) * 7,) * 3, (((0, 0),),)))
