"""The forecast's command-line options and reading a request with them, shared by `plan --forecast` and `forecast`."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from api_schemas.request import PlanRequest
from service.commands.backlog import WHAT
from service.commands.terminal import fail_invalid, read_json, read_text
from service.importers.history import read_history_csv
from solver.intake.errors import InvalidRequestError
from solver.intake.validation import parse_request

HistoryOption = Annotated[
    str | None,
    typer.Option("--history", metavar="CSV", help="The team's finished issues (estimate_hours, actual_hours): their "
                 "actual/estimate ratios replace the default spread of issues without their own range."),
]
SamplesOption = Annotated[int | None, typer.Option("--samples", min=100, max=100000, help="Samples to simulate.")]
ConfidenceOption = Annotated[
    float | None, typer.Option("--confidence", min=0.5, max=0.99, help="Confidence of the extension (0.85).")
]
SeedOption = Annotated[int | None, typer.Option("--seed", min=0, help="Random seed of the forecast.")]


def forecast_overrides(samples: int | None, confidence: float | None, seed: int | None) -> dict[str, Any]:
    """The command line's forecast options, for `options.forecast` (only those given)."""
    given = {"samples": samples, "confidence": confidence, "seed": seed}
    return {name: value for name, value in given.items() if value is not None}


def load_forecast_request(
    name: str, time_limit_s: float | None, overrides: dict[str, Any], history: str | None
) -> PlanRequest:
    """The plan request in file `name` with `options.forecast` set (the file's, then `overrides`) and the history."""
    data = read_json(name, WHAT)
    if isinstance(data, dict):
        options = data.setdefault("options", {})
        if isinstance(options, dict):
            if time_limit_s is not None:
                options["time_limit_s"] = time_limit_s
            forecast = options.get("forecast")
            options["forecast"] = {**(forecast if isinstance(forecast, dict) else {}), **overrides}
        if history is not None:
            try:
                records = read_history_csv(read_text(history, "history CSV"))
            except InvalidRequestError as error:
                fail_invalid(error.problems, "history CSV")
            data["history"] = [record.model_dump() for record in records]
    try:
        return parse_request(data)
    except InvalidRequestError as error:
        fail_invalid(error.problems, WHAT)
