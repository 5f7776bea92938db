"""A self-contained HTML page of the plan: the week plan's sections and the Gantt chart as inline SVG.

Everything the page shows is inside the file (styles, chart); it fetches nothing when opened.
"""

from __future__ import annotations

import html
import re

from service.report.document import Heading, to_html_fragment
from service.report.forecast_chart import forecast_svg
from service.report.gantt import gantt_svg
from service.report.plan_view import PlanView
from service.report.week_plan import DEFAULT_DAYS, week_plan_blocks

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 80rem;
       padding: 0 1rem; color: #222; line-height: 1.45; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2rem; border-bottom: 1px solid #ddd; } h3 { margin-top: 1.4rem; }
table { border-collapse: collapse; margin: 0.6rem 0; font-size: 0.9rem; }
th, td { border: 1px solid #ddd; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } td.num, th.num { text-align: right; }
figure { margin: 1rem 0; overflow-x: auto; } figure svg { max-width: 100%; height: auto; }
"""

_XML_PROLOGUE = re.compile(r"^\s*<\?xml[^>]*>\s*(<!DOCTYPE[^>]*>\s*)?", re.DOTALL)


def _inline_svg(svg: str) -> str:
    """SVG text without its XML prologue and doctype, ready to sit inside HTML."""
    return _XML_PROLOGUE.sub("", svg, count=1)


def _with_forecast_charts(view: PlanView, body: str) -> str:
    """The forecast's charts at the end of its section (before the next section), when the plan has a forecast."""
    svg = forecast_svg(view)
    section = body.find("<h2>Forecast</h2>")
    if svg is None or section < 0:
        return body
    figure = f'<figure aria-label="Forecast: finish-date distribution per milestone">{_inline_svg(svg)}</figure>'
    following = body.find("<h2>", section + 1)
    at = following if following >= 0 else len(body)
    return body[:at] + figure + "\n" + body[at:]


def plan_html(view: PlanView, days: int = DEFAULT_DAYS) -> str:
    """The page: the week plan's sections with the chart after the overview."""
    blocks = week_plan_blocks(view, days)
    title = blocks[0].text if blocks and isinstance(blocks[0], Heading) else "capplan plan"
    body = to_html_fragment(blocks)
    chart = f'<figure aria-label="Gantt chart and daily load per owner">{_inline_svg(gantt_svg(view))}</figure>'
    marker = "<h2>Day by day"
    body = body.replace(marker, f"<h2>Chart</h2>\n{chart}\n{marker}", 1) if marker in body else body + chart
    body = _with_forecast_charts(view, body)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{html.escape(title)}</title>"
        f"<style>{_STYLE}</style></head>\n<body>\n{body}\n</body></html>\n"
    )
