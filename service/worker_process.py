"""A long-lived child process that runs one job at a time, sent over a pipe, and can be killed mid-job.

The parent calls `WorkerProcess.call` from a thread (it blocks on the pipe); killing the process makes
that call fail at once, which is how an abandoned solve frees its core before its time limit.
"""

from __future__ import annotations

import importlib
import signal
import traceback
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from multiprocessing.context import SpawnContext, SpawnProcess
from typing import Any


class WorkerDiedError(Exception):
    """The worker process ended (killed, or crashed) before it answered."""


class JobFailedError(Exception):
    """The job raised in the worker; the message carries the worker-side traceback (for the log only)."""


def serve_jobs(connection: Connection, preload: Sequence[str]) -> None:
    """Child main loop: import `preload` modules, then answer (job, args) messages until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group; the parent decides.
    for module in preload:
        importlib.import_module(module)
    while True:
        try:
            job, args = connection.recv()
        except (EOFError, OSError):
            return
        try:
            reply: tuple[str, Any] = ("ok", job(*args))
        except Exception:
            reply = ("error", traceback.format_exc())
        try:
            connection.send(reply)
        except (BrokenPipeError, OSError):
            return
        except Exception:  # an answer that does not pickle
            connection.send(("error", traceback.format_exc()))


class WorkerProcess:
    """One spawned child running `serve_jobs`, and the parent's end of its pipe."""

    def __init__(self, context: SpawnContext, preload: Sequence[str]) -> None:
        parent_end, child_end = context.Pipe(duplex=True)
        self.connection = parent_end
        self.process: SpawnProcess = context.Process(
            target=serve_jobs, args=(child_end, tuple(preload)), name="capplan-solver", daemon=True
        )
        self.process.start()
        child_end.close()

    def call(self, job: Callable[..., Any], args: tuple[Any, ...]) -> Any:
        """Run `job(*args)` in the child and return its result (blocking: call from a thread)."""
        try:
            self.connection.send((job, args))
            status, payload = self.connection.recv()
        except (EOFError, OSError) as error:
            raise WorkerDiedError(f"solver process {self.process.pid} ended before answering") from error
        if status != "ok":
            raise JobFailedError(payload)
        return payload

    @property
    def alive(self) -> bool:
        """Whether the child still runs (a cheap non-blocking check; it may die right after)."""
        return self.process.is_alive()

    def kill(self) -> None:
        """Stop the child now (SIGKILL); a `call` blocked on it fails at once. `reap` cleans up after."""
        if self.process.is_alive():
            self.process.kill()

    def reap(self) -> None:
        """Wait for the child to be gone and close the pipe (blocking; call once no `call` is running)."""
        self.process.join()
        self.connection.close()
        self.process.close()
