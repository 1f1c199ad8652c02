"""Read and write JSON event logs (seed W0's format), atomically, with one-line errors.

:func:`read_event_log` is the one reader of event logs: ``process`` (resume), ``review``,
``export``, ``select`` and ``import`` all read through it, so one bad file gives one error
and one exit code whichever command meets it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from pydantic import ValidationError

from framewise.core.atomic import write_json
from framewise.core.errors import ConfigError, InputError, InputNotFoundError
from framewise.core.events import EventLog
from framewise.core.jsonfile import location, strict_loads

_HINT = "pass the JSON written by `framewise process`, or restore it from its .bak copy"


class EventLogError(InputError, ConfigError):
    """An event log that cannot be read, is not JSON, or is not an event log.

    A bad input file, so it exits with :class:`InputError`'s code (3) from every command. It
    is a :class:`ConfigError` too only because the reader used to raise that, and callers
    that catch it must keep working.
    """

    exit_code = InputError.exit_code


def read_event_log(path: str | os.PathLike[str]) -> EventLog:
    """Read and validate an event log (any schema version this framewise knows).

    Raises:
        InputNotFoundError: No such file.
        EventLogError: The file cannot be read, is not JSON, or is not an event log; the
            message names the line or the field.
    """
    file = Path(path)
    if not file.is_file():
        raise InputNotFoundError("no such event log", subject=file, hint=_HINT)
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise EventLogError(f"cannot read: {exc.strerror}", subject=file, hint=_HINT) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # Decoding with replacement would carry U+FFFD into the store and the reviewed log.
        line = data.count(b"\n", 0, exc.start) + 1
        raise EventLogError(
            f"not UTF-8 text (line {line}, byte {exc.start})",
            subject=file,
            hint="save it as UTF-8, as `framewise process` writes it",
        ) from None
    try:
        payload = strict_loads(text)
    except json.JSONDecodeError as exc:
        raise EventLogError(
            f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
            subject=file,
            hint=f"fix the JSON there ({_HINT})",
        ) from None
    try:
        return EventLog.model_validate(payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise EventLogError(
            f"not an event log ({location(tuple(first['loc']))}: {first['msg']})",
            subject=file,
            hint=f"{_HINT} ({exc.error_count()} problem(s) in all)",
        ) from None


def write_event_log(path: str | os.PathLike[str], log: EventLog) -> None:
    """Write ``log`` to ``path`` atomically, at the current schema version."""
    write_json(Path(path), log.to_json_dict())
