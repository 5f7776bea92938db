"""Running a request's CPU-bound steps (parsing, validation, comparing plans) off the event loop.

A thread alone is not enough for a body of megabytes: the cyclic garbage collector's full passes over
its hundreds of thousands of new objects hold the GIL for a tenth of a second or more each, and the event
loop (so `/healthz`) waits for them. Parsed JSON and the contract's models hold no reference cycles, so
reference counting frees them anyway; the collector is paused while such steps run and resumes after.
"""

from __future__ import annotations

import functools
import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

from starlette.concurrency import run_in_threadpool

P = ParamSpec("P")
T = TypeVar("T")

_lock = threading.Lock()
_paused = 0
_resume = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector until the last of the steps running at once has finished."""
    global _paused, _resume
    with _lock:
        if _paused == 0:
            _resume = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _lock:
            _paused -= 1
            if _paused == 0 and _resume:
                gc.enable()


def _paused_call(func: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    with collector_paused():
        return func(*args, **kwargs)


async def off_loop(func: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run `func` in a worker thread with the collector paused, so the event loop keeps answering meanwhile."""
    return await run_in_threadpool(functools.partial(_paused_call, func, *args, **kwargs))
