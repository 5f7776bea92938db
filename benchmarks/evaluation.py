"""Turn any planner's schedule into capplan's result and run the schedule checker on it.

Every plan a benchmark reports, capplan's or a baseline's, goes through `checker.schedule_checker.check_schedule`;
its objective is read from the checked result, never from the planner's own claim.
"""

from __future__ import annotations

from api_schemas.request import PlanRequest
from api_schemas.result import PlanResult, SolveStatus
from checker.schedule_checker import check_schedule
from solver.bounds.schedule_levels import level_values, problem_levels
from solver.prepared.problem import PreparedProblem
from solver.prepared.schedule import Schedule
from solver.result import build_result
from solver.search.lexicographic import LevelOutcome, SearchOutcome


def result_of(problem: PreparedProblem, schedule: Schedule, status: SolveStatus, level_names: list[str],
              seconds: float = 0.0) -> PlanResult:
    """The plan result of a schedule found outside capplan's search; it claims no proven bound."""
    levels = [
        LevelOutcome(name, value, 0) for name, value in zip(level_names, level_values(problem, schedule), strict=True)
    ]
    return build_result(problem, SearchOutcome(status, schedule, levels, seconds))


def violations_of(request: PlanRequest, result: PlanResult) -> list[str]:
    """The checker's verdict as printable lines (empty when the plan is valid)."""
    return [str(violation) for violation in check_schedule(request, result)]


def checked_result(problem: PreparedProblem, schedule: Schedule, status: SolveStatus,
                   level_names: list[str]) -> tuple[PlanResult, list[str]]:
    """The result of `schedule` and the checker's violations of it."""
    result = result_of(problem, schedule, status, level_names)
    return result, violations_of(problem.request, result)


def objective_of(result: PlanResult) -> list[int]:
    """The lexicographic objective values of a result, most important level first."""
    return [stage.value for stage in result.objective]


def level_names(problem: PreparedProblem) -> list[str]:
    """Names of the objective levels of a prepared problem, as the model names them, without building it."""
    return [level.name for level in problem_levels(problem)]


def compare(values: list[int], other: list[int]) -> int:
    """Lexicographic comparison of objective vectors: -1 when `values` is better (smaller), 0 equal, 1 worse."""
    for mine, theirs in zip(values, other, strict=False):
        if mine != theirs:
            return -1 if mine < theirs else 1
    return 0


def improvement(values: list[int], baseline: list[int]) -> tuple[float, int | None]:
    """Relative improvement over a baseline at the first level where they differ, and that level's position.

    Positive means better than the baseline: (baseline - value) / baseline on that level (0.0, None when equal).
    """
    for position, (mine, theirs) in enumerate(zip(values, baseline, strict=False)):
        if mine != theirs:
            return (theirs - mine) / max(abs(theirs), 1), position
    return 0.0, None
