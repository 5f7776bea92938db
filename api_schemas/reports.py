"""Reports of a plan over HTTP: the request and its plan in, one file (Markdown, CSV, iCalendar, PNG...) out."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from api_schemas.common import Integer
from api_schemas.request import PlanRequest
from api_schemas.result import PlanResult

#: A one-issue request and its plan, as /v1/plans returns it (trimmed to the fields without defaults).
REPORT_EXAMPLE: dict[str, Any] = {
    "request": {
        "start_date": "2025-11-24",
        "owners": [{"id": "ana", "hours_per_day": 8}],
        "milestones": [{"id": "M1", "due": "2025-11-25"}],
        "issues": [{"id": "#1", "title": "Schema", "estimate_hours": 4, "milestone": "M1"}],
    },
    "plan": {
        "status": "OPTIMAL",
        "objective": [
            {"name": "P2 lateness (working days)", "value": 0, "bound": 0, "proven": True},
            {"name": "P2 finish (team quarter hours)", "value": 52, "bound": 52, "proven": True},
        ],
        "solve_time_s": 0.1,
        "start_date": "2025-11-24",
        "horizon_end": "2025-11-26",
        "issues": [{
            "id": "#1", "title": "Schema", "priority": "P2", "milestone": "M1", "status": "planned", "owner": "ana",
            "hours": 4.0, "start": "2025-11-24T09:00:00", "finish": "2025-11-24T13:00:00",
            "slots": [{"date": "2025-11-24", "start": "09:00:00", "hours": 4.0}], "deadline": "2025-11-25",
        }],
        "milestones": [{
            "id": "M1", "due": "2025-11-25", "projected_finish": "2025-11-24", "status": "on_track", "issues": 1,
            "work_hours": 4.0, "capacity_hours_before_due": 16.0, "load_ratio": 0.25,
        }],
        "owners": [{
            "id": "ana", "hours_per_day": 8.0, "planned_hours": 4.0, "capacity_hours": 8.0, "utilisation": 0.5,
            "days": [{"date": "2025-11-24", "hours": 4.0, "capacity": 8.0}],
        }],
        "checked": True,
    },
}


class ReportRequest(BaseModel):
    """A plan request and the plan of it to write out (the plan is checked against the request first)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [REPORT_EXAMPLE]})

    request: PlanRequest = Field(description="The request the plan answers (reports read its dependencies).")
    plan: PlanResult = Field(description="A plan of `request`, as /v1/plans returned it.")
    days: Integer | None = Field(
        default=None, ge=1, le=366, description="Days the week plan covers (default: the report's own)."
    )
