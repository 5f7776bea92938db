"""Small helpers that put numbers and lists into words the same way everywhere."""

from __future__ import annotations

#: Ending of every note about a value that more time could give (what makes recommendations incomplete).
SHORT_OF_TIME = "within the time budget"

#: Most items a list shows before "and N more".
LISTED = 4


def listed(items: list[str]) -> str:
    """Items joined with commas, long lists shortened."""
    if len(items) <= LISTED:
        return ", ".join(items)
    return f"{', '.join(items[:LISTED])} and {len(items) - LISTED} more"


def percent(ratio: float) -> str:
    """A ratio as a whole percentage."""
    return f"{ratio:.0%}"


def short_of_time(what: str) -> str:
    """A note that `what` could not be done within the time budget."""
    return f"{what} {SHORT_OF_TIME}"


def count(number: int, noun: str) -> str:
    """'1 working day', '3 working days'."""
    return f"{number} {noun}{'' if number == 1 else 's'}"
