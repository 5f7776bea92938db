"""Every output format of a plan behind one call, for the command line and the example script."""

from __future__ import annotations

from enum import StrEnum

from api_schemas.request import PlanRequest
from api_schemas.result import PlanResult
from service.report.document import to_markdown
from service.report.forecast_chart import figure_png, forecast_figure, stacked_png
from service.report.gantt import gantt_png
from service.report.html_page import plan_html
from service.report.ics import plan_ics
from service.report.plan_view import PlanView
from service.report.tables import load_csv, slots_csv
from service.report.week_plan import DEFAULT_DAYS, week_plan_blocks


class ReportFormat(StrEnum):
    """Output formats: the week plan (md, html), the raw result (json), tables (csv, load-csv), ics, png."""

    MD = "md"
    JSON = "json"
    CSV = "csv"
    LOAD_CSV = "load-csv"
    ICS = "ics"
    PNG = "png"
    HTML = "html"

    @property
    def is_binary(self) -> bool:
        """True for formats that are not text (never written to a terminal)."""
        return self == ReportFormat.PNG


def week_plan_markdown(request: PlanRequest, result: PlanResult, days: int = DEFAULT_DAYS) -> str:
    """The week plan in Markdown."""
    return to_markdown(week_plan_blocks(PlanView(request, result), days))


def render(report_format: ReportFormat, request: PlanRequest, result: PlanResult, days: int = DEFAULT_DAYS) -> bytes:
    """The plan in `report_format`, as bytes (UTF-8 for text formats)."""
    view = PlanView(request, result)
    if report_format == ReportFormat.MD:
        text = to_markdown(week_plan_blocks(view, days))
    elif report_format == ReportFormat.JSON:
        text = result.model_dump_json(indent=2) + "\n"
    elif report_format == ReportFormat.CSV:
        text = slots_csv(view)
    elif report_format == ReportFormat.LOAD_CSV:
        text = load_csv(view)
    elif report_format == ReportFormat.HTML:
        text = plan_html(view, days)
    elif report_format == ReportFormat.ICS:
        return plan_ics(view)
    elif (forecast := forecast_figure(view)) is not None:
        return stacked_png(gantt_png(view), figure_png(forecast))
    else:
        return gantt_png(view)
    return text.encode()
