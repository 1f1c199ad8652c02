"""The Ray executor: the same job specs on a Ray cluster (``--executor ray --address …``).

Ray is the engine; nothing here schedules beyond handing each actor a few tasks at a time.

* ``ray.init(address=…)``: the given address, else ``RAY_ADDRESS``, else a cluster started on
  this machine for the run (and shut down after it).
* ``run(factory, tasks)``: a pool of ``workers`` actors, each building its worker once
  (models load once per actor) and taking specs; at most ``in_flight`` tasks wait per actor,
  so results stream back as they finish (``ray.wait``) and a long input never queues whole.
  An actor killed mid-task is restarted by Ray and the task retried (``max_restarts``,
  ``max_task_retries``); workers write their outputs atomically, so a retried task leaves no
  half file and no duplicate. A task whose retries run out fails alone, with its error.
* ``map(fn, items)``: plain Ray tasks with ``max_retries`` for worker deaths and
  ``retry_exceptions=False``: an exception from ``fn`` is the input's fault, the same every
  try, so it raises here at once.

Inputs are read where they are: the specs hold paths (shared storage) or URIs each node can
open; every node needs framewise with the extras its workers use.

Example:
    >>> with RayExecutor(2, address="ray://head:10001") as executor:  # doctest: +SKIP
    ...     for outcome in executor.run(factory, tasks):
    ...         print(outcome.key, outcome.error or "ok")
"""

from __future__ import annotations

import importlib
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from types import ModuleType
from typing import Any

from framewise.core.errors import ConfigError
from framewise.executors.base import (
    ExecutorBase,
    R,
    S,
    T,
    Task,
    TaskOutcome,
    WorkerFactory,
    build_worker,
    call_task,
    error_line,
)

ADDRESS_VARIABLE = "RAY_ADDRESS"


def import_ray() -> ModuleType:
    """The ``ray`` module, or one line saying how to install it.

    Raises:
        ConfigError: Ray is not installed.
    """
    try:
        return importlib.import_module("ray")
    except ImportError:
        raise ConfigError(
            "the ray executor needs Ray, which is not installed",
            subject="--executor ray",
            hint="pip install 'framewise[ray]' (on the driver and every node), "
            "or use --executor local",
        ) from None


def _apply(fn: Callable[[T], R], item: T) -> R:
    """A Ray task's body: ``fn(item)`` (Ray remotes only Python functions, not builtins)."""
    return fn(item)


class SpecActor:
    """A Ray actor's body: builds the worker once, then runs the specs it is given."""

    def __init__(self, factory: WorkerFactory[Any, Any]) -> None:
        self._worker, self._error = build_worker(factory)

    def run(self, task: Task[Any]) -> TaskOutcome[Any]:
        """One task; its error (or the worker's failure to start) goes into the outcome."""
        if self._worker is None:
            return TaskOutcome(task.key, None, self._error, f"pid {os.getpid()}", 0.0)
        return call_task(self._worker, task)

    def pid(self) -> int:
        """This actor's process id (tests kill it to prove a task is retried)."""
        return os.getpid()


class RayExecutor(ExecutorBase):
    """Runs work on a Ray cluster.

    Args:
        workers: Actors in the pool (``run``), tasks in flight (``map``).
        address: The cluster (``ray://host:10001``, ``host:6379`` or ``auto``); None reads
            ``RAY_ADDRESS``, else starts a cluster on this machine.
        max_retries: Times Ray restarts a dead worker and retries its task.
        in_flight: Tasks queued per actor, so results stream back as they finish.
        cpus_per_worker: CPUs Ray reserves per actor or task.
    """

    name = "ray"

    def __init__(
        self,
        workers: int = 1,
        *,
        address: str | None = None,
        max_retries: int = 3,
        in_flight: int = 1,
        cpus_per_worker: float = 1.0,
    ) -> None:
        if workers < 1:
            raise ConfigError(
                f"workers must be at least 1, not {workers}", hint="pass --workers 1 or more"
            )
        self.ray = import_ray()
        self.workers = workers
        self.address = address or os.environ.get(ADDRESS_VARIABLE) or None
        self.max_retries = max_retries
        self.in_flight = in_flight
        self.cpus_per_worker = cpus_per_worker
        self._started_here = False

    def _connect(self) -> None:
        ray = self.ray
        if ray.is_initialized():
            return
        options: dict[str, Any] = {
            "log_to_driver": False,  # task errors come back in outcomes; logs stay on nodes
            "logging_level": logging.WARNING,
            "include_dashboard": False,
        }
        if self.address is None:
            # No cluster given: one on this machine, with a CPU for every worker.
            options["num_cpus"] = max(self.workers, os.cpu_count() or 1)
        else:
            options["address"] = self.address
        try:
            ray.init(**options)
        except ConnectionError as exc:
            raise ConfigError(
                f"cannot reach the Ray cluster at {self.address}: {error_line(exc)}",
                subject="--address",
                hint="start it (ray start --head) or pass its address (host:6379 or "
                "ray://host:10001)",
            ) from None
        self._started_here = True

    def close(self) -> None:
        """Disconnect (and stop the cluster this executor started)."""
        if self._started_here and self.ray.is_initialized():
            self.ray.shutdown()
        self._started_here = False

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """``fn(item)`` for every item as Ray tasks, yielded as they finish."""
        self._connect()
        ray = self.ray
        remote = ray.remote(
            num_cpus=self.cpus_per_worker, max_retries=self.max_retries, retry_exceptions=False
        )(_apply)
        pending: list[Any] = []
        for item in items:
            pending.append(remote.remote(fn, item))
            if len(pending) >= self.workers * max(self.in_flight, 1):
                ready, pending = ray.wait(pending, num_returns=1)
                yield from (ray.get(ref) for ref in ready)
        while pending:
            ready, pending = ray.wait(pending, num_returns=1)
            yield from (ray.get(ref) for ref in ready)

    def run(
        self, factory: WorkerFactory[S, R], tasks: Iterable[Task[S]]
    ) -> Iterator[TaskOutcome[R]]:
        """Every task through a pool of actors, each built once; outcomes as they finish."""
        self._connect()
        ray = self.ray
        actor_class = ray.remote(
            num_cpus=self.cpus_per_worker,
            max_restarts=self.max_retries,
            max_task_retries=self.max_retries,
        )(SpecActor)
        actors = [actor_class.remote(factory) for _ in range(self.workers)]
        todo = iter(tasks)
        pending: dict[Any, tuple[int, Task[S]]] = {}
        load = [0] * len(actors)
        try:
            self._fill(actors, load, todo, pending)
            while pending:
                ready, _ = ray.wait(list(pending), num_returns=1)
                slot, task = pending.pop(ready[0])
                load[slot] -= 1
                yield self._outcome(ready[0], task, actors, slot, actor_class, factory)
                self._fill(actors, load, todo, pending)
        finally:
            for actor in actors:
                ray.kill(actor)

    def _fill(
        self,
        actors: list[Any],
        load: list[int],
        todo: Iterator[Task[S]],
        pending: dict[Any, tuple[int, Task[S]]],
    ) -> None:
        """Give each actor tasks until it has ``in_flight`` of them (or the input ends)."""
        for slot, actor in enumerate(actors):
            while load[slot] < max(self.in_flight, 1):
                task = next(todo, None)
                if task is None:
                    return
                pending[actor.run.remote(task)] = (slot, task)
                load[slot] += 1

    def _outcome(
        self,
        ref: Any,
        task: Task[S],
        actors: list[Any],
        slot: int,
        actor_class: Any,
        factory: WorkerFactory[S, R],
    ) -> TaskOutcome[R]:
        ray = self.ray
        try:
            outcome: TaskOutcome[R] = ray.get(ref)
        except ray.exceptions.RayError as exc:
            # Retries ran out (the actor kept dying): this task fails alone; a fresh actor
            # takes the slot so the tasks after it still run.
            ray.kill(actors[slot])
            actors[slot] = actor_class.remote(factory)
            reason = str(exc).strip().splitlines()
            detail = reason[0] if reason else type(exc).__name__
            return TaskOutcome(
                task.key, None, f"worker died: {type(exc).__name__}: {detail}", "?", 0.0
            )
        return outcome
