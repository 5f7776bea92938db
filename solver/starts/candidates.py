"""Candidate owners: on very large backlogs each issue keeps only a few of its eligible owner groups.

Every (issue, owner group) pair is an optional interval in the model; at 2,000 issues and 50 groups that
is most of the model's size and memory. Keeping the group of the start plan plus the least-loaded others
keeps the start feasible and the model small, at the price of the OPTIMAL claim (a warning says so).
"""

from __future__ import annotations

from dataclasses import replace

from api_schemas.result import PlanWarning
from solver.prepared.problem import PreparedProblem
from solver.prepared.schedule import Schedule

#: Above this many (issue, owner group) pairs, candidates are limited.
CANDIDATE_PAIR_LIMIT = 20000
#: Owner groups each issue keeps: the start plan's own and the least loaded others.
CANDIDATES_PER_ISSUE = 4


def limit_candidates(problem: PreparedProblem, start: Schedule) -> PreparedProblem:
    """The problem with each task's owner groups narrowed when the model would be too large, else `problem` itself."""
    pairs = sum(len(task.resources) for task in problem.tasks)
    if pairs <= CANDIDATE_PAIR_LIMIT:
        return problem
    load = [0.0] * len(problem.resources)
    for task in problem.tasks:
        resource = problem.resources[start[task.index].resource]
        load[resource.index] += task.work / resource.capacity
    tasks = []
    for task in problem.tasks:
        kept = start[task.index].resource
        others = sorted((r for r in task.resources if r != kept), key=lambda r: (load[r], r))
        tasks.append(replace(task, resources=(kept, *others[: CANDIDATES_PER_ISSUE - 1])))
    warning = PlanWarning(
        code="candidates_limited",
        message=f"The backlog is large ({pairs} issue-owner pairs): each issue was offered at most "
        f"{CANDIDATES_PER_ISSUE} owner groups (its start plan's and the least loaded), so the plan is not "
        "claimed optimal.",
    )
    return replace(problem, tasks=tasks, warnings=[*problem.warnings, warning], restricted=True)
