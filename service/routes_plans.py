"""The `/v1/plans` resource: plan, what-if and validate. Handlers are thin: parse, delegate, answer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel

from api_schemas.examples import PLAN_REQUEST_EXAMPLE
from api_schemas.request import PlanRequest
from api_schemas.result import PlanResult
from api_schemas.service import WHAT_IF_EXAMPLE, ValidateResponse, WhatIfRequest, WhatIfResponse
from api_schemas.slots import SLOT_REQUEST_EXAMPLE, SlotRequest, SlotResponse
from service.auth import api_key_within_limits
from service.disconnect import unless_disconnected
from service.json_body import read_json_body
from service.offload import off_loop
from service.openapi import problem_responses, request_body
from service.planning import PlanningService, forecasting, validation_report
from service.slots import find_slots_on_pool, parse_slot_request
from service.whatif import against_baseline, compare_plans, parse_what_if, scenario_requests

router = APIRouter(prefix="/v1/plans", tags=["plans"], dependencies=[Depends(api_key_within_limits)])


def _planning(request: Request) -> PlanningService:
    service: PlanningService = request.app.state.planning
    return service


#: How a what-if is named in its problems.
WHAT_IF = "what-if request"

Planning = Annotated[PlanningService, Depends(_planning)]


def json_response(model: BaseModel) -> Response:
    """Serialise a response model straight to JSON (it is already validated)."""
    return Response(content=model.model_dump_json(), media_type="application/json")


@router.post(
    "",
    summary="Plan a backlog",
    response_model=PlanResult,
    openapi_extra=request_body(PlanRequest, PLAN_REQUEST_EXAMPLE, "A small team with a coding agent"),
    responses=problem_responses(400, 401, 408, 413, 415, 422, 429, 503),
)
async def create_plan(request: Request, planning: Planning) -> Response:
    """Return the best plan found within the request's time limit (capped by the service)."""
    data = await read_json_body(request)
    plan_request = await off_loop(planning.parse, data)
    result = await unless_disconnected(request.receive, planning.plan(plan_request))
    return json_response(result)


@router.post(
    "/forecast",
    summary="Plan a backlog and forecast it",
    response_model=PlanResult,
    openapi_extra=request_body(PlanRequest, PLAN_REQUEST_EXAMPLE, "A small team with a coding agent"),
    responses=problem_responses(400, 401, 413, 415, 422, 503),
)
async def forecast_plan(request: Request, planning: Planning) -> Response:
    """The plan with its Monte Carlo forecast: `options.forecast` as given, else its defaults (docs/forecast.md)."""
    data = await read_json_body(request)
    plan_request = await off_loop(planning.parse, forecasting(data))
    result = await unless_disconnected(request.receive, planning.plan(plan_request))
    return json_response(result)


@router.post(
    "/what-if",
    summary="Compare scenarios with a baseline",
    response_model=WhatIfResponse,
    openapi_extra=request_body(WhatIfRequest, WHAT_IF_EXAMPLE, "Add an agent, grow an estimate, drop an issue"),
    responses=problem_responses(400, 401, 408, 413, 415, 422, 429, 503),
)
async def what_if(request: Request, planning: Planning) -> Response:
    """Plan the base and every scenario in parallel; return summaries and each scenario's differences.

    With a `baseline_plan` (checked against the base) only the scenarios are planned; else the base first. Each
    scenario is re-planned against the base plan as its `baseline`, so that it keeps what the scenario does not move.
    """
    data = await read_json_body(request)
    limits, caps = planning.limits, planning.effective
    parsed = await off_loop(parse_what_if, data, limits, planning.settings.max_scenarios, caps)
    scenarios = await off_loop(scenario_requests, parsed.base, parsed.scenarios, limits, caps)
    if parsed.baseline_plan is not None:
        baseline = parsed.baseline_plan
    else:
        # The whole request's work is checked at once, as if base and scenarios ran together; then the base first.
        time_limits = [plan_request.options.time_limit_s for plan_request in [parsed.base, *scenarios]]
        planning.admission.check_work(time_limits, WHAT_IF, ["scenarios"])
        solving = planning.plan_all([parsed.base], what=WHAT_IF, loc=["scenarios"])
        (baseline,) = await unless_disconnected(request.receive, solving)
    scenarios = against_baseline(scenarios, baseline)
    solving = planning.plan_all(scenarios, warm_start=baseline, what=WHAT_IF, loc=["scenarios"])
    results = await unless_disconnected(request.receive, solving)
    answer = await off_loop(compare_plans, parsed.base, parsed.scenarios, baseline, results, parsed.include_plans)
    return json_response(answer)


@router.post(
    "/slots",
    summary="Find a slot for one new issue",
    response_model=SlotResponse,
    openapi_extra=request_body(
        SlotRequest,
        SLOT_REQUEST_EXAMPLE,
        "Where could a new 6 h issue go, and what would it move?",
    ),
    responses=problem_responses(400, 401, 413, 415, 422, 503),
)
async def find_slots(request: Request, planning: Planning) -> Response:
    """Up to `max_options` places for the new issue, each verified by a checked re-plan; free capacity first."""
    data = await read_json_body(request)
    slot = await off_loop(parse_slot_request, data, planning)
    answer = await unless_disconnected(request.receive, find_slots_on_pool(planning, slot))
    return json_response(answer)


@router.post(
    "/validate",
    summary="Check a request without solving it",
    response_model=ValidateResponse,
    openapi_extra=request_body(PlanRequest, PLAN_REQUEST_EXAMPLE, "A small team with a coding agent"),
    responses=problem_responses(400, 401, 408, 413, 415, 422, 429),
)
async def validate_plan_request(request: Request, planning: Planning) -> Response:
    """List every problem of a request (200 even when invalid) and summarise its work and capacity."""
    data = await read_json_body(request)
    return json_response(await off_loop(validation_report, data, planning.limits, planning.effective))
