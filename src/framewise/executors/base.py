"""The executor protocol: where batch work runs, and the record each task leaves.

Two ways to hand work out, both yielding as tasks finish (in any order):

* ``map(fn, items)`` — a picklable function over items; an error raises, as a loop would.
* ``run(factory, tasks)`` — job specs to workers that are *built once* (models loaded once
  per worker process or Ray actor) and reused for every spec they get. Each task yields a
  :class:`TaskOutcome`; a task that fails carries its error, so one bad input fails its own
  task, not the job.

A factory is a picklable callable returning the worker, e.g. a frozen dataclass holding the
config; the worker is any ``Callable[[spec], result]``. Specs and results must pickle.

Example:
    >>> from framewise.executors import Task, make_executor
    >>> with make_executor("local") as executor:
    ...     [o.value for o in executor.run(Doubler, [Task("a", 2)])]  # doctest: +SKIP
    [4]
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Generic, Protocol, Self, TypeVar

from framewise.core.errors import FramewiseError

T = TypeVar("T")
R = TypeVar("R")
S = TypeVar("S")

Worker = Callable[[S], R]
"""A built worker: takes one job spec, returns its result."""

WorkerFactory = Callable[[], Callable[[S], R]]
"""Builds a worker (loads its models); called once per worker process or actor."""


@dataclass(frozen=True)
class Task(Generic[S]):
    """One unit of work: a key that names it in outcomes and summaries, and its spec.

    Attributes:
        key: Unique within a run (a video's path, a row's key).
        spec: What the worker needs (config + input reference); must pickle.
    """

    key: str
    spec: S


@dataclass(frozen=True)
class TaskOutcome(Generic[R]):
    """What one task did.

    Attributes:
        key: The task's key.
        value: The worker's result; None when it failed.
        error: One line saying why it failed; None when it succeeded.
        worker: Which worker ran it (``host:pid``).
        seconds: Wall time of the task on its worker.
    """

    key: str
    value: R | None
    error: str | None
    worker: str
    seconds: float

    @property
    def ok(self) -> bool:
        """Whether the task succeeded."""
        return self.error is None


class TaskFailedError(FramewiseError):
    """A task of ``map`` failed on a worker that could not hand its exception back."""


class Executor(Protocol):
    """Runs work items; yields each result once, in the order they finish."""

    name: str
    workers: int

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """``fn(item)`` for every item; ``fn`` and the items must pickle for remote workers."""
        ...

    def run(
        self, factory: WorkerFactory[S, R], tasks: Iterable[Task[S]]
    ) -> Iterator[TaskOutcome[R]]:
        """Every task through a worker built by ``factory`` (once per worker).

        Never raises for a task's own error: its outcome carries it.
        """
        ...

    def close(self) -> None:
        """Release the workers (idempotent)."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None: ...


class ExecutorBase:
    """Context-manager plumbing shared by the executors."""

    name = "base"
    workers = 1

    def close(self) -> None:
        """Release the workers (nothing to release here)."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


def worker_id() -> str:
    """``host:pid`` of this process: who ran a task."""
    return f"{socket.gethostname()}:{os.getpid()}"


def error_line(error: BaseException) -> str:
    """One line for a task's error: ours as the CLI prints them, others with their type."""
    if isinstance(error, FramewiseError):
        return error.one_line()
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}".rstrip(": ")


def call_task(worker: Callable[[Any], R], task: Task[Any]) -> TaskOutcome[R]:
    """Run ``task`` on ``worker``; its error, if any, goes into the outcome."""
    started = time.perf_counter()
    try:
        value = worker(task.spec)
    except Exception as exc:  # one bad input fails its own task, never the job
        return TaskOutcome(
            task.key, None, error_line(exc), worker_id(), time.perf_counter() - started
        )
    return TaskOutcome(task.key, value, None, worker_id(), time.perf_counter() - started)


def failed_everywhere(tasks: Iterable[Task[Any]], error: str) -> Iterator[TaskOutcome[Any]]:
    """An outcome per task, all failed with ``error`` (a worker that could not be built)."""
    for task in tasks:
        yield TaskOutcome(task.key, None, error, worker_id(), 0.0)


def build_worker(factory: WorkerFactory[S, R]) -> tuple[Callable[[S], R] | None, str | None]:
    """``factory()``, or the one-line reason it failed (its tasks then fail with it)."""
    try:
        return factory(), None
    except Exception as exc:  # a worker that cannot load its models fails its tasks
        return None, f"worker could not start: {error_line(exc)}"
