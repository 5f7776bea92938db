"""A tiny document model (headings, paragraphs, lists, tables) rendered to Markdown or HTML.

The week plan is written once as blocks; both renderers are mechanical, so the Markdown a team lead posts
and the HTML page always say the same thing. Text may use `**bold**`; nothing else is interpreted.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_NUMBER_CLASS = ' class="num"'


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
    rows: Sequence[Sequence[str]]
    right: frozenset[int] = field(default_factory=frozenset)


Block = Heading | Paragraph | Bullets | Table


# --- Markdown ----------------------------------------------------------------------------------------------


def _markdown_cell(text: str) -> str:
    """Escape what would break a Markdown table cell (pipes, line breaks)."""
    return text.replace("|", "\\|").replace("\n", " ")


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
            parts.append("#" * block.level + " " + block.text)
        elif isinstance(block, Paragraph):
            parts.append(block.text)
        elif isinstance(block, Bullets):
            marks = [f"{n}." if block.numbered else "-" for n in range(1, len(block.items) + 1)]
            parts.append("\n".join(f"{mark} {item}" for mark, item in zip(marks, block.items, strict=True)))
        else:
            parts.append(_markdown_table(block))
    return "\n\n".join(parts) + "\n"


# --- HTML --------------------------------------------------------------------------------------------------


def _inline_html(text: str) -> str:
    """Escape text for HTML and turn `**bold**` into <strong>."""
    return _BOLD.sub(r"<strong>\1</strong>", html.escape(text))


def _html_table(table: Table) -> str:
    def cells(row: Sequence[str], tag: str) -> str:
        return "".join(
            f"<{tag}{_NUMBER_CLASS if i in table.right else ''}>{_inline_html(cell)}</{tag}>"
            for i, cell in enumerate(row)
        )

    body = "".join(f"<tr>{cells(row, 'td')}</tr>" for row in table.rows)
    return f"<table><thead><tr>{cells(table.header, 'th')}</tr></thead><tbody>{body}</tbody></table>"


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
