"""`POST /v1/reports/{format}`: a plan written out as the command line writes it (Markdown, CSV, ICS, PNG...)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from pydantic import ValidationError

from api_schemas.reports import REPORT_EXAMPLE, ReportRequest
from service.auth import api_key_within_limits
from service.json_body import read_json_body
from service.offload import off_loop
from service.openapi import problem_responses, request_body
from service.plan_fit import plan_fit_problems, plan_type_problems
from service.planning import PlanningService
from service.problems import invalid_request, problems_of
from service.report import ReportFormat, render
from service.report.week_plan import DEFAULT_DAYS
from solver.intake.validation import validate_request

router = APIRouter(prefix="/v1/reports", tags=["reports"], dependencies=[Depends(api_key_within_limits)])

#: Media type and file extension of each format.
MEDIA: dict[ReportFormat, tuple[str, str]] = {
    ReportFormat.MD: ("text/markdown; charset=utf-8", "md"),
    ReportFormat.JSON: ("application/json", "json"),
    ReportFormat.CSV: ("text/csv; charset=utf-8", "csv"),
    ReportFormat.LOAD_CSV: ("text/csv; charset=utf-8", "csv"),
    ReportFormat.ICS: ("text/calendar; charset=utf-8", "ics"),
    ReportFormat.PNG: ("image/png", "png"),
    ReportFormat.HTML: ("text/html; charset=utf-8", "html"),
}


def _report(report_format: ReportFormat, data: object, planning: PlanningService) -> bytes:
    """Parse the body, check the plan fits the request (else a 422), render (CPU-bound: off the event loop)."""
    try:
        body = ReportRequest.model_validate(data)
    except ValidationError as error:
        raise invalid_request(problems_of(error, data), "report request") from None
    problems = [problem.model_copy(update={"loc": ["request", *problem.loc]})
                for problem in validate_request(planning.effective(body.request), planning.limits)]
    if not problems and isinstance(data, dict):
        problems = plan_type_problems(data.get("plan"), "plan")
    if not problems:
        problems = plan_fit_problems(body.request, body.plan, "plan", "request", "plan the request again")
    if problems:
        raise invalid_request(problems, "report request")
    return render(report_format, body.request, body.plan, body.days or DEFAULT_DAYS)


@router.post(
    "/{report_format}",
    summary="Write a plan out as a report",
    openapi_extra=request_body(ReportRequest, REPORT_EXAMPLE, "A one-issue request and its plan"),
    responses={
        200: {"description": "The report file.", "content": {media: {} for media, _ in MEDIA.values()}},
        **problem_responses(400, 401, 413, 415, 422),
    },
)
async def write_report(report_format: ReportFormat, request: Request) -> Response:
    """The plan as `md` (week plan), `csv` (slots), `load-csv`, `ics`, `png` (Gantt), `html` or `json`."""
    data = await read_json_body(request)
    content = await off_loop(_report, report_format, data, request.app.state.planning)
    media_type, extension = MEDIA[report_format]
    disposition = f'attachment; filename="capplan-plan.{extension}"'
    return Response(content=content, media_type=media_type, headers={"Content-Disposition": disposition})
