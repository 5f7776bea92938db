"""Request and response models of the HTTP API that are not plans themselves.

What-if requests (named scenarios of RFC 6902 patches) and their answers (summaries and differences),
the validation report with its summary, health and version answers, and RFC 9457 problem details.
"""

from __future__ import annotations

import copy
from collections import Counter
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, field_validator, model_validator

from api_schemas.common import Flag, Identifier, LocalDateTime, Text
from api_schemas.examples import PLAN_REQUEST_EXAMPLE
from api_schemas.problems import Problem
from api_schemas.request import PlanRequest
from api_schemas.result import MilestoneStatus, ObjectiveStage, PlanResult, SolveStatus

#: Most scenarios one what-if request may carry (the service may allow fewer).
MAX_SCENARIOS = 20
#: Most operations in one scenario's patch.
MAX_OPERATIONS = 1000


class _Model(BaseModel):
    """Strict base: unknown fields are errors."""

    model_config = ConfigDict(extra="forbid")


# --- what-if request -----------------------------------------------------------------------------------------


class PatchOperation(_Model):
    """One RFC 6902 JSON Patch operation on the base request (e.g. replace an estimate, add an owner)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    op: Literal["add", "remove", "replace", "move", "copy", "test"]
    path: str = Field(max_length=1000, description="JSON Pointer (RFC 6901) into the request, e.g. '/owners/-'.")
    from_: str | None = Field(
        default=None, alias="from", max_length=1000, description="Source pointer of 'move' and 'copy'."
    )
    value: JsonValue = Field(default=None, description="Value of 'add', 'replace' and 'test'.")

    @field_validator("path", "from_")
    @classmethod
    def _is_pointer(cls, value: str | None) -> str | None:
        """Require a JSON Pointer (empty or starting with '/'), so a missing slash is caught before patching."""
        if value and not value.startswith("/"):
            raise ValueError("must be a JSON Pointer starting with '/', e.g. '/issues/0/estimate_hours'")
        return value

    @model_validator(mode="after")
    def _has_its_members(self) -> PatchOperation:
        """Each operation needs its own members: 'value' for add/replace/test, 'from' for move/copy."""
        if self.op in ("add", "replace", "test") and "value" not in self.model_fields_set:
            raise ValueError(f"an operation '{self.op}' needs a 'value'")
        if self.op in ("move", "copy") and self.from_ is None:
            raise ValueError(f"an operation '{self.op}' needs a 'from' pointer")
        return self

    def as_rfc6902(self) -> dict[str, Any]:
        """Return the operation as the plain JSON object RFC 6902 describes."""
        return self.model_dump(by_alias=True, exclude_unset=True)


class Scenario(_Model):
    """A named change to the base request, as a JSON Patch."""

    name: Identifier = Field(description="Scenario name, unique in the request, e.g. 'add-agent'.")
    description: Text | None = Field(default=None, description="What the scenario tries, in words.")
    patch: list[PatchOperation] = Field(
        min_length=1, max_length=MAX_OPERATIONS, description="RFC 6902 operations applied in order to the base."
    )


WHAT_IF_EXAMPLE: dict[str, Any] = {
    "base": copy.deepcopy(PLAN_REQUEST_EXAMPLE),
    "scenarios": [
        {
            "name": "add-agent",
            "description": "A second coding agent joins.",
            "patch": [
                {
                    "op": "add",
                    "path": "/owners/-",
                    "value": {"id": "agent-2", "hours_per_day": 24, "skills": ["backend", "infra"]},
                }
            ],
        },
        {
            "name": "bigger-reconstruction",
            "patch": [{"op": "replace", "path": "/issues/2/estimate_hours", "value": 16}],
        },
        {"name": "drop-841", "patch": [{"op": "remove", "path": "/issues/1"}]},
        {"name": "later-due", "patch": [{"op": "replace", "path": "/milestones/1/due", "value": "2025-12-05"}]},
    ],
}


class WhatIfRequest(_Model):
    """A base plan request and named scenarios to compare with it."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [WHAT_IF_EXAMPLE]})

    base: PlanRequest = Field(description="The request as it is today (the baseline).")
    scenarios: list[Scenario] = Field(min_length=1, max_length=MAX_SCENARIOS)
    include_plans: Flag = Field(
        default=False, description="Also return the full plan of the baseline and of each scenario."
    )
    baseline_plan: PlanResult | None = Field(
        default=None,
        description="A plan of `base` from an earlier call (this endpoint's `baseline_plan`, or `/v1/plans`). "
        "It is checked against `base` (a plan that does not fit is a 422) and becomes the baseline without "
        "planning the base again, and every scenario's search starts from it (a warm start).",
    )

    @field_validator("scenarios")
    @classmethod
    def _unique_names(cls, scenarios: list[Scenario]) -> list[Scenario]:
        """Scenario names identify the answers, so they must differ."""
        counts = Counter(scenario.name for scenario in scenarios)
        repeated = sorted(name for name, count in counts.items() if count > 1)
        if repeated:
            raise ValueError(f"scenario names must be unique; repeated: {', '.join(repeated)}")
        return scenarios


# --- what-if response -------------------------------------------------------------------------------------------


class MilestoneSummary(_Model):
    """Where a milestone lands in one plan."""

    id: str
    due: date | None = None
    projected_finish: date | None = None
    status: MilestoneStatus
    lateness_working_days: int = 0


class PlanSummary(_Model):
    """The headline numbers of one plan."""

    status: SolveStatus
    gap: float = 0.0
    objective: list[ObjectiveStage] = Field(default_factory=list)
    solve_time_s: float
    planned_issues: int
    unplanned_issues: int
    done_issues: int
    unscheduled_issues: int = Field(default=0, description="Issues with work but no place: the plan has none.")
    late_issues: int
    last_finish: LocalDateTime | None = Field(default=None, description="Finish of the last planned issue.")
    milestones: list[MilestoneSummary] = Field(default_factory=list)
    warnings: int = Field(default=0, description="Number of warnings in the plan.")


class MilestoneMove(_Model):
    """A milestone whose projected finish differs from the baseline."""

    id: str
    before: date | None = Field(description="Projected finish in the baseline (None: nothing planned).")
    after: date | None = Field(description="Projected finish in the scenario (None: nothing planned).")
    working_days: int | None = Field(
        description="Team working days moved (later is positive), counted on the baseline's calendar."
    )
    calendar_days: int | None = Field(description="Calendar days moved (later is positive).")


class IssueChange(_Model):
    """An issue whose owner, start or finish differs from the baseline."""

    id: str
    owner_before: str | None = None
    owner_after: str | None = None
    start_before: LocalDateTime | None = None
    start_after: LocalDateTime | None = None
    finish_before: LocalDateTime | None = None
    finish_after: LocalDateTime | None = None


class StatusChange(_Model):
    """A status that differs from the baseline: of the solve, a milestone or an issue."""

    kind: Literal["plan", "milestone", "issue"]
    id: str | None = Field(default=None, description="Milestone or issue id (None for the plan itself).")
    before: str | None
    after: str | None


class ItemChange(_Model):
    """One list item present in both plans with different content."""

    key: str
    before: dict[str, Any]
    after: dict[str, Any]


class RecommendationChanges(_Model):
    """Recommendations that appeared, disappeared or changed, compared by their key."""

    added: list[dict[str, Any]] = Field(default_factory=list)
    removed: list[dict[str, Any]] = Field(default_factory=list)
    changed: list[ItemChange] = Field(default_factory=list)


class ScenarioDiff(_Model):
    """How a scenario's plan differs from the baseline's."""

    milestones_moved: list[MilestoneMove] = Field(default_factory=list)
    issues_changed: list[IssueChange] = Field(default_factory=list)
    issues_added: list[str] = Field(default_factory=list, description="Issues only in the scenario.")
    issues_removed: list[str] = Field(default_factory=list, description="Issues only in the baseline.")
    became_late: list[str] = Field(default_factory=list)
    became_on_time: list[str] = Field(default_factory=list)
    status_changes: list[StatusChange] = Field(default_factory=list)
    recommendations: RecommendationChanges | None = Field(
        default=None, description="Present when the plans carry recommendations."
    )


class ScenarioOutcome(_Model):
    """One scenario's plan summary and its difference from the baseline."""

    name: str
    summary: PlanSummary
    diff: ScenarioDiff
    plan: PlanResult | None = Field(default=None, description="The full plan, when include_plans was set.")


class WhatIfResponse(_Model):
    """The baseline's summary and every scenario's outcome, in request order."""

    baseline: PlanSummary
    baseline_plan: PlanResult | None = None
    scenarios: list[ScenarioOutcome]


# --- validation ----------------------------------------------------------------------------------------------


class MilestoneCapacity(_Model):
    """Work due by a milestone's due date against the team's capacity until then."""

    id: str
    due: date | None
    work_hours: float = Field(description="Remaining hours of this milestone's estimated issues.")
    work_hours_due: float | None = Field(
        description="Remaining hours of every estimated issue whose deadline is on or before this due date."
    )
    capacity_hours: float | None = Field(
        description="Team hours from the plan start to the end of the due date (None without a due date "
        "or beyond the planning horizon)."
    )
    load_ratio: float | None = Field(description="work_hours_due / capacity_hours (above 1 cannot fit).")


class RequestSummary(_Model):
    """What a request contains, before any solving."""

    issues: int
    estimated_issues: int
    unestimated_issues: int
    done_issues: int = Field(description="Issues with 0 hours remaining.")
    total_work_hours: float = Field(description="Remaining hours of all estimated issues.")
    owners: int
    team_hours_per_day: float = Field(description="Sum of the owners' hours per working day.")
    milestones: list[MilestoneCapacity] = Field(default_factory=list, description="Sorted by due date.")


class ValidateResponse(_Model):
    """Every problem of a request and a summary of it (the summary needs a request that parses)."""

    valid: bool
    problems: list[Problem] = Field(default_factory=list)
    conflicts: list[Problem] = Field(
        default_factory=list,
        description="Rules of a valid request that no plan can meet (a hard deadline before the start, a pinned "
        "start on a day nobody who may take the issue works): /v1/plans would answer INFEASIBLE.",
    )
    summary: RequestSummary | None = None


# --- health, version, problems -------------------------------------------------------------------------------


class Health(_Model):
    """Liveness and the load of the solve pool."""

    status: Literal["ok"] = "ok"
    solves_running: int
    solves_waiting: int


class Readiness(_Model):
    """Readiness, read from the solve pool's state (nothing is solved to answer it)."""

    status: Literal["ready"] = "ready"
    workers: int = Field(description="Solver workers configured.")
    workers_up: int = Field(description="Solver workers started and not stopped (one that died while idle is "
                            "replaced before it is given work).")
    solves_running: int
    solves_waiting: int
    work_admitted_s: float = Field(description="Solver work admitted, running and waiting: solves x time limits.")
    work_capacity_s: float = Field(description="Most solver work the pool admits at once.")


class VersionInfo(_Model):
    """Versions of the service and of what it runs on."""

    name: str
    version: str
    api_version: str
    python: str
    ortools: str


class ProblemDetails(_Model):
    """An error as RFC 9457 problem details, with every problem found (field path, code, message, ids)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "type": "/problems/invalid-request",
        "title": "Invalid plan request",
        "status": 422,
        "detail": "The request has 1 problem.",
        "instance": "/v1/plans",
        "request_id": "5f0c1f8e2c3d4b6a9e7f1a2b3c4d5e6f",
        "errors": [{"loc": ["issues", 3, "pinned_owner"], "code": "unknown_owner",
                    "message": "Issue #972 is pinned to owner 'bob', who is not in the team.",
                    "ids": ["#972", "bob"]}],
    }]})

    type: str = Field(description="URI reference naming the kind of problem, e.g. '/problems/invalid-request'.")
    title: str = Field(description="Short summary of the kind of problem.")
    status: int = Field(description="HTTP status code.")
    detail: str = Field(description="What went wrong with this request.")
    instance: str | None = Field(default=None, description="The request path.")
    request_id: str | None = Field(default=None, description="The request id, also in the X-Request-ID header.")
    errors: list[Problem] = Field(default_factory=list, description="Every problem found, when there are several.")
