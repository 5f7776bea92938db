"""Schemathesis over the service's OpenAPI: generated requests (valid and invalid) against the real app.

Every answer must conform to the document: no 5xx, a documented status and media type, a body that
matches its schema (problem+json for every error), and schema-invalid bodies refused. Schema-valid
bodies may still be refused: the service checks what a schema cannot say (references, cycles,
horizons, its own caps), so `positive_data_acceptance` is not asked for; `/validate` answers 200 with
the problems of any body by design, so it is not asked to refuse schema-invalid ones either.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import negative_data_rejection, positive_data_acceptance

from api_schemas.examples import PLAN_REQUEST_EXAMPLE
from api_schemas.service import WHAT_IF_EXAMPLE
from api_schemas.slots import SLOT_REQUEST_EXAMPLE
from service.app import create_app
from tests.test_service_support import service_settings

#: Examples per operation and phase: with the coverage phase's own cases, about a minute on 2 cores.
EXAMPLES = 12

#: A what-if of 4 scenarios (5 solves) fits one request's share of this small pool.
APP = create_app(service_settings(workers=2, default_time_limit_s=0.5, max_time_limit_s=0.5, max_scenarios=4,
                                  max_request_share=1.0))
SCHEMA = schemathesis.openapi.from_asgi("/openapi.json", APP)


@SCHEMA.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_every_answer_conforms_to_the_openapi(case: schemathesis.Case[Any]) -> None:
    excluded = [positive_data_acceptance]
    if case.operation.path == "/v1/plans/validate":
        excluded.append(negative_data_rejection)
    case.call_and_validate(excluded_checks=excluded)


@pytest.mark.parametrize(
    ("path", "body"),
    [("/v1/plans", PLAN_REQUEST_EXAMPLE), ("/v1/plans/what-if", WHAT_IF_EXAMPLE),
     ("/v1/plans/validate", PLAN_REQUEST_EXAMPLE), ("/v1/plans/slots", SLOT_REQUEST_EXAMPLE)],
)
def test_the_documented_examples_are_answered_as_documented(path: str, body: dict[str, Any]) -> None:
    """The generated cases seldom make a valid what-if: the documented example is planned and checked here."""
    case = SCHEMA[path]["POST"].Case(body=body, media_type="application/json")
    response = case.call_and_validate()
    assert response.status_code == 200, response.text
