"""Reading a plan request file for a command: parse, check, and apply command-line overrides."""

from __future__ import annotations

from api_schemas.request import PlanRequest
from service.commands.terminal import fail_invalid, read_json
from solver.intake.errors import InvalidRequestError
from solver.intake.validation import parse_request

#: What a plan request file is called in messages.
WHAT = "plan request"


def load_request(name: str, time_limit_s: float | None = None, baseline: str | None = None) -> PlanRequest:
    """The plan request in file `name` ('-': stdin), checked; problems exit 1 with the API's messages.

    `baseline` names a file with the last plan (a PlanResult or its issues), set as the request's `baseline`.
    """
    data = read_json(name, WHAT)
    if baseline is not None and isinstance(data, dict):
        data["baseline"] = read_json(baseline, "last plan")
    if time_limit_s is not None and isinstance(data, dict):
        options = data.setdefault("options", {})
        if isinstance(options, dict):
            options["time_limit_s"] = time_limit_s
    try:
        return parse_request(data)
    except InvalidRequestError as error:
        fail_invalid(error.problems, WHAT)


def with_baseline_file(request: PlanRequest, baseline: str) -> PlanRequest:
    """`request` with the last plan in file `baseline` as its `baseline`, checked again (problems exit 1)."""
    data = request.model_dump(mode="json")
    data["baseline"] = read_json(baseline, "last plan")
    try:
        return parse_request(data)
    except InvalidRequestError as error:
        fail_invalid(error.problems, WHAT)
