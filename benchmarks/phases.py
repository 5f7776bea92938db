"""Time the phases of `solver.planner.plan` from outside: validation, preparation, start rounds, model, search.

The planner looks its steps up in its own module when it runs, so wrapping those names in a benchmark
process times the real pipeline without running anything twice. A step the planner no longer has is
simply not timed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from solver import planner

#: Planner steps timed, by the name the planner module calls them.
PHASES = (
    "validate_request", "prepare_searched", "squeaky_wheel", "build_model", "solve_levels", "search_levels",
    "build_result",
)


@dataclass
class PhaseLog:
    """Wall seconds spent in each step, when it was last called, and its last arguments and value (e.g. the model)."""

    seconds: dict[str, float] = field(default_factory=dict)
    called_at: dict[str, float] = field(default_factory=dict)
    returned: dict[str, Any] = field(default_factory=dict)
    arguments: dict[str, tuple[tuple[Any, ...], dict[str, Any]]] = field(default_factory=dict)


def _timed(name: str, function: Callable[..., Any], log: PhaseLog) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        log.arguments[name] = (args, kwargs)
        started = log.called_at[name] = time.monotonic()
        try:
            value = function(*args, **kwargs)
            log.returned[name] = value
            return value
        finally:
            log.seconds[name] = log.seconds.get(name, 0.0) + time.monotonic() - started

    return wrapper


@contextmanager
def timed_phases() -> Iterator[PhaseLog]:
    """Within the block, every call of a planner step adds its wall time to the yielded log."""
    log = PhaseLog()
    originals = {name: getattr(planner, name) for name in PHASES if hasattr(planner, name)}
    for name, function in originals.items():
        setattr(planner, name, _timed(name, function, log))
    try:
        yield log
    finally:
        for name, function in originals.items():
            setattr(planner, name, function)
