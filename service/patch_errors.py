"""Why a JSON Patch operation does not apply, in the request's own terms (never the patch library's text).

`patch_problem(document, operation)` reads the operation against the document the way RFC 6902 and RFC 6901
do and names what is wrong: the list and its length, the missing field, the value a `test` found. The
what-if applies an operation only when it finds nothing wrong here.
"""

from __future__ import annotations

import json
from typing import Any

#: Longest rendering of a value inside a message.
_VALUE_CHARS = 60


def _shown(value: Any) -> str:
    """A value as compact JSON, shortened for a message."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text if len(text) <= _VALUE_CHARS else text[: _VALUE_CHARS - 3] + "..."


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return f"a list of {len(value)} item{'s' if len(value) != 1 else ''}"
    if isinstance(value, str):
        return "text"
    if isinstance(value, bool):
        return "true/false"
    if value is None:
        return "null"
    return "a number"


def _tokens(pointer: Any, name: str) -> list[str] | str:
    """The pointer's reference tokens, or what is wrong with its syntax."""
    if not isinstance(pointer, str):
        return f"{name} must be text such as '/issues/0'"
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        return f"{name} '{pointer}' must start with '/' (e.g. '/issues/0/estimate_hours')"
    tokens = pointer[1:].split("/")
    for token in tokens:
        stripped = token.replace("~0", "").replace("~1", "")
        if "~" in stripped:
            return f"{name} '{pointer}' has a '~' not followed by 0 or 1 (write '~0' for '~' and '~1' for '/')"
    return [token.replace("~1", "/").replace("~0", "~") for token in tokens]


def _pointer(tokens: list[str]) -> str:
    return "".join("/" + token.replace("~", "~0").replace("/", "~1") for token in tokens) or "the request"


def _index(container: list[Any], token: str, where: str, allow_end: bool) -> int | str:
    """A list position from a token, or what is wrong with it."""
    count = len(container)
    if token == "-":
        return count if allow_end else f"'-' (past the end of {where}) names no existing item"
    if not token.isdigit() or (len(token) > 1 and token.startswith("0")):
        return f"{where} is a list; '{token}' is not a position in it (use 0, 1, ...)"
    position = int(token)
    last = count if allow_end else count - 1
    if position > last:
        items = f"{count} item{'s' if count != 1 else ''}"
        span = f"positions 0-{last}" if last > 0 else ("position 0" if last == 0 else "no positions")
        extra = " or '-' to append" if allow_end else ""
        return f"{where} has {items}, so {position} is out of range ({span}{extra})"
    return position


def _parent(document: Any, tokens: list[str]) -> tuple[Any, str] | str:
    """The container holding the target of `tokens` and the target's own token, or what is missing on the way."""
    node = document
    for depth, token in enumerate(tokens[:-1]):
        where = _pointer(tokens[:depth])
        if isinstance(node, dict):
            if token not in node:
                return f"{where} has no field '{token}'"
            node = node[token]
        elif isinstance(node, list):
            position = _index(node, token, where, allow_end=False)
            if isinstance(position, str):
                return position
            node = node[position]
        else:
            return f"{where} is {_kind(node)}, which has no '{token}' inside it"
    return node, tokens[-1]


def _resolve(document: Any, tokens: list[str], allow_end: bool = False) -> tuple[bool, Any] | str:
    """(True, the value at `tokens`), or what is wrong; with `allow_end` the target may be a new position."""
    if not tokens:
        return True, document
    found = _parent(document, tokens)
    if isinstance(found, str):
        return found
    container, token = found
    where = _pointer(tokens[:-1])
    if isinstance(container, dict):
        if token in container:
            return True, container[token]
        return (False, None) if allow_end else f"{where} has no field '{token}'"
    if isinstance(container, list):
        position = _index(container, token, where, allow_end)
        if isinstance(position, str):
            return position
        return (True, container[position]) if position < len(container) else (False, None)
    return f"{where} is {_kind(container)}, which has no '{token}' inside it"


def patch_problem(document: Any, operation: dict[str, Any]) -> str | None:
    """What stops `operation` (an RFC 6902 operation as a dict) from applying to `document`, or None when it applies."""
    op = operation.get("op")
    target = _tokens(operation.get("path"), "path")
    if isinstance(target, str):
        return target
    if op in ("move", "copy"):
        source = _tokens(operation.get("from"), "from")
        if isinstance(source, str):
            return source
        found = _resolve(document, source)
        if isinstance(found, str):
            return f"from {_pointer(source)}: {found}"
        if op == "move" and target[: len(source)] == source and target != source:
            return f"{_pointer(source)} cannot be moved inside itself (to {_pointer(target)})"
    if op in ("add", "move", "copy"):
        if not target:
            return None if op != "move" else "the request as a whole cannot be the target of a move"
        found = _resolve(document, target, allow_end=True)
        return f"path {_pointer(target)}: {found}" if isinstance(found, str) else None
    if op in ("remove", "replace", "test"):
        if not target and op == "remove":
            return "the request as a whole cannot be removed"
        found = _resolve(document, target)
        if isinstance(found, str):
            return f"path {_pointer(target)}: {found}"
        if op == "test" and not _json_equal(found[1], operation.get("value")):
            return (f"test failed: {_pointer(target)} is {_shown(found[1])}, not {_shown(operation.get('value'))} "
                    f"as the scenario expects")
        return None
    return f"'{op}' is not a JSON Patch operation (add, remove, replace, move, copy or test)"


def _json_equal(left: Any, right: Any) -> bool:
    """Equality of JSON values as RFC 6902 `test` means it: types matter (1 is not true), 1 equals 1.0."""
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(_json_equal(left[k], right[k]) for k in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(_json_equal(a, b) for a, b in zip(left, right, strict=True))
    if isinstance(left, int | float) and isinstance(right, int | float):
        return left == right
    return type(left) is type(right) and left == right
