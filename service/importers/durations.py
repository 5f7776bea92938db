"""Durations as trackers write them, read into hours of work: `PT4H`, `1,5h`, `2 days`, `1w 2d`, `90 min`.

Two libraries do the reading, and this module only decides what a day and a week of work are worth:
- ISO 8601 (`PT4H`, `P1DT4H`, `P2W`) is parsed by isodate, the reference parser of the standard;
- free text (`4h`, `2 days`, `1d 4h`, `3h30m`, `45 minutes`) by pytimeparse's grammar, whose unit
  groups (weeks, days, hours, minutes, seconds) we read ourselves.
Both libraries count a day as 24 hours and a week as 7 days; an estimate's day is a working day
(`hours_per_day`, 8 by default, as in Jira's time tracking) and its week `days_per_week` of them.
A decimal comma (`1,5h`) reads as a decimal point. Months and years are refused: their length in work is unknown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation

import isodate
from pytimeparse.timeparse import COMPILED_TIMEFORMATS

#: Hours in a day of estimate and days in a week of estimate, unless an import mapping says otherwise.
HOURS_PER_ESTIMATE_DAY = 8.0
DAYS_PER_ESTIMATE_WEEK = 5

_DECIMAL_COMMA = re.compile(r"(?<=\d),(?=\d)")
_SECONDS_PER_HOUR = 3600


@dataclass(frozen=True)
class WorkUnits:
    """What a day and a week of estimate are worth in hours of work."""

    hours_per_day: float = HOURS_PER_ESTIMATE_DAY
    days_per_week: float = DAYS_PER_ESTIMATE_WEEK


class DurationError(ValueError):
    """A text that is not a duration of work; the message says why, for a note or a problem."""


def duration_hours(text: str, units: WorkUnits = WorkUnits()) -> float:
    """Hours of work in `text` (ISO 8601 or free text with units); a bare number is not a duration here."""
    cleaned = _DECIMAL_COMMA.sub(".", text.strip())
    if not cleaned:
        raise DurationError("it is empty")
    if cleaned[:1] in "pP" and cleaned[1:2].isalnum():
        return _iso_hours(cleaned, units)
    return _free_text_hours(cleaned, units)


def _iso_hours(text: str, units: WorkUnits) -> float:
    """An ISO 8601 duration: the date part in working days or weeks, the time part in hours."""
    date_part, _, time_part = text.upper().partition("T")
    hours = 0.0
    try:
        if date_part != "P":
            calendar = isodate.parse_duration(date_part)
            if not isinstance(calendar, timedelta):
                raise DurationError("months and years are not lengths of work; give days, weeks or hours")
            days = calendar.total_seconds() / 86400
            if "W" in date_part:
                days = days / 7 * units.days_per_week
            hours += days * units.hours_per_day
        if time_part:
            clock = isodate.parse_duration("PT" + time_part)
            if not isinstance(clock, timedelta):
                raise DurationError("it is not an ISO 8601 duration")
            hours += clock.total_seconds() / _SECONDS_PER_HOUR
    except isodate.ISO8601Error:
        raise DurationError("it is not an ISO 8601 duration such as PT4H or P1DT4H") from None
    return hours


def _free_text_hours(text: str, units: WorkUnits) -> float:
    """'2 days', '1d 4h', '90 min': pytimeparse's unit groups, with working days and weeks."""
    if ":" not in text:  # '1:30' is a clock time to pytimeparse (minutes and seconds), never an estimate
        for form in COMPILED_TIMEFORMATS:
            match = form.match(text)
            if match is None or not match.group(0).strip():
                continue
            groups = match.groupdict()
            try:
                amounts = {unit: Decimal(value) for unit, value in groups.items() if value}
            except InvalidOperation:
                break
            if not amounts:
                break
            day = Decimal(str(units.hours_per_day))
            per_hour = {
                "weeks": day * Decimal(str(units.days_per_week)),
                "days": day,
                "hours": Decimal(1),
                "mins": Decimal(1) / 60,
                "secs": Decimal(1) / _SECONDS_PER_HOUR,
            }
            return float(sum(amount * per_hour[unit] for unit, amount in amounts.items()))
    raise DurationError("it is not a duration such as 4h, 1.5 hours, 2 days, 1d 4h or PT4H")
