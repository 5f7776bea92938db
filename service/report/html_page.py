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

#: The chart keeps its natural size (its text stays readable) and scrolls sideways when wider than the page.
#: Red, amber and green of the tones (service.report.document.Tone): a tint, a bar and dark text, so the colour
#: adds to the word and text keeps a contrast above 7:1.
_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 80rem;
       padding: 0 1rem; color: #222; line-height: 1.45; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2rem; border-bottom: 1px solid #ddd; } h3 { margin-top: 1.4rem; }
div.table { overflow-x: auto; }
table { border-collapse: collapse; margin: 0.6rem 0; font-size: 0.9rem; }
th, td { border: 1px solid #ddd; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } td.num, th.num { text-align: right; white-space: nowrap; }
.date { white-space: nowrap; }
a { color: #0b57d0; } a:visited { color: #6a3ab2; }
td.tone-bad { background: #fdecea; box-shadow: inset 4px 0 #c62828; color: #5f1111; }
td.tone-warn { background: #fff4e0; box-shadow: inset 4px 0 #e08600; color: #4d2e00; }
td.tone-good { background: #e8f5e9; box-shadow: inset 4px 0 #2e7d32; color: #133d16; }
td[class*="tone-"] { padding-left: 0.75rem; }
td.tone-bad strong:first-child { color: #b71c1c; } td.tone-warn strong:first-child { color: #8a4b00; }
td.tone-good strong:first-child { color: #1b5e20; }
figure { margin: 1rem 0; overflow-x: auto; } figure svg { max-width: none; height: auto; }
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
