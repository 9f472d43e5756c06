"""Behaviour's name for the core's calendar arithmetic (kept so behaviour modules read naturally)."""

from smets.timeutil import (  # noqa: F401
    DAY,
    HALF_HOUR,
    HOUR,
    NEVER,
    NOW,
    UNIX_OFFSET,
    WEEK,
    add_months,
    civil_from_days,
    day_start,
    days_from_civil,
    next_boundary,
    to_seconds,
    weekday,
)
