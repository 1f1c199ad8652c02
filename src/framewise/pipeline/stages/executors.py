"""Executors: where a stage's rows run. The runner hands rows out and takes results back.

An executor maps a picklable function over work items and yields results as they finish
(in any order: the runner keys every result, so order never matters). ``local`` runs them
in this process, or in a pool of worker processes; a cluster executor (Ray) is the same
protocol, added in its own issue.

Example:
    >>> list(LocalExecutor().map(abs, [-1, 2]))
    [1, 2]
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable, Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import Protocol, TypeVar

from framewise.core.errors import ConfigError

T = TypeVar("T")
R = TypeVar("R")


class Executor(Protocol):
    """Runs work items; yields each result once, in the order they finish."""

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """``fn(item)`` for every item; ``fn`` and the items must pickle for remote workers."""
        ...


class LocalExecutor:
    """Runs rows here: in this process (``workers=1``) or in a pool of processes.

    Args:
        workers: Processes; 1 runs in this process (easiest to debug, no pickling).
        in_flight: Items handed to the pool at a time per worker, so a long input never
            queues whole and a kill loses at most these.
    """

    def __init__(self, workers: int = 1, in_flight: int = 2) -> None:
        if workers < 1:
            raise ConfigError(
                f"workers must be at least 1, not {workers}", hint="pass --workers 1 or more"
            )
        self.workers = workers
        self.in_flight = in_flight

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """See :class:`Executor`."""
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


def _local(workers: int) -> Executor:
    return LocalExecutor(workers)


EXECUTORS: Mapping[str, Callable[[int], Executor]] = MappingProxyType({"local": _local})
"""Registry: executor name (``--executor``) → a factory taking the worker count."""


def make_executor(name: str, workers: int = 1) -> Executor:
    """The executor registered as ``name``.

    Raises:
        ConfigError: No such executor.
    """
    factory = EXECUTORS.get(name)
    if factory is None:
        raise ConfigError(
            f"unknown executor {name!r}",
            subject="--executor",
            hint=f"use one of: {', '.join(sorted(EXECUTORS))} (ray comes in a later release)",
        )
    return factory(workers)
