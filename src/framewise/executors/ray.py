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

Inputs are read where they are: the specs hold paths (shared storage mounted at the same
path on every node; relative ones start from the driver's folder, as locally) or URIs each
node can open; every node needs framewise with the extras its workers use.

Example:
    >>> with RayExecutor(2, address="ray://head:10001") as executor:  # doctest: +SKIP
    ...     for outcome in executor.run(factory, tasks):
    ...         print(outcome.key, outcome.error or "ok")
"""

from __future__ import annotations

import importlib
import logging
import os
import socket
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
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
    worker_id,
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


def _enter(cwd: str) -> None:
    """Work from the driver's folder where this node has it (shared storage at the same path).

    Relative paths in specs then mean what they mean to the user, as in a local run; a Ray
    worker process runs one actor or task at a time, so changing its folder is safe.
    """
    folder = Path(cwd)
    if folder.is_dir() and Path.cwd() != folder:
        os.chdir(folder)


def _check_reachable(address: str, timeout: float = 5.0) -> None:
    """Refuse at once a ``host:port`` (or ``ray://host:port``) nothing listens on.

    Ray itself retries an unreachable head for minutes before it gives up; ``auto`` and
    addresses without a port are left to Ray.

    Raises:
        ConfigError: Nothing answers at that address.
    """
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        return
    try:
        socket.create_connection((host, int(port)), timeout=timeout).close()
    except OSError as exc:
        raise ConfigError(
            f"nothing answers at {address} ({exc.strerror or type(exc).__name__})",
            subject="--address",
            hint="start the head (ray start --head --port 6379) or check the address and port",
        ) from None


def _apply(fn: Callable[[T], R], item: T, cwd: str) -> R:
    """A Ray task's body: ``fn(item)`` (Ray remotes only Python functions, not builtins)."""
    _enter(cwd)
    return fn(item)


class SpecActor:
    """A Ray actor's body: builds the worker once, then runs the specs it is given."""

    def __init__(self, factory: WorkerFactory[Any, Any], cwd: str) -> None:
        _enter(cwd)
        self._worker, self._error = build_worker(factory)

    def run(self, task: Task[Any]) -> TaskOutcome[Any]:
        """One task; its error (or the worker's failure to start) goes into the outcome."""
        if self._worker is None:
            return TaskOutcome(task.key, None, self._error, worker_id(), 0.0)
        return call_task(self._worker, task)

    def pid(self) -> int:
        """This actor's process id (tests kill it to prove a task is retried)."""
        return os.getpid()


class RayExecutor(ExecutorBase):
    """Runs work on a Ray cluster.

    Args:
        workers: Actors in the pool (``run``), tasks in flight (``map``); None is one per
            CPU of the cluster. Actors start as tasks need them, never more than tasks.
        address: The cluster (``ray://host:10001``, ``host:6379`` or ``auto``); None reads
            ``RAY_ADDRESS``, else starts a cluster on this machine.
        max_retries: Times Ray restarts a dead worker and retries its task.
        in_flight: Tasks queued per actor, so results stream back as they finish.
        cpus_per_worker: CPUs Ray reserves per actor or task.
    """

    name = "ray"

    def __init__(
        self,
        workers: int | None = None,
        *,
        address: str | None = None,
        max_retries: int = 3,
        in_flight: int = 1,
        cpus_per_worker: float = 1.0,
    ) -> None:
        if workers is not None and workers < 1:
            raise ConfigError(
                f"workers must be at least 1, not {workers}", hint="pass --workers 1 or more"
            )
        self.ray = import_ray()
        self.workers = workers or 1
        self._auto_workers = workers is None
        self.address = address or os.environ.get(ADDRESS_VARIABLE) or None
        self.max_retries = max_retries
        self.in_flight = in_flight
        self.cpus_per_worker = cpus_per_worker
        self._started_here = False

    def connect(self) -> None:
        """Join the cluster (or start one here) now; the first task does it otherwise."""
        ray = self.ray
        if not ray.is_initialized():
            self._init()
        if self._auto_workers:
            cpus = float(ray.cluster_resources().get("CPU", 1.0))
            self.workers = max(1, int(cpus // self.cpus_per_worker))

    def _init(self) -> None:
        ray = self.ray
        options: dict[str, Any] = {
            "log_to_driver": False,  # task errors come back in outcomes; logs stay on nodes
            "logging_level": logging.WARNING,
            "include_dashboard": False,
        }
        if self.address is None:
            # No cluster given: one on this machine, with a CPU for every worker.
            wanted = 0 if self._auto_workers else self.workers
            options["num_cpus"] = max(wanted, os.cpu_count() or 1)
        else:
            _check_reachable(self.address)
            options["address"] = self.address
        try:
            ray.init(**options)
        except (ConnectionError, RuntimeError) as exc:
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
        self.connect()
        ray = self.ray
        remote = ray.remote(
            num_cpus=self.cpus_per_worker, max_retries=self.max_retries, retry_exceptions=False
        )(_apply)
        pending: list[Any] = []
        for item in items:
            pending.append(remote.remote(fn, item, str(Path.cwd())))
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
        self.connect()
        ray = self.ray
        actor_class = ray.remote(
            num_cpus=self.cpus_per_worker,
            max_restarts=self.max_retries,
            max_task_retries=self.max_retries,
        )(SpecActor)
        cwd = str(Path.cwd())
        pool = _ActorPool(
            ray, lambda: actor_class.remote(factory, cwd), self.workers, self.in_flight
        )
        todo = iter(tasks)
        try:
            pool.fill(todo)
            while pool.pending:
                ready, _ = ray.wait(list(pool.pending), num_returns=1)
                yield pool.take(ready[0])
                pool.fill(todo)
        finally:
            pool.kill()


class _ActorPool:
    """Actors started as tasks need them (up to ``size``), each with a few tasks queued."""

    def __init__(self, ray: Any, start: Callable[[], Any], size: int, in_flight: int) -> None:
        self.ray = ray
        self.start = start
        self.size = size
        self.in_flight = max(in_flight, 1)
        self.actors: list[Any] = []
        self.load: list[int] = []
        self.pending: dict[Any, tuple[int, Task[Any]]] = {}

    def _free_slot(self) -> int:
        """An actor with room for a task, started if need be (only after :meth:`_room`)."""
        for slot, load in enumerate(self.load):
            if load < self.in_flight:
                return slot
        if len(self.actors) >= self.size:
            raise RuntimeError("no actor has room: _free_slot called without _room")
        self.actors.append(self.start())
        self.load.append(0)
        return len(self.actors) - 1

    def _room(self) -> bool:
        return len(self.actors) < self.size or any(n < self.in_flight for n in self.load)

    def fill(self, todo: Iterator[Task[Any]]) -> None:
        """Hand out tasks while an actor (or room for a new one) is free."""
        while self._room():
            task = next(todo, None)
            if task is None:
                return  # no actor is started without a task for it
            slot = self._free_slot()
            self.pending[self.actors[slot].run.remote(task)] = (slot, task)
            self.load[slot] += 1

    def take(self, ref: Any) -> TaskOutcome[Any]:
        """The outcome of a finished task (a failed one if its worker died for good)."""
        slot, task = self.pending.pop(ref)
        self.load[slot] -= 1
        try:
            outcome: TaskOutcome[Any] = self.ray.get(ref)
        except self.ray.exceptions.RayError as exc:
            # Ray's retries ran out (the actor kept dying): this task fails alone and a fresh
            # actor takes the slot, so the tasks after it still run.
            self.ray.kill(self.actors[slot])
            self.actors[slot] = self.start()
            reason = str(exc).strip().splitlines()
            detail = reason[0] if reason else ""
            error = f"worker died: {type(exc).__name__}: {detail}".rstrip(": ")
            return TaskOutcome(task.key, None, error, "lost worker", 0.0)
        return outcome

    def kill(self) -> None:
        """Stop every actor (their models go with them)."""
        for actor in self.actors:
            self.ray.kill(actor)
