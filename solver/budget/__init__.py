"""How a plan's time limit is spent: every time constant, the per-call `TimeBudget`, and CP-SAT's set-up.

`constants` holds each tuning figure with the measurement behind it; `time_budget` hands out the shares (plan and
recommendations, start rounds, search, levels); `cp_solver` configures every CP-SAT solver the planner runs.
"""

from solver.budget.cp_solver import Search, configured_solver
from solver.budget.time_budget import SearchBudget, TimeBudget, capped_time_limit

__all__ = ["Search", "SearchBudget", "TimeBudget", "capped_time_limit", "configured_solver"]
