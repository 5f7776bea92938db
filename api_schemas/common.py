"""Small shared types of the contract: ids, priorities, weekdays, quarter-hour amounts, strict JSON scalars.

The contract takes JSON types as they are: numbers are JSON numbers (an integer is a number), booleans are
`true`/`false`, text and dates are strings; nothing is coerced (`"3"` is not 3 hours, `true` is not 1).
"""

from __future__ import annotations

import re
from datetime import date, time
from enum import StrEnum
from typing import Annotated

from pydantic import BeforeValidator, Field, Strict, StringConstraints
from pydantic_core import PydanticCustomError

#: Identifiers of owners, issues, milestones and skills: printable, no surrounding blanks.
Identifier = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64, strip_whitespace=False, pattern=r"^\S(.*\S)?$"),
    Field(description="Identifier, 1-64 characters, no leading or trailing blanks (e.g. '#840')."),
]

#: Free text such as titles and names.
Text = Annotated[str, StringConstraints(max_length=300)]

#: Quarter hours in a day: the solver's time grid.
UNITS_PER_DAY = 96
#: Quarter hours in an hour.
UNITS_PER_HOUR = 4


#: A quarter hour in hours: the grain of every amount of hours (the schema's `multipleOf`).
QUARTER_HOUR = 1 / UNITS_PER_HOUR
#: What a planner reads when an amount is not on the quarter-hour grid.
QUARTER_HOUR_MESSAGE = "must be a whole number of quarter hours (e.g. 1.25, 7.5)"

#: A JSON number (an integer is one too); not a boolean, not text.
Number = Annotated[float, Strict()]
#: Hours given to a quarter hour, so nothing is silently rounded.
QuarterHours = Annotated[float, Strict(), Field(multiple_of=QUARTER_HOUR)]
#: A JSON boolean: `true` or `false`, not 0 or "yes".
Flag = Annotated[bool, Strict()]


def _json_integer(value: object) -> object:
    """Refuse booleans and text where an integer is due (1.0 is an integer, as JSON Schema says)."""
    if isinstance(value, bool | str | bytes):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


#: A JSON integer: not a boolean, not text.
Integer = Annotated[int, BeforeValidator(_json_integer)]

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date_text(value: object) -> object:
    """Accept a date only as ISO text 'YYYY-MM-DD' (or a `date` from Python callers), never a number."""
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        return value
    raise PydanticCustomError("date_type", "Input should be a valid date in the format YYYY-MM-DD")


def _iso_time_text(value: object) -> object:
    """Accept a time of day only as ISO text such as '09:00' (or a `time` from Python callers), never a number."""
    if isinstance(value, time | str):
        return value
    raise PydanticCustomError("time_type", "Input should be a valid time in the format HH:MM")


#: A calendar date, as ISO text in JSON.
IsoDate = Annotated[date, BeforeValidator(_iso_date_text)]
#: A time of day, as ISO text in JSON.
IsoTime = Annotated[time, BeforeValidator(_iso_time_text)]


class Priority(StrEnum):
    """Issue priority; P0 is the most urgent. The objective treats levels lexicographically."""

    P0 = "P0"
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"

    @property
    def rank(self) -> int:
        """0 for P0 up to 3 for P3."""
        return int(self.value[1])


class Weekday(StrEnum):
    """Day of the week, Monday first as in `datetime.date.weekday()`."""

    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"

    @property
    def number(self) -> int:
        """0 for Monday up to 6 for Sunday."""
        return list(Weekday).index(self)


WORKWEEK: tuple[Weekday, ...] = (Weekday.MON, Weekday.TUE, Weekday.WED, Weekday.THU, Weekday.FRI)
