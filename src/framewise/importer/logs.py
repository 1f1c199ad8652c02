"""Find and read event logs: files given directly, or every ``*.json`` under a folder."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from framewise.core.errors import InputNotFoundError
from framewise.core.events import EventLog
from framewise.events.log import read_event_log

RUN_FOLDER_FILES = frozenset({"manifest.json", "summary.json"})
"""JSON files a run folder keeps beside its log (``pipeline.rundir.MANIFEST_NAME``,
``pipeline.batch.SUMMARY_NAME``): not logs, so a folder walk leaves them out instead of
listing them as failures (a test keeps these names equal to the pipeline's)."""


def find_logs(paths: Sequence[Path]) -> list[Path]:
    """Every candidate log: the files given, and ``*.json`` files under the folders given.

    Under a folder, a run folder's own JSON files (:data:`RUN_FOLDER_FILES`) are left out.

    Raises:
        InputNotFoundError: A path does not exist.
    """
    found: list[Path] = []
    for path in paths:
        if not path.exists():
            raise InputNotFoundError(
                "no such file or folder", subject=path, hint="give an event log or a folder of them"
            )
        if path.is_dir():
            found.extend(
                sorted(
                    p
                    for p in path.rglob("*.json")
                    if p.is_file() and p.name not in RUN_FOLDER_FILES
                )
            )
        else:
            found.append(path)
    return found


def read_log(path: Path) -> EventLog:
    """Read and validate one event log (:func:`framewise.events.log.read_event_log`).

    Raises:
        InputError: The file cannot be read or is not an event log.
    """
    return read_event_log(path)


def in_time_order(logs: list[tuple[Path, EventLog]]) -> list[tuple[Path, EventLog]]:
    """Logs sorted by session start (then path), so sessions are created chronologically."""
    return sorted(logs, key=lambda item: (item[1].metadata.session_start_time, str(item[0])))
