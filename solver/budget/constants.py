"""Every constant that decides how a plan's time limit is spent, each with the measurement behind it.

Machine figures are from 2 cores (AMD EPYC unless said otherwise). Deterministic-time rates are the low ends
of what was measured, so that a deterministic budget ends inside the wall-clock one and plans repeat.
Constants only: `solver.budget.time_budget` hands the shares out.
"""

from __future__ import annotations

# --- plan and recommendations ------------------------------------------------------------------------------

#: Share of the time limit the plan itself may use when recommendations are asked for (unused time rolls over).
PLAN_SHARE = 0.6
#: Seconds to build the full model per task (2 cores, AMD EPYC: 1.4 s at 500 issues), for the recommendations'
#: estimate of what one model costs when the plan itself never built one.
FULL_MODEL_SECONDS_PER_TASK = 0.003
#: Seconds to prepare a problem and its greedy start per task (measured 0.65 ms at 2,000 issues on a slow day of
#: a 2-core AMD EPYC), taken from the neighbourhood search's budget so that large plans end inside the limit.
PREPARE_SECONDS_PER_TASK = 0.001
#: Below this many seconds a recommendation's solve is not started.
MIN_SOLVE_S = 0.05
#: Seconds of search a re-plan gets at least, beyond its preparation, when the budget has them (above 50 issues).
MIN_REPLAN_SEARCH_S = 0.2

# --- start plan: squeaky-wheel rounds ----------------------------------------------------------------------

#: Wall seconds of one greedy round per (issue, owner) check, measured 1.3-3.8 microseconds on 2 cores; the
#: round count is fixed from this estimate (not from the clock), so the same request gets the same plan.
SECONDS_PER_CHECK = 4e-6
#: Fixed cost of a round (objective values, priorities) per issue.
SECONDS_PER_ISSUE = 2e-5
#: Share of the plan's time the rounds may take (by the estimate above).
ROUNDS_TIME_SHARE = 0.2
#: Most rounds ever run.
MAX_ROUNDS = 400
#: Wall-clock share of the plan's time after which the start's improvement stops even if its estimated
#: rounds are not done (twice its estimated share: only a much slower machine reaches it).
IMPROVE_WALL_SHARE = 0.4

# --- search: which one, and the per-level split ------------------------------------------------------------

#: Above this many tasks, presolve probing costs more of the budget than it gives back (measured: at 200
#: issues it used 2 s per pass and starved the search), and deterministic mode searches by interleaved LNS;
#: the plan then searches neighbourhoods on small models and recommendations re-plan instead of building models.
LARGE_MODEL_TASKS = 50
#: Share of the search in pieces' seconds for its first stage, the model with only the start's split issues split
#: (`solver.search.pieces.split_as_started`): on S seed 0 (10 s) that stage proved its optimum (P1 finish 4482)
#: in 3.5 s where the full model in pieces, given it all, stopped at 4540; seeds 1 and 2 ended alike either way.
SPLIT_FIRST_SHARE = 0.5
#: Share of the search's seconds given as deterministic time in deterministic mode.
DETERMINISTIC_SHARE = 0.9
#: At most this share of the time left may go to completing the first hint (measured 0.8 s on 500 issues).
HINT_COMPLETION_SHARE = 0.25
#: Deterministic seconds the interleaved portfolio accounts per wall second, 2 cores (AMD EPYC; about half on a
#: slower Xeon): 0.12-0.43 over whole plans of eight generated 30-issue backlogs and about 0.45 in their long
#: solves. At 0.1 three of the eight stopped unproven after 1.8-2.5 s of a 10 s limit; at 0.25 all are proven,
#: in at most 4.3 s, so a machine twice as slow still ends inside the limit.
PORTFOLIO_DETERMINISTIC_RATE = 0.25
#: Interleaved LNS accounts about this many deterministic seconds per wall second, divided by the model's
#: variables (measured 700-920 at 200 issues, 640-950 at 500, 850-1,490 at 2,000; 2 cores, presolve
#: included): the low figure keeps the deterministic budget inside the wall budget, so that plans repeat.
LNS_RATE_PER_VARIABLE = 600.0
#: The highest rate interleaved LNS is ever charged at, however small the model.
LNS_MAX_RATE = 1 / 8
#: Each LNS level presolves once (one round: the neighbourhoods presolve again anyway), which costs wall
#: seconds and deterministic seconds per model variable before the search starts (one round measured 1.3e-5 to
#: 2.4e-5 s and 1.0e-7 to 2.3e-7 deterministic s per variable, 14,000 to 118,000 variables).
PRESOLVE_SECONDS_PER_VARIABLE = 3e-5
PRESOLVE_DETERMINISTIC_PER_VARIABLE = 3e-7
#: The least deterministic search time an LNS level gets after its presolve (with less, interleaved LNS may stop
#: before it loads its hint: seen at 500 issues when the presolve's share was not added).
LNS_MIN_DETERMINISTIC_S = 0.03

# --- neighbourhood search on small models (above LARGE_MODEL_TASKS) ----------------------------------------

#: Deterministic seconds one sub-solve may take.
SUB_DETERMINISTIC_S = 0.02
#: One CP-SAT worker accounts about this many deterministic seconds per wall second on sub-models, besides its
#: presolve: on a slow day of a 2-core AMD EPYC, 120 sub-solves of 200-2,000-issue backlogs fit wall = 6.6 s per
#: deterministic second + 3.3e-5 s per variable - 0.03 s. Charged at 8.3 s and 3.5e-5 s (and the Python work
#: below), the sum over a plan is 1.04-1.52 times the wall time there on seven backlogs of 200-2,000 issues
#: (at 7.1 s and 3e-5 s it was 0.98-1.48, and 4 of 12 plans with a 4 s limit ran into the wall clock).
SINGLE_WORKER_RATE = 0.12
#: Wall seconds of a sub-model's presolve and loading per variable, which its deterministic time hardly counts.
SUB_PRESOLVE_SECONDS_PER_VARIABLE = 3.5e-5
#: Wall seconds of Python work per neighbourhood (choosing it, its sub-problem), and per free task and busy span
#: of a model built (fit on the same sub-solves: 0.81 ms per free task and 3.2 us per busy span).
SECONDS_PER_NEIGHBOURHOOD = 0.01
SECONDS_PER_FREE_TASK = 0.0012
SECONDS_PER_BUSY_SPAN = 0.00001
#: Wall seconds per task of the plan for a neighbourhood skipped without a model, the level at its bound within it
#: (about 1 ms at 200 issues: choosing the anchor and the neighbourhood scans the plan).
SECONDS_PER_SKIP_PER_TASK = 5e-6
#: A level ends after this many neighbourhoods in a row were skipped: its improvable issues are held back by
#: work no neighbourhood around them frees (a warm re-plan of 200 issues skipped 1,700 in a row, a third of its
#: budget). The rest of its budget goes to the next levels.
SKIPS_TO_STOP = 50

# --- CP-SAT limits -----------------------------------------------------------------------------------------

#: CP-SAT never gets a wall or deterministic limit below this, and a level is not solved with less wall time.
SHORTEST_LIMIT_S = 0.01
#: A solve that ends unproven this close to its wall limit was stopped by the clock, not by its deterministic
#: limit: what it found depends on the machine's speed.
CLOCK_MARGIN_S = 0.05
