"""Executors: where batch work runs — here (``local``) or on a Ray cluster (``ray``).

The same job specs run on either: a picklable worker factory (built once per worker process
or actor, so models load once) and tasks (a key and a spec: config + input reference).
Outcomes stream back as tasks finish, each with its error if it failed.

Example:
    >>> from framewise.executors import make_executor
    >>> with make_executor("local") as executor:
    ...     sorted(executor.map(abs, [-2, 1]))
    [1, 2]
"""

from framewise.executors.base import (
    Executor,
    ExecutorBase,
    Task,
    TaskFailedError,
    TaskOutcome,
    Worker,
    WorkerFactory,
)
from framewise.executors.local import LocalExecutor
from framewise.executors.progress import TaskTracker
from framewise.executors.registry import EXECUTORS, ExecutorFactory, make_executor

__all__ = [
    "EXECUTORS",
    "Executor",
    "ExecutorBase",
    "ExecutorFactory",
    "LocalExecutor",
    "Task",
    "TaskFailedError",
    "TaskOutcome",
    "TaskTracker",
    "Worker",
    "WorkerFactory",
    "make_executor",
]
