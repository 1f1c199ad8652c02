"""Read a JSON file a person may have edited, with one-line errors that say where and what to do.

Example:
    >>> log = read_model(path, EventLog, what="event log", hint="...")  # doctest: +SKIP
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from framewise.core.errors import ConfigError, InputNotFoundError

M = TypeVar("M", bound=BaseModel)


def location(loc: tuple[int | str, ...]) -> str:
    """A pydantic error location as ``events[3].data`` (``top level`` when empty)."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "top level"


def read_json(path: Path, *, what: str, hint: str) -> Any:
    """The parsed JSON of ``path``.

    Raises:
        InputNotFoundError: No such file.
        ConfigError: Not JSON; the message names the line and column.
    """
    if not path.is_file():
        raise InputNotFoundError(f"no such {what}", subject=path, hint=hint)
    try:
        return json.loads(path.read_text(encoding="utf-8", errors="replace"))
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
            subject=path,
            hint=f"fix the JSON there ({hint})",
        ) from None


def validate(model: type[M], payload: Any, path: Path, *, what: str, hint: str) -> M:
    """``payload`` as ``model``; the first validation error, located, on one line.

    Raises:
        ConfigError: ``payload`` is not a valid ``model``.
    """
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ConfigError(
            f"not a valid {what}: {location(tuple(first['loc']))}: {first['msg']}",
            subject=path,
            hint=f"{hint} ({exc.error_count()} problem(s) in all)",
        ) from None


def read_model(path: Path, model: type[M], *, what: str, hint: str) -> M:
    """Read ``path`` and validate it as ``model`` (see :func:`read_json`, :func:`validate`)."""
    return validate(model, read_json(path, what=what, hint=hint), path, what=what, hint=hint)
