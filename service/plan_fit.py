"""Whether a plan a client sends back is a plan of its request: JSON types as the service writes them, then the checker.

Used by the what-if's `baseline_plan` and by the reports endpoint, so both refuse a plan that does not fit alike.
"""

from __future__ import annotations

import json

from pydantic import ValidationError

from api_schemas.problems import Problem
from api_schemas.request import PlanRequest
from api_schemas.result import PlanResult
from checker.schedule_checker import check_schedule
from service.problems import problems_of

#: At most this many of a plan's violations are listed (the count says how many there are).
MAX_FIT_VIOLATIONS = 10


def plan_type_problems(raw_plan: object, field: str) -> list[Problem]:
    """A plan sent back must have the JSON types this service writes: no "3" for 3 hours, no 1 for true."""
    try:
        PlanResult.model_validate_json(json.dumps(raw_plan), strict=True)
    except ValidationError as error:
        return problems_of(error, raw_plan, prefix=[field])
    return []


def plan_fit_problems(
    request: PlanRequest, plan: PlanResult, field: str, request_name: str, advice: str
) -> list[Problem]:
    """The schedule checker's objections to `plan` (the body's `field`) as a plan of `request` (none when it fits)."""
    violations = check_schedule(request, plan)
    return [
        Problem(
            loc=[field],
            code=f"{field}_does_not_fit",
            message=f"{field} is not a valid plan of {request_name} ({len(violations)} violation(s); {advice}): "
            f"{violation.message}",
            ids=violation.ids,
        )
        for violation in violations[:MAX_FIT_VIOLATIONS]
    ]
