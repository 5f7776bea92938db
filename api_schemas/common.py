"""Small shared types of the contract: ids, priorities, weekdays, quarter-hour amounts, strict JSON scalars.

The contract takes JSON types as they are: numbers are JSON numbers (an integer is a number), booleans are
`true`/`false`, text and dates are strings; nothing is coerced (`"3"` is not 3 hours, `true` is not 1).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from enum import StrEnum
from typing import Annotated, TypeVar

from pydantic import AfterValidator, BeforeValidator, Field, Strict, StringConstraints, WithJsonSchema
from pydantic_core import PydanticCustomError

#: Code points no identifier may hold, as a regular-expression class body: controls (C0, DEL, C1), the soft
#: hyphen, line and paragraph separators, and the invisible formatting characters that hide or reorder text
#: (Arabic letter mark, zero-width space, left-to-right and right-to-left marks, embeddings, overrides and
#: isolates, word joiner and invisible operators, byte-order mark). Joiners (U+200C, U+200D) stay: emoji and
#: several scripts need them.
NOT_IN_IDENTIFIERS = (
    r"\u0000-\u001F\u007F-\u009F\u00AD\u061C\u200B\u200E\u200F\u2028-\u202E\u2060-\u2069\uFEFF"
)
_FORBIDDEN_IN_IDENTIFIERS = re.compile(f"[{NOT_IN_IDENTIFIERS}]")


def forbidden_identifier_character(text: str) -> str | None:
    """The first code point of `text` that no identifier may hold, as 'U+202E', or None."""
    found = _FORBIDDEN_IN_IDENTIFIERS.search(text)
    return f"U+{ord(found.group()):04X}" if found else None


#: Longest identifier.
IDENTIFIER_CHARS = 64

#: Identifiers of owners, issues, milestones, skills and scenarios: printable, no surrounding blanks.
Identifier = Annotated[
    str,
    StringConstraints(
        min_length=1,
        max_length=IDENTIFIER_CHARS,
        strip_whitespace=False,
        pattern=f"^[^\\s{NOT_IN_IDENTIFIERS}](?:[^{NOT_IN_IDENTIFIERS}]*[^\\s{NOT_IN_IDENTIFIERS}])?$",
    ),
    Field(description="Identifier, 1-64 printable characters, no leading or trailing blanks, no control or "
          "bidirectional-formatting characters (e.g. '#840')."),
]

#: Code points no display text (titles, names, descriptions) may hold, as a regular-expression class body:
#: controls (C0 with tab and line breaks, DEL, C1), line and paragraph separators, and the bidirectional
#: embeddings, overrides and isolates that make a title read differently from what it holds (CVE-2021-42574).
#: Such text reaches Markdown tables, ICS lines, the board and terminals, where a line break splits a row and
#: an override reverses what follows. Marks (LRM, RLM, ALM) and joiners stay: right-to-left titles need them.
NOT_IN_TEXT = r"\u0000-\u001F\u007F-\u009F\u2028-\u202E\u2066-\u2069"
_FORBIDDEN_IN_TEXT = re.compile(f"[{NOT_IN_TEXT}]")
#: The pattern of display text (in the schema, so clients can check it too).
TEXT_PATTERN = f"^[^{NOT_IN_TEXT}]*$"
#: What a planner reads when display text holds such a character (after 'contains U+202E, ').
TEXT_CHARACTER_MESSAGE = (
    "a control, line-break or bidirectional-formatting character (such as a right-to-left override); "
    "titles, names and descriptions must be one line of printable text"
)


def forbidden_text_character(text: str) -> str | None:
    """The first code point of `text` that no display text may hold, as 'U+202E', or None."""
    found = _FORBIDDEN_IN_TEXT.search(text)
    return f"U+{ord(found.group()):04X}" if found else None


def printable_text(text: str) -> str:
    """`text` with what display text may not hold taken out: line breaks and tabs become one space, the rest goes.

    For importers, which read titles as trackers store them and must not refuse a whole file for one title.
    """
    spaced = re.sub(r"[\t\n\v\f\r\u0085\u2028\u2029]+", " ", text)
    return _FORBIDDEN_IN_TEXT.sub("", spaced)


#: Free text such as titles and names: one line of printable text.
Text = Annotated[
    str,
    StringConstraints(max_length=300, pattern=TEXT_PATTERN),
    Field(description="Up to 300 characters of one-line text: no control, line-break or bidirectional-formatting "
          "characters."),
]

T = TypeVar("T")

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


def _exactly_on_quarter_hours(value: float) -> float:
    """Refuse what pydantic's float tolerance lets through (5e-324 is no multiple of 0.25, as the schema says)."""
    if not (value * UNITS_PER_HOUR).is_integer():
        raise ValueError(QUARTER_HOUR_MESSAGE)
    return value


#: Hours given to a quarter hour, so nothing is silently rounded (the schema says `multipleOf: 0.25`).
QuarterHours = Annotated[float, Strict(), Field(multiple_of=QUARTER_HOUR), AfterValidator(_exactly_on_quarter_hours)]
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
#: A wall-clock time without an offset: times are local to the team's calendar (JSON Schema's `time` and
#: `date-time` formats require an offset, so these are described by a pattern instead).
_LOCAL_TIME = r"\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?"
_LOCAL_TIME_TEXT = re.compile(_LOCAL_TIME)
_LOCAL_DATE_TIME_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}T" + _LOCAL_TIME)


def _from_iso_text(
    value: object, kind: type[T], text: re.Pattern[str], error_type: str, message: str
) -> T | object:
    """`value` read from ISO text of the given shape (an instance of `kind` from Python callers passes as it is).

    Parsed here, not by pydantic, so that numbers are never read as timestamps and a strict validation
    of JSON (a baseline plan's) reads the same text.
    """
    if isinstance(value, kind):
        return value
    if isinstance(value, str) and text.fullmatch(value):
        try:
            return kind.fromisoformat(value)  # type: ignore[attr-defined, no-any-return]
        except ValueError as error:
            raise PydanticCustomError(error_type, f"{message} ({error})") from None
    raise PydanticCustomError(error_type, message)


def _iso_date_text(value: object) -> object:
    """Accept a date only as ISO text 'YYYY-MM-DD' (or a `date` from Python callers), never a number."""
    return _from_iso_text(value, date, _ISO_DATE, "date_type", "Input should be a valid date in the format YYYY-MM-DD")


def _iso_time_text(value: object) -> object:
    """Accept a time of day only as ISO text such as '09:00', without an offset (or a `time` from Python)."""
    return _from_iso_text(
        value, time, _LOCAL_TIME_TEXT, "time_type", "Input should be a valid local time in the format HH:MM[:SS]"
    )


def _local_date_time_text(value: object) -> object:
    """Accept a date and time only as ISO text such as '2025-11-24T09:00:00', without an offset."""
    return _from_iso_text(
        value, datetime, _LOCAL_DATE_TIME_TEXT, "datetime_type",
        "Input should be a valid local date and time in the format YYYY-MM-DDTHH:MM:SS",
    )


#: A calendar date, as ISO text in JSON.
IsoDate = Annotated[date, BeforeValidator(_iso_date_text)]
#: A time of day on the team's clock, as ISO text without an offset ('09:00' or '09:00:00').
IsoTime = Annotated[
    time,
    BeforeValidator(_iso_time_text),
    WithJsonSchema({"type": "string", "pattern": f"^{_LOCAL_TIME}$", "examples": ["09:00:00"]}),
]
#: A date and time on the team's clock, as ISO text without an offset ('2025-11-24T09:00:00').
LocalDateTime = Annotated[
    datetime,
    BeforeValidator(_local_date_time_text),
    WithJsonSchema({"type": "string", "pattern": f"^{_LOCAL_DATE_TIME_TEXT.pattern}$",
                    "examples": ["2025-11-24T09:00:00"]}),
]


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
