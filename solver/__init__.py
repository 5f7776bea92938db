"""capplan's planning core: pure Python and OR-Tools, no web imports.

`plan(request)` returns an optimal (or best-found) schedule; `validate_request` lists every problem of a
request; `InvalidRequestError` carries those problems when `plan` refuses a request. The independent
checker lives apart, in the top-level `checker` package.
"""

from solver.intake.errors import InvalidRequestError
from solver.intake.limits import DEFAULT_LIMITS, Limits
from solver.intake.validation import validate_request
from solver.planner import plan

__all__ = ["DEFAULT_LIMITS", "InvalidRequestError", "Limits", "plan", "validate_request"]
