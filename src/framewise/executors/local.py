"""The local executor: work runs here, in this process or in a pool of worker processes.

``workers=1`` runs every task in this process (easiest to debug, nothing pickled). With more,
``map`` uses a process pool and ``run`` starts that many worker processes, each of which builds
its worker once (models loaded once per process) and then takes specs from a queue: the same
shape as Ray's actor pool, on one machine.

Example:
    >>> list(LocalExecutor().map(abs, [-1, 2]))
    [1, 2]
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import queue
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from framewise.core.errors import ConfigError
from framewise.executors.base import (
    ExecutorBase,
    R,
    S,
    T,
    Task,
    TaskFailedError,
    TaskOutcome,
    WorkerFactory,
    build_worker,
    call_task,
    failed_everywhere,
)

# How long the driver waits on the result queue before it checks the worker processes are alive.
_POLL_SECONDS = 1.0


def _serve(factory: WorkerFactory[Any, Any], tasks: Any, results: Any) -> None:
    """A worker process: build the worker once, then run specs until the ``None`` sentinel."""
    worker, error = build_worker(factory)
    while (task := tasks.get()) is not None:
        if worker is None:
            results.put(next(failed_everywhere([task], error or "worker could not start")))
        else:
            results.put(call_task(worker, task))


class LocalExecutor(ExecutorBase):
    """Runs work on this machine: in this process (``workers=1``) or in worker processes.

    Args:
        workers: Processes; 1 runs in this process.
        in_flight: Items handed out at a time per worker, so a long input never queues whole
            and a kill loses at most these.
    """

    name = "local"

    def __init__(self, workers: int = 1, in_flight: int = 2) -> None:
        if workers < 1:
            raise ConfigError(
                f"workers must be at least 1, not {workers}", hint="pass --workers 1 or more"
            )
        self.workers = workers
        self.in_flight = in_flight

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """``fn(item)`` for every item, as they finish; an item's error raises here."""
        if self.workers == 1:
            for item in items:
                yield fn(item)
            return
        limit = self.workers * self.in_flight
        with concurrent.futures.ProcessPoolExecutor(self.workers) as pool:
            pending: set[concurrent.futures.Future[R]] = set()
            for item in items:
                pending.add(pool.submit(fn, item))
                if len(pending) >= limit:
                    done, pending = concurrent.futures.wait(
                        pending, return_when=concurrent.futures.FIRST_COMPLETED
                    )
                    yield from (future.result() for future in done)
            for future in concurrent.futures.as_completed(pending):
                yield future.result()

    def run(
        self, factory: WorkerFactory[S, R], tasks: Iterable[Task[S]]
    ) -> Iterator[TaskOutcome[R]]:
        """Every task through a worker built once per process; errors stay in outcomes."""
        if self.workers == 1:
            worker, error = build_worker(factory)
            if worker is None:
                yield from failed_everywhere(tasks, error or "worker could not start")
                return
            for task in tasks:
                yield call_task(worker, task)
            return
        yield from self._run_processes(factory, iter(tasks))

    def _run_processes(
        self, factory: WorkerFactory[S, R], tasks: Iterator[Task[S]]
    ) -> Iterator[TaskOutcome[R]]:
        todo: Any = multiprocessing.Queue()
        results: Any = multiprocessing.Queue()
        processes = [
            multiprocessing.Process(target=_serve, args=(factory, todo, results), daemon=True)
            for _ in range(self.workers)
        ]
        for process in processes:
            process.start()
        outstanding = 0
        try:
            for task in tasks:
                todo.put(task)
                outstanding += 1
                # Keep at most in_flight tasks per worker queued: results stream back early.
                while outstanding >= self.workers * self.in_flight:
                    yield self._next(results, processes)
                    outstanding -= 1
            while outstanding:
                yield self._next(results, processes)
                outstanding -= 1
        finally:
            for _ in processes:
                todo.put(None)
            for process in processes:
                process.join(timeout=5)
                if process.is_alive():
                    process.kill()
            todo.close()
            results.close()

    @staticmethod
    def _next(results: Any, processes: list[multiprocessing.Process]) -> TaskOutcome[Any]:
        while True:
            try:
                outcome: TaskOutcome[Any] = results.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                dead = [p for p in processes if p.exitcode not in (None, 0)]
                if dead:
                    # Local workers are not retried (Ray's are): say which one died and how.
                    raise TaskFailedError(
                        f"a worker process died (exit code {dead[0].exitcode})",
                        subject=f"pid {dead[0].pid}",
                        hint="run again: finished outputs are kept and skipped",
                    ) from None
                continue
            return outcome
