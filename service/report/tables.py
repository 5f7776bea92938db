"""The plan as tables (pandas): one row per slot, and planned hours against capacity per owner and day."""

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
]
#: Columns of the load table, in order.
LOAD_COLUMNS = ["date", "owner", "planned_hours", "capacity_hours", "free_hours", "utilisation"]


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
        }
        for owner in view.result.owners
        for day in owner.days
    ]
    frame = pd.DataFrame(rows, columns=LOAD_COLUMNS)
    return frame.sort_values(["date", "owner"], kind="stable").reset_index(drop=True)


def slots_csv(view: PlanView) -> str:
    """The slot table as CSV text."""
    return str(slots_frame(view).to_csv(index=False, lineterminator="\n"))


def load_csv(view: PlanView) -> str:
    """The per-owner-per-day load table as CSV text."""
    return str(load_frame(view).to_csv(index=False, lineterminator="\n"))
