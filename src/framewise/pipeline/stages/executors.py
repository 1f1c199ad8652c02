"""Executors for the stage runner: re-exported from :mod:`framewise.executors`.

The executors moved to their own package (issue 21) so every batch job — ``process``,
``annotate``, ``features extract`` and the stages — runs on the same local or Ray executors.
This path stays for existing callers.

Example:
    >>> list(LocalExecutor().map(abs, [-1, 2]))
    [1, 2]
"""

from framewise.executors import EXECUTORS, Executor, LocalExecutor, make_executor

__all__ = ["EXECUTORS", "Executor", "LocalExecutor", "make_executor"]
