"""Issue references in GitHub issue bodies: 'Blocked by #840', 'Depends on #972 (+1 day)', 'Blocks #841', task lists.

Only references to issues of the same repository become dependencies; the rest are returned for a note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_REFERENCE = (
    r"(?:(?P<repo>[\w.-]+/[\w.-]+)#(?P<number>\d+)"
    r"|https?://github\.com/(?P<url_repo>[\w.-]+/[\w.-]+)/issues/(?P<url_number>\d+)"
    r"|#(?P<local>\d+))"
    r"(?:\s*\(\s*\+\s*(?P<lag>\d+)\s*(?:working\s+|business\s+)?days?\s*(?:lag)?\s*\))?"
)
_REFERENCE_RE = re.compile(_REFERENCE, re.IGNORECASE)
_DEPENDS = re.compile(r"(?im)\b(?:blocked\s+by|depends\s+(?:on|upon)|requires|waits\s+for)\b\s*[:\uFF1A]?\s*(.*)$")
_BLOCKS = re.compile(r"(?im)\bblocks\b\s*[:\uFF1A]?\s*(.*)$")
_NEXT_KEYWORD = re.compile(r"(?i)\b(?:blocked\s+by|depends\s+(?:on|upon)|requires|waits\s+for|blocks)\b")
_TASK = re.compile(r"(?m)^\s*[-*+]\s+\[[ xX]\]\s+(.*)$")


@dataclass(frozen=True)
class Reference:
    """An issue number, the lag written beside it, and the repository it names (None: this repository)."""

    number: int
    lag_days: int = 0
    repo: str | None = None


@dataclass
class BodyReferences:
    """What an issue body says about its dependencies."""

    depends_on: list[Reference] = field(default_factory=list)
    blocks: list[Reference] = field(default_factory=list)


def _references_in(text: str, repo: str | None) -> list[Reference]:
    """Every issue reference in a stretch of text, up to the first sentence end."""
    stretch = re.split(r"(?<=[.!?])\s|\n", text, maxsplit=1)[0]
    stretch = _NEXT_KEYWORD.split(stretch, maxsplit=1)[0]
    found: list[Reference] = []
    for match in _REFERENCE_RE.finditer(stretch):
        lag = int(match.group("lag") or 0)
        if match.group("local"):
            found.append(Reference(int(match.group("local")), lag))
            continue
        other = match.group("repo") or match.group("url_repo")
        number = int(match.group("number") or match.group("url_number"))
        same = repo is not None and other.lower() == repo.lower()
        found.append(Reference(number, lag, None if same else other))
    return found


def body_references(body: str, repo: str | None = None) -> BodyReferences:
    """Dependencies ('Blocked by', 'Depends on', 'Requires', task-list items) and reverse ones ('Blocks')."""
    references = BodyReferences()
    for match in _DEPENDS.finditer(body or ""):
        references.depends_on += _references_in(match.group(1), repo)
    for match in _TASK.finditer(body or ""):
        references.depends_on += _references_in(match.group(1), repo)
    for match in _BLOCKS.finditer(body or ""):
        references.blocks += _references_in(match.group(1), repo)
    return references
