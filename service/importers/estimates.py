"""Reading priorities, estimates and issue references out of labels and free text.

Each reader returns what it found and what it could not read, so importers report instead of guessing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from api_schemas.common import UNITS_PER_HOUR, Priority

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
#: Hours in an estimate of one day ('2d') and days in a week ('1w').
HOURS_PER_ESTIMATE_DAY = 8.0
DAYS_PER_ESTIMATE_WEEK = 5

_SEPARATOR = re.compile(r"\s*[:/=]\s*|\s+")
_PRIORITY_IN_LABEL = re.compile(r"(?<![a-z0-9])p([0-3])(?![0-9])")
_AMOUNT = (
    r"(\d+(?:\.\d+)?)(?:\s*(?:-|\u2013|to)\s*(\d+(?:\.\d+)?))?"
    r"\s*(h|hr|hrs|hours?|d|days?|w|wk|weeks?|m|mins?|minutes?)?"
)
_ESTIMATE_LABEL = re.compile(rf"^(?:estimate|est|time|effort|hours):{_AMOUNT}$")
_ESTIMATE_LINE = re.compile(
    r"(?im)^[\s>*_-]*(?:estimated\s+time|estimated\s+effort|time\s+estimate|estimate|effort)[\s*_]*[:\uFF1A][\s*_]*"
    + _AMOUNT
)
_UNIT_HOURS = {"h": 1.0, "d": HOURS_PER_ESTIMATE_DAY, "w": HOURS_PER_ESTIMATE_DAY * DAYS_PER_ESTIMATE_WEEK, "m": 1 / 60}


def normalise_label(label: str) -> str:
    """'Priority: High' -> 'priority:high'; 'size/M' -> 'size:m'; so label maps match however labels are spelt."""
    return _SEPARATOR.sub(":", label.strip().lower())


@dataclass(frozen=True)
class Estimate:
    """Hours read from a label or text, with what a reader should know about how they were read."""

    hours: float
    source: str
    note: str | None = None


def to_quarter_hours(hours: float) -> float:
    """Round up to the planner's quarter-hour grid."""
    return math.ceil(hours * UNITS_PER_HOUR - 1e-9) / UNITS_PER_HOUR


def _estimate_from(match: re.Match[str], source: str) -> Estimate:
    low, high, unit = match.group(1), match.group(2), (match.group(3) or "h").lower()
    factor = _UNIT_HOURS[unit[0]]
    hours = float(high or low) * factor
    notes = []
    if high:
        notes.append(f"range {low}-{high}{unit[0]} read as its upper end")
    rounded = to_quarter_hours(hours)
    if rounded != hours:
        notes.append(f"{hours:g} h rounded up to {rounded:g} h")
    return Estimate(rounded, source, "; ".join(notes) or None)


def estimate_from_labels(labels: Iterable[str], size_labels: Mapping[str, float]) -> Estimate | None:
    """The first 'estimate: 4h' label or size label (e.g. 'size: M') that gives hours."""
    sizes = {normalise_label(label): hours for label, hours in size_labels.items()}
    for label in labels:
        normal = normalise_label(label)
        match = _ESTIMATE_LABEL.match(normal)
        if match:
            return _estimate_from(match, f"label '{label}'")
        if normal in sizes:
            return Estimate(to_quarter_hours(sizes[normal]), f"size label '{label}'")
    return None


def estimate_from_text(text: str) -> Estimate | None:
    """The first 'Estimate: 4h' / 'Estimated Time: 2-3 hours' line of a text."""
    match = _ESTIMATE_LINE.search(text or "")
    return _estimate_from(match, "body") if match else None


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
