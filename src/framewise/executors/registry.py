"""The executor registry: ``--executor`` name → factory, and :func:`make_executor`.

Example:
    >>> make_executor("local").name
    'local'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

from framewise.core.errors import ConfigError
from framewise.executors.base import Executor
from framewise.executors.local import LocalExecutor

ExecutorFactory = Callable[["int | None", "str | None"], Executor]
"""``(workers or None for the default, address) → executor``."""


def _local(workers: int | None, address: str | None) -> Executor:
    if address:
        raise ConfigError(
            "only the ray executor takes a cluster address",
            subject="--address",
            hint="drop it, or add --executor ray",
        )
    return LocalExecutor(workers or 1)


def _ray(workers: int | None, address: str | None) -> Executor:
    # Imported here: Ray is an extra, and this module must load without it.
    from framewise.executors.ray import RayExecutor

    return RayExecutor(workers, address=address)


EXECUTORS: Mapping[str, ExecutorFactory] = MappingProxyType({"local": _local, "ray": _ray})
"""Registry: executor name (``--executor``) → a factory taking the worker count and address."""


def make_executor(name: str, workers: int | None = 1, address: str | None = None) -> Executor:
    """The executor registered as ``name`` with ``workers`` workers.

    Args:
        name: ``local`` or ``ray``.
        workers: Worker processes (local; None is 1) or actors (ray; None is one per CPU
            of the cluster).
        address: The Ray cluster (``ray://…`` or ``host:port``); None reads ``RAY_ADDRESS``,
            else Ray starts a cluster on this machine.

    Raises:
        ConfigError: No such executor, or an option it does not take.
    """
    factory = EXECUTORS.get(name)
    if factory is None:
        raise ConfigError(
            f"unknown executor {name!r}",
            subject="--executor",
            hint=f"use one of: {', '.join(sorted(EXECUTORS))}",
        )
    return factory(workers, address)
