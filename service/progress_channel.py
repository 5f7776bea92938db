"""Where a job running in a solve worker sends its progress: a sink per thread, set by the pool that runs the job.

The process pool's child sets a sink that writes to its pipe, the thread pool one that hands over to the event
loop; code inside the job (`service.solve_job.plan_checked`) takes the sink of its thread with `current_sink()`
and may call it from any thread (CP-SAT calls back from its own). Outside a job there is no sink.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

#: Receives one progress payload (JSON-able data); must be cheap and must not raise.
Sink = Callable[[Any], None]

_local = threading.local()


def current_sink() -> Sink | None:
    """The sink of the job running in this thread, if its caller asked for progress."""
    sink: Sink | None = getattr(_local, "sink", None)
    return sink


@contextmanager
def sending_to(sink: Sink | None) -> Iterator[None]:
    """Make `sink` this thread's sink for the block (None: no progress wanted)."""
    before = current_sink()
    _local.sink = sink
    try:
        yield
    finally:
        _local.sink = before
