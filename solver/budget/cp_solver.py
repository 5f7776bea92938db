"""The one place a CP-SAT solver is created and configured: its limits, workers, seed and search.

Callers say how long (wall and deterministic seconds) and which kind of search; the parameters each kind
needs, and why, are here.
"""

from __future__ import annotations

from enum import Enum

from ortools.sat.python import cp_model

from solver.budget.constants import SHORTEST_LIMIT_S

#: Subsolvers interleaved in deterministic mode on models up to `LARGE_MODEL_TASKS`.
DETERMINISTIC_PORTFOLIO = ("default_lp", "core")


class Search(Enum):
    """The kinds of CP-SAT search capplan runs."""

    #: `workers` independent workers (fast mode; one worker when repeatable results are needed).
    WORKERS = "workers"
    #: `DETERMINISTIC_PORTFOLIO` interleaved in one deterministic schedule, without neighbourhood search.
    PORTFOLIO = "portfolio"
    #: Two interleaved workers doing only neighbourhood search: repeatable, and they improve a large start plan.
    INTERLEAVED_LNS = "interleaved_lns"
    #: One worker that propagates a hint with its values fixed to a full solution, and stops there.
    COMPLETE_HINT = "complete_hint"


def configured_solver(
    wall_seconds: float,
    search: Search = Search.WORKERS,
    *,
    workers: int = 1,
    seed: int | None = None,
    deterministic_seconds: float | None = None,
    probing: bool = True,
    presolve_rounds: int | None = None,
    linearization: bool = True,
) -> cp_model.CpSolver:
    """A CP-SAT solver stopping after `wall_seconds` (and `deterministic_seconds` when given), set up for `search`.

    `probing=False` turns presolve probing off and `presolve_rounds` caps the presolve's rounds (both pay off only
    on small models); `linearization=False` drops the linear relaxation; parameters not asked for keep CP-SAT's
    defaults (no seed: CP-SAT's own).
    """
    solver = cp_model.CpSolver()
    parameters = solver.parameters
    parameters.max_time_in_seconds = max(wall_seconds, SHORTEST_LIMIT_S)
    if deterministic_seconds is not None:
        parameters.max_deterministic_time = deterministic_seconds
    if seed is not None:
        parameters.random_seed = seed
    if not probing:
        parameters.cp_model_probing_level = 0
    if presolve_rounds is not None:
        parameters.max_presolve_iterations = presolve_rounds
    if not linearization:
        parameters.linearization_level = 0
    if search == Search.WORKERS:
        parameters.num_workers = workers
    elif search == Search.PORTFOLIO:
        # Two subsolvers (LP-guided search and core-based bounds) interleaved in one deterministic schedule:
        # repeatable, and on the 30-issue benchmark it proves every level in 1.7 s where four subsolvers with
        # the full linear relaxation needed 9.7 s (the earliest-finish bounds made that relaxation unneeded).
        parameters.num_workers = len(DETERMINISTIC_PORTFOLIO)
        parameters.subsolvers.extend(DETERMINISTIC_PORTFOLIO)
        parameters.interleave_search = True
        # Neither neighbourhood search nor batches of several chunks: on twelve generated 30-issue backlogs the
        # whole plans took 19.6 s instead of 25.3 s, every level proven in both (the benchmark's S: 0.70 s, was 0.93).
        parameters.use_lns = False
        parameters.interleave_batch_size = 1
    elif search == Search.INTERLEAVED_LNS:
        # One worker has no large-neighbourhood search and could not improve a 200-issue greedy plan in 20 s;
        # interleaved LNS workers are repeatable and improved it by 8 % in 12 s.
        parameters.num_workers = 2
        parameters.interleave_search = True
        parameters.use_lns_only = True
    else:
        # CP-SAT follows a partial hint by search; with the hinted values fixed, propagation alone derives the rest.
        parameters.num_workers = 1
        parameters.fix_variables_to_their_hinted_value = True
        parameters.stop_after_first_solution = True
        parameters.cp_model_presolve = False
        parameters.cp_model_probing_level = 0
        parameters.symmetry_level = 0
        parameters.linearization_level = 0
    return solver
