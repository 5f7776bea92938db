"""What every command shares: exit codes, reading inputs, writing outputs, and problems on stderr.

Problems are printed with the same messages the HTTP API returns in its problem details, one per line.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

import typer

from api_schemas.problems import Problem
from service.text_encoding import decode_text
from solver.intake.errors import InvalidRequestError

#: Exit codes beside 0 (success) and 2 (usage error, typer's own): invalid input (problems on stderr), a
#: service that could not be reached or failed, and a plan the independent checker rejected (a bug).
EXIT_INVALID = 1
EXIT_SERVICE = 3
EXIT_CHECK_FAILED = 4
#: The file name that means standard input or output.
STDIO = "-"


def say(message: str) -> None:
    """A line on stderr (notes, progress, errors), so stdout carries only the output."""
    typer.echo(message, err=True)


def fail_invalid(problems: Sequence[Problem], what: str) -> NoReturn:
    """Print every problem like the API does and exit with EXIT_INVALID."""
    count = len(problems)
    say(f"capplan: the {what} has {count} problem{'s' if count != 1 else ''}:")
    for problem in problems:
        say(f"  - {problem.message}")
    raise typer.Exit(EXIT_INVALID)


def fail_service(message: str) -> NoReturn:
    """Report a service that could not be reached or failed, and exit with EXIT_SERVICE."""
    say(f"capplan: {message}")
    raise typer.Exit(EXIT_SERVICE)


def fail_check(violations: Sequence[str]) -> NoReturn:
    """Report a plan the independent checker rejected (a bug: no plan is written) and exit with EXIT_CHECK_FAILED."""
    say(f"capplan: the planner produced a plan that breaks {len(violations)} of its own rules, so none is written. "
        "This is a bug; please report it with the backlog and these lines:")
    for violation in violations:
        say(f"  - {violation}")
    raise typer.Exit(EXIT_CHECK_FAILED)


def read_bytes(name: str, what: str) -> bytes:
    """The bytes of a file ('-': standard input); a missing or unreadable file is a usage error (exit 2)."""
    if name == STDIO:
        return sys.stdin.buffer.read()
    path = Path(name)
    try:
        return path.read_bytes()
    except OSError as error:
        reason = "does not exist" if isinstance(error, FileNotFoundError) else f"cannot be read ({error.strerror})"
        raise typer.BadParameter(f"{what} '{name}' {reason}.") from None


def read_text(name: str, what: str) -> str:
    """The text of a file ('-': standard input): UTF-8 with or without a BOM, or UTF-16 with its BOM.

    The same decoding as the HTTP API's (`service.text_encoding`); other bytes are invalid input (exit 1).
    """
    try:
        return decode_text(read_bytes(name, what), name)
    except InvalidRequestError as error:
        fail_invalid(error.problems, what)


def read_json(name: str, what: str) -> object:
    """Parsed JSON of a file; malformed JSON is invalid input (exit 1) naming the file, line and column."""
    text = read_text(name, what)
    try:
        data: object = json.loads(text)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        problem = Problem(loc=[name], code="invalid_json", message=f"{name} is not valid JSON: {error.msg} at {where}.")
        fail_invalid([problem], what)
    return data


def write_output(data: bytes, out: Path | None, binary: bool) -> None:
    """Write to `out`, else to stdout; binary output is never sent to a terminal (usage error)."""
    if out is not None and str(out) != STDIO:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
        say(f"wrote {out}")
        return
    if binary and sys.stdout.isatty():
        raise typer.BadParameter("this format is binary: give --out FILE or redirect standard output.")
    sys.stdout.buffer.write(data)
    sys.stdout.flush()
