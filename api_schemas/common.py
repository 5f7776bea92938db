"""Small shared types of the contract: ids, priorities, weekdays, quarter-hour amounts."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

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


def _on_quarter_hour(value: float | None) -> float | None:
    """Reject amounts that are not whole quarter hours, so nothing is silently rounded."""
    if value is not None and abs(value * UNITS_PER_HOUR - round(value * UNITS_PER_HOUR)) > 1e-9:
        raise ValueError("must be a whole number of quarter hours (e.g. 1.25, 7.5)")
    return value


#: Hours given to a quarter hour.
QuarterHours = Annotated[float, AfterValidator(_on_quarter_hour)]


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
