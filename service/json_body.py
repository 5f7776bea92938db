"""Reading a request's JSON body defensively: media type, syntax, repeated keys, nesting depth, numbers and unicode.

Every failure becomes a 4xx problem with a message about the client's own document; nothing here
lets a hostile body reach pydantic or the solver in a shape that could crash them.
"""

from __future__ import annotations

import json
import math
import re
from typing import NoReturn

from fastapi import Request

from api_schemas.problems import Problem
from service.offload import off_loop
from service.problems import ProblemError
from service.text_encoding import decode_text
from solver.intake.errors import InvalidRequestError

#: Deepest nesting of arrays and objects accepted; a what-if request needs about ten levels.
MAX_JSON_DEPTH = 32


def _malformed(message: str, loc: list[str | int] | None = None, code: str = "json_invalid") -> NoReturn:
    """Raise the 400 answer to a body that is not acceptable JSON."""
    raise ProblemError(400, "malformed-json", message, [Problem(loc=loc or [], code=code, message=message)])


#: The one media type a request body may have (parameters such as `charset=utf-8` aside).
JSON_MEDIA_TYPE = "application/json"


def media_type_refusal(content_type: str | None) -> ProblemError | None:
    """The 415 answer to a body not declared as `application/json` (a missing Content-Type included), else None.

    A declared JSON type means a browser on another site cannot send the request without the service's
    consent (a CORS preflight), so with CORS off no web page can start solves on a local server.
    """
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type == JSON_MEDIA_TYPE:
        return None
    given = f"'{media_type}'" if media_type else "no Content-Type"
    return ProblemError(
        415,
        "unsupported-media-type",
        f"The body must be JSON sent with 'Content-Type: {JSON_MEDIA_TYPE}', not {given}.",
    )


def check_media_type(request: Request) -> None:
    """Refuse with 415 a request whose body is not declared as `application/json`."""
    refusal = media_type_refusal(request.headers.get("content-type"))
    if refusal is not None:
        raise refusal


#: Bodies up to this size are parsed on the event loop (well under a millisecond); larger ones in a thread.
PARSE_INLINE_BYTES = 64 * 1024


async def read_json_body(request: Request) -> object:
    """Return the parsed JSON body of `request` (its size is capped by the body-size middleware).

    A large body is parsed and checked in a worker thread, so health checks and small requests are not held up.
    """
    check_media_type(request)
    body = await request.body()
    if len(body) <= PARSE_INLINE_BYTES:
        return parse_json(body)
    return await off_loop(parse_json, body)


def _reject_constant(name: str) -> NoReturn:
    """JSON has no NaN or Infinity; Python's parser would accept them."""
    _malformed(f"The body contains '{name}', which is not a JSON number.", code="json_invalid_number")


def parse_json(body: bytes) -> object:
    """Parse `body` as strict JSON and check its shape, or raise a 400 problem saying what is wrong.

    The body is UTF-8 with or without a BOM, or UTF-16/32 with its BOM: decoded by `service.text_encoding`,
    as the command line decodes its files, so a file reads the same sent or read locally.
    """
    if not body.strip():
        _malformed("The request body is empty; send a JSON object.", code="json_empty")
    try:
        text = decode_text(body, "The body")
    except InvalidRequestError:
        _malformed("The body is not UTF-8 text (nor UTF-16 with a byte-order mark).", code="json_invalid_encoding")
    try:
        data = json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_object)
    except RecursionError:
        _too_deep()
    except json.JSONDecodeError as error:
        _malformed(f"The body is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}.")
    except ValueError:
        # The only other ValueError of the parser: an integer with more digits than Python converts.
        _malformed("The body contains a number with too many digits.", code="json_number_too_large")
    check_json_shape(data, texts=_SURROGATE_ESCAPE.search(text) is not None)
    return data


class _RepeatedKeyObject(dict[str, object]):
    """A JSON object that had a key more than once; refused once its path is known (`check_json_shape`)."""

    repeated: str


def _object(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """A JSON object as a dict, marked when a key repeats (Python's parser would silently keep the last value)."""
    value = dict(pairs)
    if len(value) == len(pairs):
        return value
    seen: set[str] = set()
    marked = _RepeatedKeyObject(value)
    for key, _ in pairs:
        if key in seen:
            marked.repeated = key
            break
        seen.add(key)
    return marked


def _repeated_key(value: _RepeatedKeyObject, path: _Path) -> NoReturn:
    """The 422 answer to an object with a repeated key, naming the key and where it is."""
    loc = [*_loc(path), value.repeated]
    message = (f"The key '{value.repeated}' appears more than once in the object at {_where(loc[:-1])}; "
               f"each key may appear once (which value is meant would be ambiguous).")
    raise ProblemError(422, "invalid-request", message, [Problem(loc=loc, code="duplicate_key", message=message)])


#: Where a value sits: None for the top level, else (where its container sits, its key or index).
_Path = tuple["_Path", str | int] | None

#: Values that need a look of their own: containers (nesting), text (surrogates) and floats (finite).
_CHECKED = frozenset({dict, _RepeatedKeyObject, list, str, float})
#: How a lone surrogate gets into decoded JSON text: a backslash-u escape of D800-DFFF.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def check_json_shape(data: object, texts: bool = True) -> None:
    """Refuse deep nesting, repeated keys, non-finite numbers and (when `texts`) strings with unpaired surrogates.

    One pass that skips integers, booleans and nulls (a list of only those at C speed) and builds a value's
    path only to name it in an error, so a body of a million numbers is checked in a fraction of a second.
    """
    stack: list[tuple[object, int, _Path]] = [(data, 0, None)]
    while stack:
        value, depth, path = stack.pop()
        if isinstance(value, dict):
            if value and depth >= MAX_JSON_DEPTH:
                _too_deep()
            if isinstance(value, _RepeatedKeyObject):
                _repeated_key(value, path)
            for key, item in value.items():
                if texts:
                    _check_text(key, path)
                if type(item) in _CHECKED:
                    stack.append((item, depth + 1, (path, key)))
        elif isinstance(value, list):
            if value and depth >= MAX_JSON_DEPTH:
                _too_deep()
            if not _CHECKED.isdisjoint(map(type, value)):
                stack.extend((item, depth + 1, (path, index)) for index, item in enumerate(value)
                             if type(item) in _CHECKED)
        elif isinstance(value, str):
            if texts:
                _check_text(value, path)
        elif isinstance(value, float) and not math.isfinite(value):
            loc = _loc(path)
            _malformed(f"The number at {_where(loc)} is out of range.", loc, code="json_number_too_large")


def _too_deep() -> NoReturn:
    _malformed(f"The JSON is nested too deeply (more than {MAX_JSON_DEPTH} levels).", code="json_too_deep")


def _loc(path: _Path) -> list[str | int]:
    """The field path of a value, from the top level down."""
    loc: list[str | int] = []
    while path is not None:
        path, part = path
        loc.append(part)
    return loc[::-1]


def _check_text(text: str, path: _Path) -> None:
    """Refuse text that cannot be encoded as UTF-8 (a lone surrogate, sent as a backslash-u D800 escape)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        loc = _loc(path)
        _malformed(f"The text at {_where(loc)} contains an unpaired UTF-16 surrogate escape.", loc,
                   code="json_invalid_unicode")


def _where(loc: list[str | int]) -> str:
    """'/issues/3/id' for ['issues', 3, 'id']: a JSON Pointer a client can look up."""
    return "/" + "/".join(str(part).replace("~", "~0").replace("/", "~1") for part in loc) if loc else "the top level"
