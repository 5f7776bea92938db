"""The time budget of one `plan()` call: the capped limit and the shares it hands out, and the search's part.

Shares follow estimates, never the clock, so that the same request gets the same plan; the wall clock only
sets deadlines, a guard for machines slower than the estimates. Arithmetic here keeps the order plans were
measured with (a reordered float operation can change a deterministic limit).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from api_schemas.request import SolveMode, SolverOptions
from solver.budget.constants import (
    DETERMINISTIC_SHARE,
    FULL_MODEL_SECONDS_PER_TASK,
    IMPROVE_WALL_SHARE,
    LNS_MAX_RATE,
    LNS_MIN_DETERMINISTIC_S,
    LNS_RATE_PER_VARIABLE,
    MAX_ROUNDS,
    PLAN_SHARE,
    PORTFOLIO_DETERMINISTIC_RATE,
    PREPARE_SECONDS_PER_TASK,
    PRESOLVE_DETERMINISTIC_PER_VARIABLE,
    PRESOLVE_SECONDS_PER_VARIABLE,
    ROUNDS_TIME_SHARE,
    SECONDS_PER_BUSY_SPAN,
    SECONDS_PER_FREE_TASK,
    SECONDS_PER_NEIGHBOURHOOD,
    SECONDS_PER_SKIP_PER_TASK,
    SHORTEST_LIMIT_S,
    SINGLE_WORKER_RATE,
    SPLIT_FIRST_SHARE,
    SUB_PRESOLVE_SECONDS_PER_VARIABLE,
)
from solver.intake.limits import Limits


def capped_time_limit(seconds: float, limits: Limits) -> float:
    """`seconds` capped at the limits' longest time limit (the one cap the solver and the service share)."""
    return min(seconds, limits.max_time_limit_s)


def affordable_rounds(seconds: float, round_seconds: float) -> int:
    """Start-improvement rounds of `round_seconds` each that fit `ROUNDS_TIME_SHARE` of `seconds` (by estimate)."""
    return min(MAX_ROUNDS, int(ROUNDS_TIME_SHARE * seconds / round_seconds)) if round_seconds > 0 else 0


def full_model_seconds(prepare_seconds: float, tasks: int) -> float:
    """Estimated seconds to prepare and build one full model, when the plan measured only its preparation."""
    return prepare_seconds + FULL_MODEL_SECONDS_PER_TASK * tasks


@dataclass(frozen=True)
class SearchBudget:
    """The search's part of a plan: seconds it converts into deterministic time, a wall deadline, the mode."""

    seconds: float
    mode: SolveMode
    seed: int
    workers: int
    #: A `time.monotonic()` instant the search ends by on the wall clock, whatever its seconds say.
    deadline: float = math.inf

    @classmethod
    def of(cls, options: SolverOptions, seconds: float | None = None, deadline: float = math.inf) -> SearchBudget:
        """A search with the options' mode, seed and workers, and `seconds` (by default their time limit)."""
        seconds = options.time_limit_s if seconds is None else seconds
        return cls(seconds, options.mode, options.seed, options.workers, deadline)

    @property
    def deterministic(self) -> bool:
        """True in deterministic mode: solves stop on deterministic limits, so plans repeat."""
        return self.mode == SolveMode.DETERMINISTIC

    @property
    def deterministic_seconds(self) -> float:
        """Most of the seconds, so that the search stops on its deterministic budget rather than the clock."""
        return self.seconds * DETERMINISTIC_SHARE

    def deadline_from(self, started: float) -> float:
        """The wall deadline of a search that started at `started`: its seconds, or the plan's deadline if earlier."""
        return min(started + self.seconds, self.deadline)


@dataclass(frozen=True)
class TimeBudget:
    """How one `plan()` call spends its time limit; created once per call from the request's options and limits.

    The plan gets `plan_seconds` (all of the capped limit, or `PLAN_SHARE` of it when recommendations are
    asked for); the start's rounds, the search and the recommendations get their shares from it in turn.
    """

    options: SolverOptions
    #: `time.monotonic()` when the plan call began.
    started: float
    #: The request's time limit, capped at the limits' longest.
    limit_seconds: float
    #: The plan's own share of the limit.
    plan_seconds: float

    @classmethod
    def of(cls, options: SolverOptions, limits: Limits, started: float, with_recommendations: bool) -> TimeBudget:
        """The budget of a plan call that began at `started`, with or without recommendations."""
        limit = capped_time_limit(options.time_limit_s, limits)
        plan_seconds = limit * PLAN_SHARE if with_recommendations else limit
        return cls(options, started, limit, plan_seconds)

    @property
    def plan_deadline(self) -> float:
        """The instant the plan (without its recommendations) ends by on the wall clock."""
        return self.started + self.plan_seconds

    @property
    def start_deadline(self) -> float:
        """The instant the start's rounds stop even if their estimated count is not done."""
        return self.started + IMPROVE_WALL_SHARE * self.plan_seconds

    def plan_left(self, spent: Sequence[float] = ()) -> float:
        """The plan's seconds less the estimated costs `spent` so far (estimates, not wall time: plans repeat)."""
        seconds = self.plan_seconds
        for estimate in spent:
            seconds = seconds - estimate
        return seconds

    def start_rounds(self, round_seconds: float, spent: Sequence[float] = ()) -> int:
        """Start-improvement rounds of `round_seconds` that the plan's seconds left after `spent` afford."""
        return affordable_rounds(self.plan_left(spent), round_seconds)

    def full_model_search(self, spent: Sequence[float] = ()) -> SearchBudget:
        """The lexicographic search's part: all the plan's seconds left after the start's estimated costs."""
        return SearchBudget.of(self.options, self.plan_left(spent), self.plan_deadline)

    def split_first_search(self, spent: Sequence[float] = ()) -> SearchBudget:
        """The first stage of the search in pieces (only the start's split issues split): `SPLIT_FIRST_SHARE` of it."""
        return SearchBudget.of(self.options, self.plan_left(spent) * SPLIT_FIRST_SHARE, self.plan_deadline)

    def neighbourhood_search(self, tasks: int, spent: Sequence[float] = ()) -> SearchBudget:
        """The neighbourhood search's part: as the full model's, less an estimate of preparing `tasks` tasks.

        Preparing the problem and its start took wall time the estimates do not know of; large plans leave it out
        so that they end inside the limit.
        """
        prepared = PREPARE_SECONDS_PER_TASK * tasks
        return SearchBudget.of(self.options, max(self.plan_left(spent) - prepared, 0.0), self.plan_deadline)

    def recommendation_seconds(self, now: float) -> float:
        """What is left of the whole limit at `now` (a `time.monotonic()` instant) for the recommendations."""
        return self.limit_seconds - (now - self.started)


# --- per-level shares of the lexicographic search ----------------------------------------------------------


def level_share(levels_left: int, warm: bool) -> float:
    """Share of what is left for the next of `levels_left` levels: more for the earlier, all without a plan yet.

    One hard level cannot starve the others (a 200-issue backlog spent 10 s on P1 lateness in fast mode and never
    reached the finish levels). Without any plan yet (no greedy start), finding one comes first: the level may
    use all that is left (a 4-issue request with a hard deadline got no plan from a 0.08 s share of a 3 s limit).
    """
    return 2 / (levels_left + 1) if warm else 1.0


def neighbourhood_level_grant(left: float, levels_left: int) -> float:
    """The neighbourhood search's grant for the next of `levels_left` levels: `left` times `level_share`.

    Multiplied before dividing, the order the neighbourhood search's plans were measured with.
    """
    return left * 2 / (levels_left + 1)


def lns_rate(variables: int) -> float:
    """Deterministic seconds per wall second of interleaved LNS on a model of this size."""
    return min(LNS_RATE_PER_VARIABLE / max(variables, 1), LNS_MAX_RATE)


def lns_level_cost(variables: int) -> float:
    """The least budget (wall-second equivalents) a level needs to load the model and search a little."""
    return PRESOLVE_SECONDS_PER_VARIABLE * variables + LNS_MIN_DETERMINISTIC_S / lns_rate(variables)


def lns_deterministic_seconds(grant: float, variables: int) -> float:
    """Deterministic limit of an interleaved LNS level granted `grant`: its presolve, then at least a little search.

    The presolve's wall seconds leave the grant, and its deterministic time counts against the limit too.
    """
    search = max((grant - PRESOLVE_SECONDS_PER_VARIABLE * variables) * lns_rate(variables), LNS_MIN_DETERMINISTIC_S)
    return PRESOLVE_DETERMINISTIC_PER_VARIABLE * variables + search


def portfolio_deterministic_seconds(grant: float) -> float:
    """Deterministic limit of a portfolio level granted `grant` wall-second equivalents."""
    return max(grant * PORTFOLIO_DETERMINISTIC_RATE, SHORTEST_LIMIT_S)


# --- neighbourhood search charges --------------------------------------------------------------------------


def sub_solve_seconds(free_tasks: int, busy_spans: int, variables: int, deterministic_time: float) -> float:
    """Estimated wall seconds of one neighbourhood's model: building it, its presolve and its search.

    CP-SAT's deterministic time hardly counts the presolve, which grows with the model.
    """
    presolve = SUB_PRESOLVE_SECONDS_PER_VARIABLE * variables
    build = SECONDS_PER_FREE_TASK * free_tasks + SECONDS_PER_BUSY_SPAN * busy_spans
    return build + presolve + deterministic_time / SINGLE_WORKER_RATE


def neighbourhood_charge(built: bool, model_seconds: float, tasks: int) -> float:
    """Estimated wall seconds of one neighbourhood of a plan of `tasks` tasks: its Python work and its model."""
    return (SECONDS_PER_NEIGHBOURHOOD if built else SECONDS_PER_SKIP_PER_TASK * tasks) + model_seconds
