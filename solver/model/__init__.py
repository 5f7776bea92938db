"""The CP-SAT model of a prepared problem: variables, constraints and objective levels."""

from solver.model.build import PlanModel, build_model

__all__ = ["PlanModel", "build_model"]
