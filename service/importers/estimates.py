"""Reading priorities and estimates out of labels, free text and cells.

Each reader returns what it found and what it could not read, so importers report instead of guessing.
Durations themselves are read by `durations.duration_hours`; here they are found, ranged and rounded.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from api_schemas.common import UNITS_PER_HOUR, Priority
from service.importers.durations import DurationError, WorkUnits, duration_hours

#: Label (normalised: lower case, separators as ':') to priority; `normalise_label` shows the form.
DEFAULT_PRIORITY_LABELS: dict[str, Priority] = {
    "p0": Priority.P0,
    "p1": Priority.P1,
    "p2": Priority.P2,
    "p3": Priority.P3,
    "critical": Priority.P0,
    "priority:critical": Priority.P0,
    "priority:urgent": Priority.P0,
    "priority:high": Priority.P1,
    "priority:medium": Priority.P2,
    "priority:low": Priority.P3,
}
#: Size label (normalised) to hours.
DEFAULT_SIZE_LABELS: dict[str, float] = {
    "size:xs": 1,
    "size:s": 2,
    "size:m": 4,
    "size:l": 8,
    "size:xl": 16,
}
#: Priority words as trackers and people write them (Jira, Linear, GitHub Projects), lower case.
PRIORITY_WORDS: dict[str, Priority] = {
    "p0": Priority.P0, "p1": Priority.P1, "p2": Priority.P2, "p3": Priority.P3,
    "blocker": Priority.P0, "critical": Priority.P0, "urgent": Priority.P0, "highest": Priority.P0,
    "high": Priority.P1, "major": Priority.P1,
    "medium": Priority.P2, "normal": Priority.P2,
    "low": Priority.P3, "lowest": Priority.P3, "minor": Priority.P3, "trivial": Priority.P3,
}

_SEPARATOR = re.compile(r"\s*[:/=]\s*|\s+")
_PRIORITY_IN_LABEL = re.compile(r"(?<![a-z0-9])p([0-3])(?![0-9])")
_ESTIMATE_LABEL = re.compile(r"^\s*(?:estimate|est|time|effort|hours)\s*[:/=]\s*(?P<amount>.+?)\s*$", re.IGNORECASE)
_ESTIMATE_LINE = re.compile(
    r"(?im)^[\s>*_-]*(?:estimated\s+time|estimated\s+effort|time\s+estimate|estimate|effort)[\s*_]*[:\uFF1A]"
    r"[\s*_]*(?P<amount>.*?)[\s*_]*$"
)
_NUMBER = re.compile(r"^\d+(?:[.,]\d+)?$")
_RANGE = re.compile(r"^(?P<low>\d+(?:[.,]\d+)?)\s*[a-z]*\s*(?:-|\u2013|to)\s*(?P<high>\d.*)$", re.IGNORECASE)
#: Words after an amount that a reader may drop ('4h (incl. review)', '2 days, maybe 3').
_MAX_TRAILING_WORDS = 6


def normalise_label(label: str) -> str:
    """'Priority: High' -> 'priority:high'; 'size/M' -> 'size:m'; so label maps match however labels are spelt."""
    return _SEPARATOR.sub(":", label.strip().lower())


@dataclass(frozen=True)
class Estimate:
    """Hours read from a label, text or cell, with what a reader should know about how they were read."""

    hours: float
    source: str
    note: str | None = None


@dataclass
class EstimateReading:
    """Every estimate found in an issue's labels or text, and every estimate-like text that could not be read."""

    found: list[Estimate] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)


def to_quarter_hours(hours: float) -> float:
    """Round up to the planner's quarter-hour grid."""
    return math.ceil(hours * UNITS_PER_HOUR - 1e-9) / UNITS_PER_HOUR


def read_amount(text: str, source: str, units: WorkUnits = WorkUnits()) -> Estimate:  # noqa: B008 - frozen
    """An estimate written by a person: '4' (hours), '1,5h', '2 days', 'PT4H', '2-3h' (its upper end).

    Raises `DurationError` when the text holds no amount; words after a readable amount are dropped, with a note.
    """
    notes: list[str] = []
    amount = text.strip()
    ranged = _RANGE.match(amount)
    if ranged:
        amount = ranged.group("high")
        notes.append(f"range '{text.strip()}' read as its upper end")
    hours, dropped = _leading_hours(amount, units)
    if dropped:
        notes.append(f"'{dropped}' after the amount not read")
    rounded = to_quarter_hours(hours)
    if rounded != hours:
        notes.append(f"{hours:g} h rounded up to {rounded:g} h")
    return Estimate(rounded, source, "; ".join(notes) or None)


def _leading_hours(text: str, units: WorkUnits) -> tuple[float, str]:
    """Hours of the longest leading run of words that reads as an amount, and the words left over."""
    words = text.split()
    for keep in range(len(words), max(len(words) - _MAX_TRAILING_WORDS, 1) - 1, -1):
        head = " ".join(words[:keep]).rstrip(".,;")
        try:
            return _hours(head, units), " ".join(words[keep:])
        except DurationError:
            continue
    raise DurationError(f"'{text}' is not an amount of work such as 4h, 1.5 hours, 2 days or PT4H")


def _hours(text: str, units: WorkUnits) -> float:
    """A bare number is hours; anything else must be a duration."""
    if _NUMBER.match(text):
        return float(text.replace(",", "."))
    return duration_hours(text, units)


def read_labels(
    labels: Iterable[str], size_labels: Mapping[str, float], units: WorkUnits = WorkUnits()  # noqa: B008
) -> EstimateReading:
    """Every 'estimate: 4h' / 'estimate: 2 days' label and size label (e.g. 'size: M') with its hours."""
    sizes = {normalise_label(label): hours for label, hours in size_labels.items()}
    reading = EstimateReading()
    for label in labels:
        match = _ESTIMATE_LABEL.match(label)
        if match:
            try:
                reading.found.append(read_amount(match.group("amount"), f"label '{label}'", units))
            except DurationError:
                reading.unreadable.append(f"label '{label}'")
            continue
        hours = sizes.get(normalise_label(label))
        if hours is not None:
            reading.found.append(Estimate(to_quarter_hours(hours), f"size label '{label}'"))
    return reading


def read_text(text: str, units: WorkUnits = WorkUnits()) -> EstimateReading:  # noqa: B008 - frozen
    """Every 'Estimate: 4h' / 'Estimated Time: 2-3 hours' line of a text."""
    reading = EstimateReading()
    for match in _ESTIMATE_LINE.finditer(text or ""):
        amount = match.group("amount")
        try:
            reading.found.append(read_amount(amount, "body", units))
        except DurationError:
            reading.unreadable.append(f"body line '{match.group(0).strip()}'")
    return reading


def estimate_from_labels(labels: Iterable[str], size_labels: Mapping[str, float]) -> Estimate | None:
    """The first estimate or size label that gives hours."""
    found = read_labels(labels, size_labels).found
    return found[0] if found else None


def estimate_from_text(text: str) -> Estimate | None:
    """The first readable 'Estimate: 4h' line of a text."""
    found = read_text(text).found
    return found[0] if found else None


def priority_from_labels(labels: Iterable[str], priority_labels: Mapping[str, Priority]) -> list[Priority]:
    """Every priority the labels name: mapped labels first, then any 'P0'-'P3' inside a label."""
    mapping = {normalise_label(label): priority for label, priority in priority_labels.items()}
    found: list[Priority] = []
    for label in labels:
        normal = normalise_label(label)
        if normal in mapping:
            found.append(mapping[normal])
            continue
        match = _PRIORITY_IN_LABEL.search(normal)
        if match:
            found.append(Priority(f"P{match.group(1)}"))
    return found
