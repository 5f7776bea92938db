"""Large-neighbourhood search on small sub-models: improve one objective level of a large backlog's plan.

CP-SAT's own neighbourhood search copies and presolves the whole model for every neighbourhood, which left a
500-issue level about 0.03 deterministic seconds of search. Here each neighbourhood is a sub-problem of a few
dozen free tasks (`solver.search.neighbourhood`) with its own small model; a move is kept only when the whole plan
gets lexicographically better. Costs are charged in deterministic estimates, so the same budget repeats the
same plan on any machine fast enough to finish it (`solver.budget` holds the estimates).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from api_schemas.common import UNITS_PER_DAY, UNITS_PER_HOUR
from api_schemas.request import SolveMode
from api_schemas.result import STABILITY_KINDS, LevelKind, ObjectiveLevelId, SolveStatus
from solver.bounds.earliest_finish import earliest_finishes
from solver.bounds.finish_sums import finish_sums
from solver.bounds.schedule_levels import level_floors, level_values, problem_levels, task_floors
from solver.budget.constants import CLOCK_MARGIN_S, SHORTEST_LIMIT_S, SKIPS_TO_STOP, SUB_DETERMINISTIC_S
from solver.budget.cp_solver import configured_solver
from solver.budget.time_budget import SearchBudget, neighbourhood_charge, neighbourhood_level_grant, sub_solve_seconds
from solver.model import build_model
from solver.prepared.baseline import disruption, disruption_floor
from solver.prepared.problem import PreparedProblem, Task
from solver.prepared.rules import released_after
from solver.prepared.schedule import Schedule
from solver.search.lexicographic import LevelOutcome, SearchOutcome, SearchProgress, SearchProgressHook
from solver.search.neighbourhood import Neighbourhood, PlanState, free_tasks

#: The level whose value depends on which owner of a pool does the work.
REASSIGNED = ObjectiveLevelId(LevelKind.REASSIGNED)
#: Free tasks in a first neighbourhood; the size then follows the sub-solves (larger after a proof or a skip,
#: smaller after a stop on the limit).
FIRST_SIZE = 30
SMALLEST_SIZE = 8
LARGEST_SIZE = 120
SIZE_STEP = 1.25


@dataclass
class SearchReport:
    """What a call of `improve_level` did: budget charged, moves tried and kept, and whether the clock cut it."""

    charged: float = 0.0
    tried: int = 0
    kept: int = 0
    wall_stopped: bool = False


@dataclass
class SubSolve:
    """One neighbourhood's solve: what it found and what it cost.

    `moves` and `values` (the whole plan's level values after the moves) are set when the level improved;
    `proven` says whether the neighbourhood was solved to optimality (None when not solved: the level is at its
    bound within the neighbourhood); `cut`, whether the wall clock stopped it before its deterministic limit.
    """

    moves: dict[int, tuple[int, int]] = field(default_factory=dict)
    values: list[int] | None = None
    cost: float = 0.0
    proven: bool | None = None
    cut: bool = False

    @property
    def built(self) -> bool:
        """True when a model was built and solved (not skipped because the level could not improve)."""
        return self.proven is not None


class NeighbourhoodSearch:
    """Improves a schedule one level at a time by re-solving neighbourhoods.

    Deterministic for a seed by default: costs are charged as estimates, so the same budget repeats the plan.
    With `wall_clock` (fast mode) costs are the wall time neighbourhoods took: no margin for slower machines, so
    more of them fit in the time limit, but the plan may differ from run to run.
    """

    def __init__(self, problem: PreparedProblem, schedule: Schedule, seed: int, wall_clock: bool = False) -> None:
        self.problem = problem
        self.wall_clock = wall_clock
        self.state = PlanState(problem, schedule)
        self.values = level_values(problem, schedule)
        self.levels = problem_levels(problem)
        self.names = [level.name for level in self.levels]
        self.position_of = {level: position for position, level in enumerate(self.levels)}
        self.random = random.Random(seed)
        self.earliest = earliest_finishes(problem)
        self.sums = finish_sums(problem, self.earliest)
        self.floors = level_floors(problem, self.earliest, sums=self.sums)
        self.size = FIRST_SIZE

    @property
    def schedule(self) -> Schedule:
        """The best schedule so far."""
        return self.state.schedule

    def improve_level(
        self,
        position: int,
        budget: float,
        deadline: float,
        progress: SearchProgressHook | None = None,
        started: float = 0.0,
    ) -> SearchReport:
        """Re-solve neighbourhoods for level `position` until `budget` (wall-second estimates) is spent.

        `progress` hears of every kept move: the level's value and static bound, seconds since `started`, the plan.
        """
        report = SearchReport()
        skipped = 0
        while report.charged < budget and skipped < SKIPS_TO_STOP:
            if time.monotonic() >= deadline:
                report.wall_stopped = True
                break
            anchors = self._anchors(position)
            if not anchors:
                break
            began = time.monotonic()
            free = self._neighbourhood(self.random.choice(anchors))
            hood = free_tasks(self.state, free, self.random)
            solved = self._solve(hood, position, deadline)
            report.tried += 1
            report.wall_stopped = report.wall_stopped or solved.cut
            if self.wall_clock:
                report.charged += time.monotonic() - began
            else:
                report.charged += neighbourhood_charge(solved.built, solved.cost, len(self.problem.tasks))
            skipped = 0 if solved.built else skipped + 1
            # Larger after a proof, or when the level could not improve inside (what holds it back was outside);
            # smaller after a stop on the limit.
            grown = min(LARGEST_SIZE, round(self.size * SIZE_STEP))
            self.size = grown if solved.proven is not False else max(SMALLEST_SIZE, round(self.size / SIZE_STEP))
            if solved.values is None or not solved.values < self.values:
                continue
            changed = self.state.moved(solved.moves)
            values = self._reassigned_counted(solved.values, changed)
            if values < self.values:
                self.state.take(changed)
                self.values = values
                report.kept += 1
                if progress is not None:
                    progress(self.progress_step(position, time.monotonic() - started))
        return report

    def _reassigned_counted(self, values: list[int], changed: Schedule) -> list[int]:
        """`values` with reassigned counted on the owners in `changed`, the placements after a move.

        A neighbourhood assigns a pool's owners among its own tasks only; the move assigns them across the pool.
        """
        if REASSIGNED not in self.position_of:
            return values
        before = after = 0
        for index, placement in changed.items():
            task = self.problem.tasks[index]
            if task.baseline is not None:
                before += disruption(self.problem, task, self.state.schedule[index])[0]
                after += disruption(self.problem, task, placement)[0]
        counted = list(values)
        position = self.position_of[REASSIGNED]
        counted[position] = self.values[position] + after - before
        return counted

    def progress_step(self, position: int, elapsed: float) -> SearchProgress:
        """The plan in hand as a progress step: every level's value with its static bound (none proven by a move)."""
        levels = [
            LevelOutcome(name, value, min(value, floor))
            for name, value, floor in zip(self.names, self.values, self.floors, strict=True)
        ]
        proven = sum(1 for outcome in levels[:position] if outcome.proven)
        now = levels[position]
        return SearchProgress(now.name, position, len(levels), proven, now.value, now.bound, elapsed, levels,
                              self.schedule)

    def _anchors(self, position: int) -> list[Task]:
        """Tasks of the level's priority that end later than their earliest possible finish (or lateness)."""
        level = self.levels[position]
        lateness, rank = level.kind is LevelKind.LATENESS, level.rank
        if level.kind is LevelKind.REASSIGNED:
            # Off the baseline owner's resource: within a pool, its owners are assigned after each move.
            resources = self.problem.resources
            return [
                task
                for task in self.problem.tasks
                if task.baseline is not None
                and disruption_floor(self.problem, task)[0] == 0
                and task.baseline.owner not in resources[self.state.schedule[task.index].resource].owner_ids
            ]
        if level.kind.is_stability:
            which = STABILITY_KINDS.index(level.kind)
            return [
                task
                for task in self.problem.tasks
                if disruption(self.problem, task, self.state.schedule[task.index])[which]
                > disruption_floor(self.problem, task)[which]
            ]
        anchors = []
        for task in self.problem.tasks:
            if task.rank != rank:
                continue
            _, end, end_day = self.state.spans[task.index]
            earliest = self.earliest[task.index]
            if lateness:
                table = self.problem.lateness_table(task)
                delay = table[min(end_day, len(table) - 1)] - earliest.lateness if table is not None else 0
            else:
                delay = self.problem.team_time(end) - earliest.team_time
            if delay > 0:
                anchors.append(task)
        return anchors

    def _neighbourhood(self, anchor: Task) -> list[int]:
        """Free tasks around `anchor`, of one of three kinds chosen at random.

        The tasks starting nearest before (and a few after) the anchor on its owner groups, or on all; or what
        holds the anchor back (`_blockers`) with other work of the same owner groups from the same days.
        """
        spans, kind = self.state.spans, self.random.randrange(3)
        if kind == 2:
            blockers = self._blockers(anchor)
            resources = {self.state.schedule[i].resource for i in blockers} | set(anchor.resources)
            earliest = min(spans[i][0] for i in blockers)
            latest = spans[anchor.index][1]
            around = sorted(
                i
                for r in resources
                for i in self.state.on_resource[r]
                if i not in blockers and spans[i][1] > earliest and spans[i][0] < latest
            )
            room = max(self.size - len(blockers), 0)
            return sorted(blockers | set(self.random.sample(around, min(room, len(around)))))
        if kind == 1:
            pool = list(range(len(self.problem.tasks)))
        else:
            pool = sorted({i for r in anchor.resources for i in self.state.on_resource[r]} | {anchor.index})
        ordered = sorted(pool, key=lambda index: (spans[index][0], index))
        at = ordered.index(anchor.index)
        first = max(0, at - (3 * self.size) // 4)
        chosen = ordered[first : first + self.size]
        if anchor.index not in chosen:
            chosen.append(anchor.index)
        return sorted(chosen)

    def _blockers(self, anchor: Task) -> set[int]:
        """The anchor and, back from it, what each task waits for, up to half the neighbourhood.

        A task waits for a predecessor whose release comes within a day of its start, and for the work its owner
        does just before it (ending within an hour of its start): the critical path of the plan, through
        dependencies and owners alike.
        """
        problem, state = self.problem, self.state
        found, queue = {anchor.index}, [anchor.index]
        while queue and len(found) < self.size // 2:
            index = queue.pop(0)
            start = state.spans[index][0]
            waits = [
                pred
                for pred, lag in problem.tasks[index].preds
                if released_after(problem, state.spans[pred][1], state.spans[pred][2], lag) > start - UNITS_PER_DAY
            ]
            placement = state.schedule[index]
            for other in state.on_resource[placement.resource]:
                before = state.schedule[other]
                end = before.start + problem.tasks[other].work
                if before.member == placement.member and placement.start - UNITS_PER_HOUR <= end <= placement.start:
                    waits.append(other)
            for other in sorted(waits):
                if other not in found and len(found) < self.size // 2:
                    found.add(other)
                    queue.append(other)
        return found

    def _solve(self, hood: Neighbourhood, position: int, deadline: float) -> SubSolve:
        """Minimise the level on the neighbourhood, earlier levels held (see `SubSolve`)."""
        current = hood.restrict(self.state.schedule)
        before = level_values(hood.problem, current)
        positions = [self.position_of[level] for level in problem_levels(hood.problem)]
        target = positions.index(position) if position in positions else None
        if target is None or before[target] <= task_floors(hood.problem, earliest_finishes(hood.problem))[target]:
            return SubSolve()
        # Without the finish levels' order-statistic bounds: they cost 3-10 ms a model (the Python work the budget
        # charges is about 10 ms a neighbourhood), and with them eight seeds of an M backlog's P0 finish level ended
        # no better (mean 4004 against 3985).
        plan_model = build_model(hood.problem, symmetry=True, finish_bounds=False)
        for level, value, full_position in zip(plan_model.levels, before, positions, strict=True):
            if full_position <= position:
                plan_model.model.add(level.expression <= value)
        plan_model.model.minimize(plan_model.levels[target].expression)
        plan_model.hint(current)
        seed = self.random.randrange(1 << 30)
        wall_left = max(deadline - time.monotonic(), SHORTEST_LIMIT_S)
        # One worker without linear relaxation: small models need quick dives from the hint, not bounds (2x faster
        # here); two workers on one neighbourhood found less in the same time than one on twice as many.
        solver = configured_solver(
            wall_left,
            seed=seed,
            deterministic_seconds=SUB_DETERMINISTIC_S,
            probing=False,
            presolve_rounds=1,
            linearization=False,
        )
        status = solver.solve(plan_model.model)
        # Stopped by the clock before its deterministic limit: what it found depends on the machine's speed.
        cut = status != cp_model.OPTIMAL and solver.wall_time >= wall_left - CLOCK_MARGIN_S
        busy = sum(len(spans) for spans in hood.problem.busy.values())
        variables = len(plan_model.model.proto.variables)
        cost = sub_solve_seconds(len(hood.problem.tasks), busy, variables, solver.response_proto.deterministic_time)
        proven = status == cp_model.OPTIMAL
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE) or round(solver.objective_value) >= before[target]:
            return SubSolve(cost=cost, proven=proven, cut=cut)
        found = plan_model.read(solver)
        after = level_values(hood.problem, found)
        values = list(self.values)
        for full_position, old, new in zip(positions, before, after, strict=True):
            values[full_position] += new - old
        return SubSolve(hood.placements(found), values, cost, proven, cut)


def search_levels(
    problem: PreparedProblem,
    search: SearchBudget,
    start: Schedule,
    progress: SearchProgressHook | None = None,
) -> SearchOutcome:
    """Improve `start` level by level by neighbourhood search within `search`'s budget.

    Each level gets a share of the budget left, more for the earlier ones (as `solve_levels`);
    a level already at its static bound is skipped. The bounds reported are the static ones: small models never
    prove a level of the whole plan.
    """
    started = time.monotonic()
    deadline = search.deadline_from(started)
    fast = search.mode == SolveMode.FAST
    improver = NeighbourhoodSearch(problem, start, search.seed, wall_clock=fast)
    floors = improver.floors
    if progress is not None:
        progress(improver.progress_step(0, time.monotonic() - started))  # the start: the first plan in hand
    budget_left = search.deterministic_seconds
    charged = 0.0
    repeatable = True
    for position in range(len(floors)):
        # Earlier finish levels are held at their values now: rank r's share of the prefix bound is known.
        floors = improver.floors = level_floors(problem, improver.earliest, improver.values, improver.sums)
        if improver.values[position] <= floors[position]:
            continue
        if fast:
            budget_left = deadline - time.monotonic()
        levels_left = len(floors) - position
        grant = neighbourhood_level_grant(budget_left, levels_left)
        report = improver.improve_level(position, grant, deadline, progress, started)
        budget_left -= report.charged
        charged += report.charged
        repeatable = repeatable and not report.wall_stopped
    # The search keeps the plan's values as it moves (a test checks them against a fresh computation).
    floors = improver.floors = level_floors(problem, improver.earliest, improver.values, improver.sums)
    outcomes = [
        LevelOutcome(name, value, min(value, floor))
        for name, value, floor in zip(improver.names, improver.values, floors, strict=True)
    ]
    proven = all(outcome.proven for outcome in outcomes)
    status = (
        SolveStatus.OPTIMAL if proven and not (problem.horizon_capped or problem.restricted) else SolveStatus.FEASIBLE
    )
    seconds = time.monotonic() - started
    return SearchOutcome(status, improver.schedule, outcomes, seconds, repeatable, seconds if fast else charged)
