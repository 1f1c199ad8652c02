"""Read and write JSON event logs (seed W0's format), atomically, with one-line errors."""

from __future__ import annotations

import os
from pathlib import Path

from framewise.core.atomic import write_json
from framewise.core.events import EventLog
from framewise.core.jsonfile import read_model


def read_event_log(path: str | os.PathLike[str]) -> EventLog:
    """Read and validate an event log (any schema version this framewise knows).

    Raises:
        InputNotFoundError: No such file.
        ConfigError: Not JSON, or not an event log; the message names the line or field.
    """
    return read_model(
        Path(path),
        EventLog,
        what="event log",
        hint="pass the JSON written by `framewise process`, or restore it from its .bak copy",
    )


def write_event_log(path: str | os.PathLike[str], log: EventLog) -> None:
    """Write ``log`` to ``path`` atomically, at the current schema version."""
    write_json(Path(path), log.to_json_dict())
