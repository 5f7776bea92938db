"""Live progress of a long solve on a terminal: objective level, best value, bound and elapsed time.

Shown on stderr only when stderr is a terminal, so pipes and logs stay clean.
"""

from __future__ import annotations

import sys
from types import TracebackType
from typing import TextIO


class SolveProgress:
    """A one-line status, rewritten in place on each improving solution; use as a context manager."""

    def __init__(self, stream: TextIO | None = None, enabled: bool | None = None) -> None:
        self._stream = stream or sys.stderr
        self._enabled = self._stream.isatty() if enabled is None else enabled
        self._shown = False

    def __call__(self, level: str, objective: int, bound: int, elapsed_s: float) -> None:
        """Solver callback: level name, objective value, best bound, seconds elapsed."""
        if not self._enabled:
            return
        gap = "proven" if objective == bound else f"bound {bound}"
        self._stream.write(f"\r\033[K[{elapsed_s:6.1f} s] {level}: best {objective}, {gap}")
        self._stream.flush()
        self._shown = True

    def __enter__(self) -> SolveProgress:
        if self._enabled:
            self._stream.write("planning…")
            self._stream.flush()
            self._shown = True
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._shown:
            self._stream.write("\r\033[K")
            self._stream.flush()
