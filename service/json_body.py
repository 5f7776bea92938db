"""Reading a request's JSON body defensively: media type, syntax, nesting depth, numbers and unicode.

Every failure becomes a 4xx problem with a message about the client's own document; nothing here
lets a hostile body reach pydantic or the solver in a shape that could crash them.
"""

from __future__ import annotations

import json
import math
from typing import NoReturn

from fastapi import Request

from api_schemas.problems import Problem
from service.problems import ProblemError

#: Deepest nesting of arrays and objects accepted; a what-if request needs about ten levels.
MAX_JSON_DEPTH = 32


def _malformed(message: str, loc: list[str | int] | None = None, code: str = "json_invalid") -> NoReturn:
    """Raise the 400 answer to a body that is not acceptable JSON."""
    raise ProblemError(400, "malformed-json", message, [Problem(loc=loc or [], code=code, message=message)])


def check_media_type(request: Request) -> None:
    """Accept JSON (or a missing Content-Type, as curl sends with --data-binary); refuse anything else with 415."""
    content_type = request.headers.get("content-type")
    if content_type is None:
        return
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise ProblemError(
            415,
            "unsupported-media-type",
            f"The body must be JSON sent as 'Content-Type: application/json', not '{media_type}'.",
        )


async def read_json_body(request: Request) -> object:
    """Return the parsed JSON body of `request` (its size is capped by the body-size middleware)."""
    check_media_type(request)
    return parse_json(await request.body())


def _reject_constant(name: str) -> NoReturn:
    """JSON has no NaN or Infinity; Python's parser would accept them."""
    _malformed(f"The body contains '{name}', which is not a JSON number.", code="json_invalid_number")


def parse_json(body: bytes) -> object:
    """Parse `body` as strict JSON and check its shape, or raise a 400 problem saying what is wrong."""
    if not body.strip():
        _malformed("The request body is empty; send a JSON object.", code="json_empty")
    try:
        data = json.loads(body, parse_constant=_reject_constant)
    except RecursionError:
        _malformed(f"The JSON is nested too deeply (more than {MAX_JSON_DEPTH} levels).", code="json_too_deep")
    except UnicodeDecodeError:
        _malformed("The body is not valid UTF-8 text.", code="json_invalid_encoding")
    except json.JSONDecodeError as error:
        _malformed(f"The body is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}.")
    except ValueError:
        # The only other ValueError of the parser: an integer with more digits than Python converts.
        _malformed("The body contains a number with too many digits.", code="json_number_too_large")
    check_json_shape(data)
    return data


def check_json_shape(data: object) -> None:
    """Refuse deep nesting, non-finite numbers and strings with unpaired surrogates (they cannot be UTF-8)."""
    stack: list[tuple[object, list[str | int]]] = [(data, [])]
    while stack:
        value, loc = stack.pop()
        if len(loc) > MAX_JSON_DEPTH:
            _malformed(f"The JSON is nested too deeply (more than {MAX_JSON_DEPTH} levels).", code="json_too_deep")
        if isinstance(value, dict):
            for key, item in value.items():
                _check_text(key, loc)
                stack.append((item, [*loc, key]))
        elif isinstance(value, list):
            stack.extend((item, [*loc, index]) for index, item in enumerate(value))
        elif isinstance(value, str):
            _check_text(value, loc)
        elif isinstance(value, float) and not math.isfinite(value):
            _malformed(f"The number at {_where(loc)} is out of range.", loc, code="json_number_too_large")


def _check_text(text: str, loc: list[str | int]) -> None:
    """Refuse text that cannot be encoded as UTF-8 (a lone surrogate, sent as a backslash-u D800 escape)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        _malformed(f"The text at {_where(loc)} contains an unpaired UTF-16 surrogate escape.", loc,
                   code="json_invalid_unicode")


def _where(loc: list[str | int]) -> str:
    """'/issues/3/id' for ['issues', 3, 'id']: a JSON Pointer a client can look up."""
    return "/" + "/".join(str(part).replace("~", "~0").replace("/", "~1") for part in loc) if loc else "the top level"
