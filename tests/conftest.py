"""Test set-up: the repository root on `sys.path`, so tests share helpers as `tests.<module>` however pytest is run."""

import sys
from pathlib import Path

REPOSITORY_ROOT = str(Path(__file__).resolve().parent.parent)
if REPOSITORY_ROOT not in sys.path:
    sys.path.insert(0, REPOSITORY_ROOT)
