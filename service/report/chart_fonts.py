"""Fonts of the charts: DejaVu Sans, falling back glyph by glyph to IPAexGothic for Japanese and CJK titles.

Issue titles are drawn in the PNG, and backlogs are written in many languages; matplotlib's own font has no CJK
glyphs. IPAexGothic ships in the `matplotlib-fontja` package, whose file is registered here without importing
the package (its import would switch every matplotlib user in the process to that font).
"""

from __future__ import annotations

import contextlib
import importlib.util
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import matplotlib
from matplotlib import font_manager

#: Fonts tried for each glyph, in order.
FONT_FAMILIES = ["DejaVu Sans", "IPAexGothic"]


@lru_cache(maxsize=1)
def _register_fallback_font() -> bool:
    """Add IPAexGothic to matplotlib's font list once; False when the package is not installed."""
    spec = importlib.util.find_spec("matplotlib_fontja")
    if spec is None or not spec.submodule_search_locations:
        return False
    font = Path(next(iter(spec.submodule_search_locations))) / "fonts" / "ipaexg.ttf"
    if not font.is_file():
        return False
    font_manager.fontManager.addfont(str(font))
    return True


@contextlib.contextmanager
def chart_fonts() -> Iterator[None]:
    """Draw and save a figure inside this block to get the fallback fonts (rcParams restored afterwards)."""
    families = FONT_FAMILIES if _register_fallback_font() else FONT_FAMILIES[:1]
    with matplotlib.rc_context({"font.family": families, "svg.fonttype": "path"}):
        yield
