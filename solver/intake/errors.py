"""Errors the planning core raises; each carries the problems a planner must fix."""

from __future__ import annotations

from api_schemas.problems import Problem


class InvalidRequestError(ValueError):
    """A request that cannot be planned as given; `problems` lists every reason."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(p.message for p in problems) or "invalid request")
