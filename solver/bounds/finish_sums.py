"""Lower bounds on sums of finishes (the finish levels), from order statistics of the finishes on owner groups.

Take n tasks, the owners who may do any of them (m in all, counted once per person or pooled owner), and r, the
earliest instant any of them may start. Sort their works p_1 <= ... <= p_n and their earliest finishes
e_(1) <= ... <= e_(n) (team time, `solver.bounds.earliest_finish`). Let F_k(u) be the team time at which owner k,
working from r on, has done u units, and G(u) = min_k F_k(u) (the fastest clock). In every schedule the i-th
smallest finish (team time) is at least

    LB_i = max(e_(i), M_i, G(ceil((p_1 + ... + p_i) / m))),

where M_i is the i-th smallest of the values F_k(p_1 + ... + p_j) over owners k and j >= 1. Of the first i tasks to
finish, owner k does some j_k of them (j_1 + ... + j_m = i), one after another, the last ending after at least
p_1 + ... + p_(j_k) of its units: so at least i of those values are at most the i-th finish. And the m owners do
the work of all i, at least p_1 + ... + p_i units, so one of them does ceil(.. / m) by the i-th finish. Each term
bounds the i-th smallest finish of every schedule (F_k and G are monotone), so sum_i LB_i bounds the sum of
finishes: exactly the optimum for identical works released together (M_i is then the finishes of the schedule
that gives each next task to the owner who ends it first). On identical owners M_i = G(p_1 + ... + p_k),
k = ceil(i / m). (The SPT schedule's own sorted finishes would not do: with works 1, 1, 2 on two owners they are
1, 1, 3, yet 1, 2, 2 is also optimal.)

Other tasks, pins, deadlines and fixed busy spans only delay finishes, so leaving them out keeps the bound valid;
every partition of a level into groups gives a valid bound (the sum of its groups'), and the best of a few is kept.
LB_i also takes the i-th completion of SRPT on a preemptive relaxation with each task's release date
(`solver.bounds.preemptive_finishes`), unless `release_dates=False` (the full model's redundant constraints).
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate

from api_schemas.common import UNITS_PER_DAY
from solver.bounds.earliest_finish import EarliestFinish
from solver.bounds.preemptive_finishes import PreemptiveBounds
from solver.levels import RANKS
from solver.prepared.problem import PreparedProblem, Task

#: Per clock of a group: its index, s_c (its first unit at or after the group's release), its units, its owners.
_Start = tuple[int, int, int, int]


class _Ends:
    """Team time of the end of each local unit of each clock, computed once per unit asked for."""

    def __init__(self, problem: PreparedProblem, release_dates: bool = True) -> None:
        self.problem = problem
        self.latest = (problem.horizon_days + 1) * UNITS_PER_DAY
        self.known: dict[tuple[int, int], int] = {}
        self.preemptive = PreemptiveBounds(problem, problem.team_time, self.latest) if release_dates else None

    def team_time(self, clock_index: int, end_unit: int) -> int:
        """Team time at which local unit `end_unit - 1` of the clock ends."""
        key = (clock_index, end_unit)
        if key not in self.known:
            self.known[key] = self.problem.team_time(self.problem.clocks[clock_index].global_end(end_unit))
        return self.known[key]

    def fastest(self, starts: list[_Start]) -> Callable[[int], int]:
        """G(u): the least team time at which some owner on the clocks `starts` has done u units.

        G(u) = min over those clocks c of team_time(end of local unit s_c + u), s_c the clock's first unit at or
        after the group's release; past every clock's horizon it is the latest team time the model knows.
        """
        cache: dict[int, int] = {}

        def least(units: int) -> int:
            if units not in cache:
                ends = [self.team_time(c, start + units) for c, start, total, _ in starts if start + units <= total]
                cache[units] = min(ends, default=self.latest)
            return cache[units]

        return least

    def merged(self, starts: list[_Start], smallest: Sequence[int]) -> Iterator[int]:
        """M_1 <= M_2 <= ...: the values F_k(smallest[j]), j >= 1, of every owner k on the clocks `starts`, in order.

        Owners on one clock share their values (each counted once per owner); past the horizons, the latest team time.
        """
        heap = [
            (self.team_time(index, start + smallest[1]), index, 1, start, total, owners)
            for index, start, total, owners in starts
            if len(smallest) > 1 and start + smallest[1] <= total
        ]
        heapq.heapify(heap)
        while heap:
            value, index, j, start, total, owners = heapq.heappop(heap)
            for _ in range(owners):
                yield value
            if j + 1 < len(smallest) and start + smallest[j + 1] <= total:
                nxt = (self.team_time(index, start + smallest[j + 1]), index, j + 1, start, total, owners)
                heapq.heappush(heap, nxt)
        while True:
            yield self.latest

    def starts(self, resources: Iterable[int], release: int) -> list[_Start]:
        """Per clock of `resources`: its index, s_c (first unit at or after `release`), its units, its owners."""
        clocks, owners = self.problem.clocks, Counter[int]()
        for r in resources:
            owners[self.problem.resources[r].clock] += self.problem.resources[r].capacity
        return [
            (index, clocks[index].first_unit_at_or_after(release), clocks[index].total_units, owners[index])
            for index in sorted(owners)
            if clocks[index].working_days
        ]


def group_bound(
    problem: PreparedProblem, tasks: Sequence[Task], earliest: Sequence[EarliestFinish], ends: _Ends | None = None
) -> int:
    """sum_i LB_i over `tasks`, which only the owners of their candidate groups can do (module docstring)."""
    ends = ends if ends is not None else _Ends(problem)
    finishes = sorted(min(earliest[task.index].team_time, ends.latest) for task in tasks)
    if not tasks:
        return 0
    resources = {r for task in tasks for r in task.resources}
    owners = sum(problem.resources[r].capacity for r in resources)
    if len(tasks) <= owners and len({problem.resources[r].clock for r in resources}) == 1:
        # One clock: then M_i = G(p_1) and G(units) <= G(p_i) <= e_(i) (each task's own earliest finish is at least
        # G of its work): nothing to gain.
        return sum(finishes)
    works = sorted(task.work for task in tasks)
    smallest = [0, *accumulate(works)]  # smallest[j] = p_1 + ... + p_j
    starts = ends.starts(resources, min(earliest[task.index].start for task in tasks))
    least = ends.fastest(starts)
    merged = ends.merged(starts, smallest)
    # With release dates, on one fast machine (solver.bounds.preemptive_finishes).
    released = ends.preemptive.sorted_finishes(tasks, earliest) if ends.preemptive else [0] * len(tasks)
    total = 0
    for i, (finish, order_bound, srpt) in enumerate(zip(finishes, merged, released, strict=False), start=1):
        units = -(-smallest[i] // owners)
        # Units of at most p_i bound no more than e_(i) does: G is not evaluated for them.
        lowest = max(finish, order_bound, srpt)
        total += lowest if units <= works[i - 1] else max(lowest, least(units))
    return total


def _partitions(tasks: list[Task], earliest: Sequence[EarliestFinish]) -> list[list[list[Task]]]:
    """Ways to split tasks into groups: all together, by connected owner groups, by the same candidate groups.

    And by the same candidate groups and earliest start: work released later then competes only with itself.
    """
    same: dict[frozenset[int], list[Task]] = {}
    released: dict[tuple[frozenset[int], int], list[Task]] = {}
    for task in tasks:
        candidates = frozenset(task.resources)
        same.setdefault(candidates, []).append(task)
        released.setdefault((candidates, earliest[task.index].start), []).append(task)
    parent: dict[int, int] = {}

    def root(r: int) -> int:
        while parent.setdefault(r, r) != r:
            parent[r] = parent[parent[r]]  # path halving
            r = parent[r]
        return r

    for candidates in same:
        first = min(candidates, default=-1)
        for r in candidates:
            parent[root(r)] = root(first)
    components: dict[int, list[Task]] = {}
    for candidates, members in same.items():
        components.setdefault(root(min(candidates, default=-1)), []).extend(members)
    return [[tasks], list(components.values()), list(same.values()), list(released.values())]


def tasks_bound(
    problem: PreparedProblem, tasks: list[Task], earliest: Sequence[EarliestFinish], ends: _Ends | None = None
) -> int:
    """A lower bound on the sum of the tasks' finishes (team time): the best partition's sum of group bounds."""
    ends = ends if ends is not None else _Ends(problem)
    known: dict[tuple[int, ...], int] = {}

    def bound(group: list[Task]) -> int:
        key = tuple(task.index for task in group)
        if key not in known:  # a group may recur in several partitions
            known[key] = group_bound(problem, group, earliest, ends)
        return known[key]

    return max(sum(bound(group) for group in groups) for groups in _partitions(tasks, earliest))


@dataclass(frozen=True)
class FinishSums:
    """Per priority rank r: B_r, a bound on the sum of its tasks' finishes, and P_r, on those of ranks <= r.

    With the finish sums of ranks before r held at most at V_0, ..., V_{r-1} (solved levels), rank r's sum is at
    least P_r - (V_0 + ... + V_{r-1}): more important work competes for the same owners.
    """

    own: list[int]
    prefix: list[int]


def own_bounds(
    problem: PreparedProblem, earliest: Sequence[EarliestFinish], ends: _Ends | None = None
) -> list[int]:
    """B_r of every rank (0 for ranks without tasks), in team quarter hours."""
    ends = ends if ends is not None else _Ends(problem)
    return [
        tasks_bound(problem, [t for t in problem.tasks if t.rank == rank], earliest, ends) for rank in range(RANKS)
    ]


def finish_sums(
    problem: PreparedProblem,
    earliest: Sequence[EarliestFinish],
    own: list[int] | None = None,
    release_dates: bool = True,
) -> FinishSums:
    """B_r and P_r of every rank (0 for ranks without tasks), in team quarter hours; `own` when B_r are known.

    `release_dates=False` leaves out the release-date term (`solver.bounds.preemptive_finishes`).
    """
    ends = _Ends(problem, release_dates)
    own = own if own is not None else own_bounds(problem, earliest, ends)
    prefix = []
    for rank in range(RANKS):
        tasks = [t for t in problem.tasks if t.rank <= rank]
        # One rank alone gives no more than its own bound.
        alone = len({t.rank for t in tasks}) <= 1
        prefix.append(sum(own[: rank + 1]) if alone else tasks_bound(problem, tasks, earliest, ends))
    return FinishSums(own, prefix)
