"""Read and write JSON event logs (seed W0's format), atomically, with one-line errors."""

from __future__ import annotations

import json
import os
from pathlib import Path

from pydantic import ValidationError

from framewise.core.atomic import write_json
from framewise.core.errors import ConfigError, InputNotFoundError
from framewise.core.events import EventLog


def _location(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "top level"


def read_event_log(path: str | os.PathLike[str]) -> EventLog:
    """Read and validate an event log (any schema version this framewise knows).

    Raises:
        InputNotFoundError: No such file.
        ConfigError: Not JSON, or not an event log; the message names the line or field.
    """
    file = Path(path)
    if not file.is_file():
        raise InputNotFoundError(
            "no such event log", subject=file, hint="pass the JSON written by `framewise process`"
        )
    text = file.read_text(encoding="utf-8", errors="replace")
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
            subject=file,
            hint="fix the JSON there, or restore the log from its .bak copy",
        ) from None
    try:
        return EventLog.model_validate(payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ConfigError(
            f"not an event log: {_location(tuple(first['loc']))}: {first['msg']}",
            subject=file,
            hint=f"fix that field ({exc.error_count()} problem(s) in all)",
        ) from None


def write_event_log(path: str | os.PathLike[str], log: EventLog) -> None:
    """Write ``log`` to ``path`` atomically, at the current schema version."""
    write_json(Path(path), log.to_json_dict())
