"""`capplan forecast`: plan a backlog and forecast it (chances, P50/P85/P95 dates, extension at a confidence)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from api_schemas.request import PlanRequest
from api_schemas.result import PlanResult
from service.commands.backlog import WHAT
from service.commands.forecast_options import (
    ConfidenceOption,
    HistoryOption,
    SamplesOption,
    SeedOption,
    forecast_overrides,
    load_forecast_request,
)
from service.commands.plan import ApiKeyOption, BacklogArgument, OutOption, ServerOption, TimeLimitOption, solve
from service.commands.remote import post
from service.commands.terminal import write_output
from service.report.document import to_markdown
from service.report.forecast import forecast_blocks
from service.report.forecast_chart import forecast_png
from service.report.plan_view import PlanView


class ForecastFormat(StrEnum):
    """What `capplan forecast` writes: the forecast section (md), the full result (json), the charts (png)."""

    MD = "md"
    JSON = "json"
    PNG = "png"


def forecast_solve(request: PlanRequest, server: str | None, api_key: str | None) -> PlanResult:
    """Plan and forecast in this process or on the service's forecast endpoint."""
    if server is not None:
        body = request.model_dump(mode="json")
        return post(server, "/v1/plans/forecast", body, PlanResult, WHAT, request.options.time_limit_s, api_key)
    return solve(request, None, None)


def forecast_command(
    backlog: BacklogArgument,
    report_format: Annotated[
        ForecastFormat,
        typer.Option("--format", "-f", help="md: the forecast section of the week plan; json: the full result with "
                     "the forecast; png: one finish-date chart per milestone."),
    ] = ForecastFormat.MD,
    out: OutOption = None,
    samples: SamplesOption = None,
    confidence: ConfidenceOption = None,
    seed: SeedOption = None,
    history: HistoryOption = None,
    server: ServerOption = None,
    api_key: ApiKeyOption = None,
    time_limit: TimeLimitOption = None,
) -> None:
    """Plan BACKLOG, simulate the plan and write each milestone's chance to be on time and its P50/P85/P95 dates.

    Exit codes as for `capplan plan`: 0 done, 1 invalid input, 2 usage error, 3 service unreachable, 4 check failed.
    """
    request = load_forecast_request(backlog, time_limit, forecast_overrides(samples, confidence, seed), history)
    result = forecast_solve(request, server, api_key)
    view = PlanView(request, result)
    if report_format == ForecastFormat.JSON:
        data = (result.model_dump_json(indent=2) + "\n").encode()
    elif report_format == ForecastFormat.PNG:
        data = forecast_png(view)
    else:
        data = to_markdown(forecast_blocks(view, level=1)).encode()
    write_output(data, out, report_format == ForecastFormat.PNG)
