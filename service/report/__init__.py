"""Reports of a plan people read: the Markdown week plan, CSV tables, iCalendar, Gantt chart (PNG, HTML).

Every report takes the request and its result (`PlanView`), because dependencies and estimates are in the
request only. Reports never solve; they only read a plan.
"""

from service.report.formats import ReportFormat, render, week_plan_markdown
from service.report.plan_view import PlanView

__all__ = ["PlanView", "ReportFormat", "render", "week_plan_markdown"]
