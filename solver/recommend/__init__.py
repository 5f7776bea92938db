"""Recommendations: how to meet each missed milestone or deadline, proven minimal and verified by re-planning.

Extension, scope cut and capacity alternatives, overdue milestones, the reasons a date is missed, and the
conflicting constraints of an infeasible request. Pure solver code: no web imports.
"""

from solver.recommend.context import Planning
from solver.recommend.recommender import recommend

__all__ = ["Planning", "recommend"]
