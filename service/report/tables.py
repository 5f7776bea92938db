"""The plan as tables (pandas): one row per slot, and planned hours against capacity per owner and day.

The CSV text is safe to open in a spreadsheet: a text cell that starts like a formula (`=`, `+`, `-`, `@`, a tab
or a carriage return) gets a leading apostrophe, so it shows as text and is never evaluated (formula injection).
Lines end in CRLF, as RFC 4180 says, so a cell holding a carriage return is quoted like one holding a newline.
With `bom=True` the text starts with a UTF-8 byte order mark, which Excel needs to read non-ASCII text as UTF-8.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd

from service.report.plan_view import PlanView, part_label

#: Columns of the slot table, in order; docs/week-plan.md describes them.
SLOT_COLUMNS = [
    "date",
    "start",
    "end",
    "hours",
    "owner",
    "issue",
    "title",
    "priority",
    "milestone",
    "deadline",
    "part",
    "completes_issue",
    "issue_late",
    "owner_name",
    "url",
]
#: Columns of the load table, in order.
LOAD_COLUMNS = ["date", "owner", "planned_hours", "capacity_hours", "free_hours", "utilisation", "owner_name"]
#: First characters that make a spreadsheet read a cell as a formula (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Byte order mark that tells spreadsheets (Excel) the CSV is UTF-8.
UTF8_BOM = "\ufeff"


def slots_frame(view: PlanView) -> pd.DataFrame:
    """Every slot of the plan, by date, owner and start time."""
    rows = []
    for issue in view.planned:
        for slot in issue.slots:
            starts = datetime.combine(slot.date, slot.start)
            ends = starts + timedelta(hours=slot.hours)
            rows.append(
                {
                    "date": slot.date.isoformat(),
                    "start": starts.strftime("%H:%M"),
                    "end": "24:00" if ends.date() > slot.date else ends.strftime("%H:%M"),
                    "hours": slot.hours,
                    "owner": issue.owner or "",
                    "issue": issue.id,
                    "title": issue.title,
                    "priority": issue.priority.value,
                    "milestone": issue.milestone or "",
                    "deadline": issue.deadline.isoformat() if issue.deadline else "",
                    "part": part_label(issue, starts),
                    "completes_issue": slot == issue.slots[-1],
                    "issue_late": issue.late,
                    "owner_name": view.owner_label(issue.owner) if issue.owner else "",
                    "url": view.issue_url(issue.id) or "",
                }
            )
    frame = pd.DataFrame(rows, columns=SLOT_COLUMNS)
    return frame.sort_values(["date", "owner", "start", "issue"], kind="stable").reset_index(drop=True)


def load_frame(view: PlanView) -> pd.DataFrame:
    """Planned hours, capacity and free hours per owner and working day, from the plan start to its last slot."""
    rows = [
        {
            "date": day.date.isoformat(),
            "owner": owner.id,
            "planned_hours": day.hours,
            "capacity_hours": day.capacity,
            "free_hours": day.capacity - day.hours,
            "utilisation": round(day.hours / day.capacity, 4) if day.capacity else 0.0,
            "owner_name": view.owner_label(owner.id),
        }
        for owner in view.result.owners
        for day in owner.days
    ]
    frame = pd.DataFrame(rows, columns=LOAD_COLUMNS)
    return frame.sort_values(["date", "owner"], kind="stable").reset_index(drop=True)


def spreadsheet_safe(value: object) -> object:
    """A text cell as a spreadsheet shows it literally: "'=1+1" for "=1+1"; other values unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(frame: pd.DataFrame, bom: bool = False) -> str:
    """A table as CSV text with every text cell made spreadsheet-safe (and a BOM first when asked)."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(spreadsheet_safe)
    text = str(safe.to_csv(index=False, lineterminator="\r\n"))
    return UTF8_BOM + text if bom else text


def slots_csv(view: PlanView, bom: bool = False) -> str:
    """The slot table as CSV text."""
    return to_csv(slots_frame(view), bom)


def load_csv(view: PlanView, bom: bool = False) -> str:
    """The per-owner-per-day load table as CSV text."""
    return to_csv(load_frame(view), bom)
