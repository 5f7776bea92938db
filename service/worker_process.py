"""A long-lived child process that runs one job at a time, sent over a pipe, and can be killed mid-job.

The parent calls `WorkerProcess.call` from a thread (it blocks on the pipe); killing the process makes
that call fail at once, which is how an abandoned solve frees its core before its time limit.
"""

from __future__ import annotations

import importlib
import os
import signal
import threading
import traceback
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from multiprocessing.context import SpawnContext, SpawnProcess
from typing import Any

from service.progress_channel import Sink, sending_to

#: How often a worker checks that its parent still lives (a killed parent's worker must not solve on alone).
PARENT_CHECK_S = 0.5


class WorkerDiedError(Exception):
    """The worker process ended (killed, or crashed) before it answered."""


class JobFailedError(Exception):
    """The job raised in the worker; the message carries the worker-side traceback (for the log only)."""


def _exit_with_parent(parent: int) -> None:
    """End this process once its parent is gone (killed with SIGKILL, say): its solve has no one to answer."""
    while os.getppid() == parent:
        threading.Event().wait(PARENT_CHECK_S)
    os._exit(1)


def _pipe_sink(connection: Connection) -> Sink:
    """A sink that sends ("progress", payload) to the parent; a lock, as CP-SAT may call back from its threads."""
    lock = threading.Lock()

    def send(payload: Any) -> None:
        with lock:
            connection.send(("progress", payload))

    return send


def serve_jobs(connection: Connection, preload: Sequence[str], parent: int | None = None) -> None:
    """Child main loop: import `preload` modules, then answer (job, args, progress) messages until the pipe closes.

    While a job that asked for progress runs, what it reports reaches the parent as ("progress", payload).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group; the parent decides.
    if parent is not None:
        threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True, name="parent-watch").start()
    for module in preload:
        importlib.import_module(module)
    sink = _pipe_sink(connection)
    while True:
        try:
            job, args, progress = connection.recv()
        except (EOFError, OSError):
            return
        try:
            with sending_to(sink if progress else None):
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
            target=serve_jobs, args=(child_end, tuple(preload), os.getpid()), name="capplan-solver", daemon=True
        )
        self.process.start()
        child_end.close()

    def call(self, job: Callable[..., Any], args: tuple[Any, ...], on_progress: Sink | None = None) -> Any:
        """Run `job(*args)` in the child and return its result (blocking: call from a thread).

        With `on_progress`, what the job reports reaches it (in this thread) while the job runs.
        """
        try:
            self.connection.send((job, args, on_progress is not None))
            status, payload = self.connection.recv()
            while status == "progress":
                if on_progress is not None:
                    on_progress(payload)
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
