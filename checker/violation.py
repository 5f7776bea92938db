"""What the checker reports: one broken rule of a valid schedule, in words a planner understands."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Violation:
    """One broken rule: a stable `rule` code, a sentence naming dates and hours, and the ids concerned."""

    rule: str
    message: str
    ids: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        """Render as `[rule] message`, the form used in assertion messages."""
        return f"[{self.rule}] {self.message}"
