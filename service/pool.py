"""The bounded pool that runs solves off the event loop, with admission control.

`SolvePool` bounds the solves running at once and keeps the books of what is admitted (running or
waiting); `service.admission` decides what may be admitted. Two back ends run the jobs:
- `ProcessBackend` (default): long-lived worker processes. A solve is CPU-bound (model building in
  Python, then CP-SAT), so processes keep it off the service's GIL and cores; and a worker whose
  client went away is killed and replaced, which frees its core before the solve's time limit.
  A worker found dead is replaced before it is given work, and a job whose worker dies under it
  runs once more on a fresh one (`SolverCrashedError` when that one dies too).
- `ThreadBackend`: threads of the service process. Lighter (no extra interpreters); CP-SAT releases
  the GIL while it searches. An abandoned solve runs on until its time limit, which caps it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import multiprocessing
from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

from service.progress_channel import Sink, sending_to
from service.worker_process import WorkerDiedError, WorkerProcess

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: How many workers one job may run on: a worker that dies under a job is replaced and the job sent once more.
ATTEMPTS = 2


class SolverCrashedError(Exception):
    """A job's worker process died under it twice (killed, out of memory, or a crash in the solver)."""


class Backend(Protocol):
    """Runs one job at a time per worker; the pool never gives it more than `workers` jobs at once."""

    async def start(self) -> None:
        """Get the workers ready."""

    async def run(self, job: Callable[..., T], *args: Any, on_progress: Sink | None = None) -> T:
        """Run `job(*args)` on a worker and return its result; `on_progress` hears (on the loop) what it reports."""

    async def stop(self) -> None:
        """Stop every worker, abandoning what runs."""

    @property
    def live_workers(self) -> int:
        """Workers that can run a job now (0 when not started)."""


def _on_loop(loop: asyncio.AbstractEventLoop, on_progress: Sink | None) -> Sink | None:
    """A sink callable from any thread that runs `on_progress` on `loop`."""
    if on_progress is None:
        return None
    callback = on_progress

    def hand_over(payload: Any) -> None:
        with contextlib.suppress(RuntimeError):  # the loop closed: no one listens any more
            loop.call_soon_threadsafe(callback, payload)

    return hand_over


class ThreadBackend:
    """Jobs in a thread pool of the service process."""

    def __init__(self, workers: int) -> None:
        self._workers = workers
        self._executor: concurrent.futures.ThreadPoolExecutor | None = None

    async def start(self) -> None:
        """Make the thread pool (its threads start on demand); again after a stop, as a restarted app needs."""
        if self._executor is None:
            self._executor = concurrent.futures.ThreadPoolExecutor(
                max_workers=self._workers, thread_name_prefix="capplan-solve"
            )

    @property
    def live_workers(self) -> int:
        """All the threads once started (a thread cannot die under a job)."""
        return self._workers if self._executor is not None else 0

    async def run(self, job: Callable[..., T], *args: Any, on_progress: Sink | None = None) -> T:
        """Run the job in a thread; cancelling the caller leaves a started job to finish on its own."""
        await self.start()
        loop = asyncio.get_running_loop()
        sink = _on_loop(loop, on_progress)

        def with_sink() -> T:
            with sending_to(sink):
                return job(*args)

        return await loop.run_in_executor(self._executor, with_sink)

    async def stop(self) -> None:
        """Drop queued jobs; running ones end at their time limits."""
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None


class ProcessBackend:
    """Jobs in long-lived spawned worker processes; a cancelled job's worker is killed and replaced.

    Jobs and their arguments and results cross a pipe, so they must pickle (module-level functions).
    `preload` names modules each worker imports at start, so the first solve does not pay for them.
    """

    def __init__(self, workers: int, preload: Sequence[str] = ()) -> None:
        self._workers = workers
        self._preload = tuple(preload)
        self._context = multiprocessing.get_context("spawn")
        self._idle: asyncio.Queue[WorkerProcess] = asyncio.Queue()
        self._live: set[WorkerProcess] = set()
        self._pipes = self._pipe_threads()
        self._replacements: set[asyncio.Task[None]] = set()
        self._started = False
        self._stopping = False

    @property
    def pids(self) -> list[int]:
        """Process ids of the live workers (for tests and diagnostics)."""
        return sorted(worker.process.pid for worker in self._live if worker.process.pid is not None)

    @property
    def live_workers(self) -> int:
        """Worker processes started and not reaped (one that died idle is replaced before it gets work; 0 stopped)."""
        if not self._started or self._stopping:
            return 0
        return len(self._live)

    def _spawn(self) -> WorkerProcess:
        worker = WorkerProcess(self._context, self._preload)
        self._live.add(worker)
        return worker

    def _pipe_threads(self) -> concurrent.futures.ThreadPoolExecutor:
        """One pipe-waiting thread per running job, plus room for killed workers still unwinding."""
        return concurrent.futures.ThreadPoolExecutor(max_workers=2 * self._workers, thread_name_prefix="capplan-pipe")

    async def start(self) -> None:
        """Spawn the workers (they import the solver in parallel, in the background); again after a stop."""
        if self._started and not self._stopping:
            return
        if self._stopping:  # a restarted app (its lifespan run again) gets fresh workers
            self._idle, self._pipes, self._stopping = asyncio.Queue(), self._pipe_threads(), False
        self._started = True
        for _ in range(self._workers):
            self._idle.put_nowait(await asyncio.to_thread(self._spawn))

    async def run(self, job: Callable[..., T], *args: Any, on_progress: Sink | None = None) -> T:
        """Run the job on a live idle worker; if the caller is cancelled, kill that worker and start a new one.

        A worker that dies under the job is replaced and the job runs once more on another worker; a second
        death raises `SolverCrashedError` (a job that kills its process every time must not loop).
        """
        await self.start()
        sink = _on_loop(asyncio.get_running_loop(), on_progress)
        for attempt in range(1, ATTEMPTS + 1):
            worker = await self._live_idle_worker()
            call = self._pipes.submit(worker.call, job, args, sink)
            try:
                result: T = await asyncio.wrap_future(call)
            except asyncio.CancelledError:
                logger.info("cancelling a solve: killing solver process %s", worker.process.pid)
                worker.kill()
                self._replace(worker, call)
                raise
            except WorkerDiedError:
                logger.warning("solver process %s died during a job (attempt %s of %s)",
                               worker.process.pid, attempt, ATTEMPTS)
                self._replace(worker, call)
                continue
            except BaseException:
                self._idle.put_nowait(worker)
                raise
            self._idle.put_nowait(worker)
            return result
        raise SolverCrashedError(f"the solver process died {ATTEMPTS} times running the same job")

    async def _live_idle_worker(self) -> WorkerProcess:
        """The next idle worker that is still alive; one that died while idle is replaced, not handed work."""
        while True:
            if self._stopping:
                raise SolverCrashedError("the solver pool is stopping")
            worker = await self._idle.get()
            if worker.alive:
                return worker
            logger.warning("solver process %s died while idle (exit code %s); replacing it",
                           worker.process.pid, worker.process.exitcode)
            self._replace(worker)

    def _replace(self, worker: WorkerProcess, call: concurrent.futures.Future[Any] | None = None) -> None:
        """Reap a dead or killed worker (once its `call` has returned) and put a fresh one in its place."""

        def reap_and_respawn() -> WorkerProcess | None:
            if call is not None:
                concurrent.futures.wait([call])
            worker.reap()
            self._live.discard(worker)
            return None if self._stopping else self._spawn()

        async def replace() -> None:
            fresh = await asyncio.to_thread(reap_and_respawn)
            if fresh is not None:
                self._idle.put_nowait(fresh)

        task = asyncio.get_running_loop().create_task(replace())
        self._replacements.add(task)
        task.add_done_callback(self._replacements.discard)

    async def stop(self) -> None:
        """Kill every worker and wait for them to be gone."""
        self._stopping = True
        for worker in list(self._live):
            worker.kill()
        if self._replacements:
            await asyncio.gather(*self._replacements, return_exceptions=True)
        for worker in list(self._live):
            await asyncio.to_thread(worker.reap)
            self._live.discard(worker)
        self._pipes.shutdown(wait=False, cancel_futures=True)


class Reservation:
    """Room held in a pool for an admitted request's solves and work; released when its `with` block ends."""

    def __init__(self, pool: SolvePool, solves: int, work_s: float) -> None:
        self._pool = pool
        self.solves = solves
        self.work_s = work_s

    def __enter__(self) -> Reservation:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._pool._release(self)
        self.solves, self.work_s = 0, 0.0


class SolvePool:
    """The concurrency bound in front of a back end, and the books of what is admitted to it.

    Whether a request may be admitted is decided in `service.admission`; the pool only keeps the count.
    """

    def __init__(self, backend: Backend, workers: int, queue_depth: int) -> None:
        self.backend = backend
        self.workers = workers
        self.queue_depth = queue_depth
        self._slots = asyncio.Semaphore(workers)
        self.admitted_solves = 0
        self.admitted_work_s = 0.0
        self.running = 0

    @property
    def waiting(self) -> int:
        """Admitted solves not running yet."""
        return self.admitted_solves - self.running

    @property
    def live_workers(self) -> int:
        """Workers able to take a solve now (0 before the pool starts or after it stops)."""
        return self.backend.live_workers

    def reserve(self, solves: int, work_s: float) -> Reservation:
        """Hold room for `solves` solves worth `work_s` solve-seconds; leave the `with` block to free it."""
        self.admitted_solves += solves
        self.admitted_work_s += work_s
        return Reservation(self, solves, work_s)

    def _release(self, reservation: Reservation) -> None:
        self.admitted_solves -= reservation.solves
        self.admitted_work_s = max(0.0, self.admitted_work_s - reservation.work_s)

    async def run(self, job: Callable[..., T], *args: Any, on_progress: Sink | None = None) -> T:
        """Run an admitted job when a worker is free; `on_progress` hears (on the loop) what the job reports."""
        async with self._slots:
            self.running += 1
            try:
                return await self.backend.run(job, *args, on_progress=on_progress)
            finally:
                self.running -= 1

    async def start(self) -> None:
        """Start the back end's workers."""
        await self.backend.start()

    async def stop(self) -> None:
        """Stop the back end's workers."""
        await self.backend.stop()
