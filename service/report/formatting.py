"""How a report writes hours, dates, shares and lists, so every format reads the same."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time

#: Longest list of ids written out in full before "and N more".
_LISTED_AT_MOST = 12


def hours(value: float) -> str:
    """'2 h', '7.5 h', '0.25 h'."""
    return f"{value:g} h"


def number(value: float) -> str:
    """A quantity of hours without the unit: '2', '7.5'."""
    return f"{value:g}"


def day(value: date) -> str:
    """'Mon 2025-11-24': the weekday helps a reader, the ISO date is unambiguous."""
    return f"{value:%a} {value.isoformat()}"


def clock(value: time) -> str:
    """'09:00'."""
    return f"{value:%H:%M}"


def instant(value: datetime) -> str:
    """'Mon 2025-11-24 11:00'."""
    return f"{day(value.date())} {clock(value.time())}"


def span(start: time, end: datetime) -> str:
    """'09:00-11:00' ('24:00' for a slot that ends at midnight)."""
    end_text = "24:00" if end.time() == time() else clock(end.time())
    return f"{clock(start)}-{end_text}"


def percent(part: float, whole: float) -> str:
    """'44%' (rounded to a whole percent); '—' when the whole is 0."""
    return f"{part / whole:.0%}" if whole else "—"


def ratio(value: float) -> str:
    """'1.31' for a load ratio."""
    return f"{value:.2f}"


def plural(count: int, noun: str, many: str | None = None) -> str:
    """'1 issue', '3 issues'."""
    return f"{count} {noun if count == 1 else (many or noun + 's')}"


def listed(items: Sequence[str]) -> str:
    """'#1, #2 and #3'; long lists end in 'and N more'. For the report's own lists: recommendations use the solver's."""
    shown = list(items[:_LISTED_AT_MOST])
    rest = len(items) - len(shown)
    if rest > 0:
        return ", ".join(shown) + f" and {rest} more"
    if len(shown) <= 1:
        return "".join(shown)
    return ", ".join(shown[:-1]) + " and " + shown[-1]
