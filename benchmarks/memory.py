"""Peak memory of the whole process (its high-water resident set size)."""

from __future__ import annotations

import resource
import sys


def peak_rss_mib() -> float:
    """The process's peak resident memory so far, in MiB (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024, 1)
