"""Live progress of a long solve on a terminal: objective level, best value, bound and elapsed time.

Drawn with rich (which typer brings) on stderr, only when stderr is a terminal, so pipes and logs stay clean;
the line is redrawn on each improving solution and removed when the solve ends.
"""

from __future__ import annotations

import sys
from types import TracebackType
from typing import TextIO

from rich.console import Console
from rich.live import Live
from rich.text import Text


class SolveProgress:
    """A one-line status, redrawn in place on each improving solution; use as a context manager."""

    def __init__(self, stream: TextIO | None = None, enabled: bool | None = None) -> None:
        stream = stream or sys.stderr
        self._enabled = stream.isatty() if enabled is None else enabled
        self._console = Console(file=stream, force_terminal=self._enabled or None, highlight=False)
        self._live = Live(Text("planning…"), console=self._console, auto_refresh=False, transient=True)

    def __call__(self, level: str, objective: int, bound: int, elapsed_s: float) -> None:
        """Solver callback: level name, objective value, best bound, seconds elapsed."""
        if not self._enabled:
            return
        gap = "proven" if objective == bound else f"bound {bound}"
        line = Text.assemble((f"[{elapsed_s:6.1f} s] ", "dim"), (level, "bold"), f": best {objective}, {gap}")
        self._live.update(line, refresh=True)

    def __enter__(self) -> SolveProgress:
        if self._enabled:
            self._live.start(refresh=True)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._enabled:
            self._live.stop()
