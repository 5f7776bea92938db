"""A tiny document model (headings, paragraphs, lists, tables) rendered to Markdown or HTML.

The week plan is written once as blocks; both renderers are mechanical, so the Markdown a team lead posts
and the HTML page always say the same thing. Text may use `**bold**`; nothing else is interpreted. A table
cell may be a `Cell` with a tone (red, amber, green in HTML; the words carry the meaning in both) and a link.
In HTML, dates written as 'Mon 2025-11-24' (with a time or not) never break across lines.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

_BOLD = re.compile(r"\*\*(.+?)\*\*")
#: A date as `formatting.day` and `formatting.instant` write it, kept on one line in HTML.
_DATE = re.compile(r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{4}-\d{2}-\d{2}(?: \d{2}:\d{2})?")


class Tone(StrEnum):
    """How a cell reads at a glance: red, amber or green (the HTML class `tone-<value>`)."""

    BAD = "bad"
    WARN = "warn"
    GOOD = "good"


@dataclass(frozen=True)
class Cell:
    """A table cell with a tone and a link; its text alone must say what the tone shows."""

    text: str
    tone: Tone | None = None
    href: str | None = None


@dataclass(frozen=True)
class Heading:
    """A section title; level 1 is the document title."""

    level: int
    text: str


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of text."""

    text: str


@dataclass(frozen=True)
class Bullets:
    """A bulleted (or numbered) list."""

    items: Sequence[str]
    numbered: bool = False


@dataclass(frozen=True)
class Table:
    """A table with a header row; `right` lists the columns to align right (numbers)."""

    header: Sequence[str]
    rows: Sequence[Sequence[str | Cell]]
    right: frozenset[int] = field(default_factory=frozenset)


Block = Heading | Paragraph | Bullets | Table


# --- Markdown ----------------------------------------------------------------------------------------------


#: What Markdown would read as markup in plain text (titles and names come from trackers): a backslash (it would
#: escape what follows, a table's pipe too), '<' (raw HTML, autolinks) and brackets (links). `**bold**` stays.
_MARKDOWN_SPECIAL = re.compile(r"([\\<\[\]])")


def _markdown_text(text: str) -> str:
    """Text as Markdown shows it as written: a title's `<script>` or `[x](javascript:...)` stays text."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _markdown_cell(cell: str | Cell) -> str:
    """Escape what would break a Markdown table cell (pipes, line breaks); a linked cell is a Markdown link."""
    text = _markdown_text(cell if isinstance(cell, str) else cell.text)
    text = text.replace("|", "\\|").replace("\n", " ")
    if isinstance(cell, Cell) and cell.href:
        href = cell.href.replace("(", "%28").replace(")", "%29").replace("|", "%7C").replace("<", "%3C")
        return f"[{text}]({href.replace('>', '%3E').replace(' ', '%20')})"
    return text


def _markdown_table(table: Table) -> str:
    lines = ["| " + " | ".join(_markdown_cell(cell) for cell in table.header) + " |"]
    lines.append("|" + "|".join("---:" if i in table.right else "---" for i in range(len(table.header))) + "|")
    lines += ["| " + " | ".join(_markdown_cell(cell) for cell in row) + " |" for row in table.rows]
    return "\n".join(lines)


def to_markdown(blocks: Sequence[Block]) -> str:
    """Render blocks as GitHub-flavoured Markdown, one blank line between blocks."""
    parts: list[str] = []
    for block in blocks:
        if isinstance(block, Heading):
            parts.append("#" * block.level + " " + _markdown_text(block.text))
        elif isinstance(block, Paragraph):
            parts.append(_markdown_text(block.text))
        elif isinstance(block, Bullets):
            marks = [f"{n}." if block.numbered else "-" for n in range(1, len(block.items) + 1)]
            items = [_markdown_text(item) for item in block.items]
            parts.append("\n".join(f"{mark} {item}" for mark, item in zip(marks, items, strict=True)))
        else:
            parts.append(_markdown_table(block))
    return "\n\n".join(parts) + "\n"


# --- HTML --------------------------------------------------------------------------------------------------


def _inline_html(text: str) -> str:
    """Escape text for HTML, turn `**bold**` into <strong> and keep each date on one line."""
    escaped = _DATE.sub(lambda match: f'<span class="date">{match.group(0)}</span>', html.escape(text))
    return _BOLD.sub(r"<strong>\1</strong>", escaped)


def _html_cell(cell: str | Cell, tag: str, number: bool) -> str:
    text, tone, href = (cell, None, None) if isinstance(cell, str) else (cell.text, cell.tone, cell.href)
    classes = " ".join(name for name in ("num" if number else "", f"tone-{tone.value}" if tone else "") if name)
    content = _inline_html(text)
    if href:
        content = f'<a href="{html.escape(href, quote=True)}">{content}</a>'
    attributes = f' class="{classes}"' if classes else ""
    return f"<{tag}{attributes}>{content}</{tag}>"


def _html_table(table: Table) -> str:
    def cells(row: Sequence[str | Cell], tag: str) -> str:
        return "".join(_html_cell(cell, tag, i in table.right) for i, cell in enumerate(row))

    body = "".join(f"<tr>{cells(row, 'td')}</tr>" for row in table.rows)
    return (
        f'<div class="table"><table><thead><tr>{cells(table.header, "th")}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def to_html_fragment(blocks: Sequence[Block]) -> str:
    """Render blocks as an HTML fragment (no <html> or <body>)."""
    parts: list[str] = []
    for block in blocks:
        if isinstance(block, Heading):
            level = min(max(block.level, 1), 6)
            parts.append(f"<h{level}>{_inline_html(block.text)}</h{level}>")
        elif isinstance(block, Paragraph):
            parts.append(f"<p>{_inline_html(block.text)}</p>")
        elif isinstance(block, Bullets):
            tag = "ol" if block.numbered else "ul"
            parts.append(f"<{tag}>" + "".join(f"<li>{_inline_html(item)}</li>" for item in block.items) + f"</{tag}>")
        else:
            parts.append(_html_table(block))
    return "\n".join(parts)
