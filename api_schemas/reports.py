"""Reports of a plan over HTTP: the request and its plan in, one file (Markdown, CSV, iCalendar, PNG...) out."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from api_schemas.common import Integer
from api_schemas.request import PlanRequest
from api_schemas.result import PlanResult


class ReportRequest(BaseModel):
    """A plan request and the plan of it to write out (the plan is checked against the request first)."""

    model_config = ConfigDict(extra="forbid")

    request: PlanRequest = Field(description="The request the plan answers (reports read its dependencies).")
    plan: PlanResult = Field(description="A plan of `request`, as /v1/plans returned it.")
    days: Integer | None = Field(
        default=None, ge=1, le=366, description="Days the week plan covers (default: the report's own)."
    )
