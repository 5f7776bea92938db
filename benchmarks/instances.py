"""Which instance a job plans: a size, a seed, a variant (mixed team or identical owners) and solver options."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from api_schemas.request import PlanRequest, SolveMode
from benchmarks.generator import SIZES, generate

MIXED = "mixed"
IDENTICAL = "identical"


@dataclass(frozen=True)
class InstanceSpec:
    """Everything needed to regenerate one request in another process."""

    size: str
    seed: int = 0
    variant: str = MIXED
    time_limit_s: float = 10.0
    mode: str = SolveMode.DETERMINISTIC.value
    #: Every issue may be paused and resumed (`options.splittable`, docs/model.md "Interruptible work").
    splittable: bool = False

    def request(self) -> PlanRequest:
        """The generated request, the same in every process."""
        request = generate(
            SIZES[self.size], self.seed, self.time_limit_s, SolveMode(self.mode), identical=self.variant == IDENTICAL
        )
        if not self.splittable:
            return request
        options = request.options.model_copy(update={"splittable": True})
        return request.model_copy(update={"options": options})

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> InstanceSpec:
        """Inverse of `as_dict`."""
        return cls(**data)


def describe(request: PlanRequest) -> dict[str, Any]:
    """Counts that say how big and how loaded an instance is."""
    estimated = [issue.work_hours for issue in request.issues if issue.work_hours]
    return {
        "owners": len(request.owners),
        "issues": len(request.issues),
        "milestones": len(request.milestones),
        "dependencies": sum(len(issue.depends_on) for issue in request.issues),
        "work_hours": round(sum(h for h in estimated if h is not None), 2),
    }
