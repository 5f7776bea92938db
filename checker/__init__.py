"""The independent schedule checker: every rule of docs/model.md, re-checked on a returned plan.

Written from docs/model.md alone, with its own calendar and time arithmetic. It imports only the contract
(`api_schemas`), never the solver, so a mistake in the model cannot hide from it (an import contract in
pyproject.toml enforces that).
"""

from checker.schedule_checker import RULE_GROUPS, RULES, assert_valid, check_schedule
from checker.violation import Violation

__all__ = ["RULES", "RULE_GROUPS", "Violation", "assert_valid", "check_schedule"]
