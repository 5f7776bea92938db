"""The last step of every plan: the independent checker re-checks it before it leaves the library.

A plan the checker rejects is a bug in capplan, never an answer, so it is raised, not returned.
"""

from __future__ import annotations

import time

from api_schemas.request import PlanRequest
from api_schemas.result import PlanCheck, PlanResult
from checker.schedule_checker import RULES, check_schedule


class PlanCheckError(RuntimeError):
    """The checker rejected a plan capplan produced; `violations` lists every broken rule in words."""

    def __init__(self, violations: list[str]) -> None:
        self.violations = violations
        shown = "; ".join(violations[:5]) + (f"; and {len(violations) - 5} more" if len(violations) > 5 else "")
        super().__init__(f"the plan breaks {len(violations)} rule(s) of docs/model.md: {shown}")

    def __reduce__(self) -> tuple[type[PlanCheckError], tuple[list[str]]]:
        """Pickle by the violations, so the error crosses from a solver process to the service intact."""
        return (PlanCheckError, (self.violations,))


def verified(request: PlanRequest, result: PlanResult) -> PlanResult:
    """`result` marked as checked, with the rules applied and the check's wall time; raises PlanCheckError."""
    started = time.perf_counter()
    violations = check_schedule(request, result)
    seconds = time.perf_counter() - started
    if violations:
        raise PlanCheckError([str(violation) for violation in violations])
    return result.model_copy(update={"checked": True, "check": PlanCheck(rules=len(RULES), seconds=round(seconds, 4))})
