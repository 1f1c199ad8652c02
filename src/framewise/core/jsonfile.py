"""Read JSON strictly (finite numbers only), with one-line errors that say where and what to do.

Python's ``json`` reads ``NaN``, ``Infinity`` and ``1e999`` (as infinity) although none of them
is JSON: a file or a request body holding one would be accepted here and refused by every
other reader (browsers, the store, a later ``json.dumps(allow_nan=False)``). :func:`strict_loads`
refuses them where they stand, as a :class:`json.JSONDecodeError` like any other syntax error.

Example:
    >>> strict_loads('{"weapon": "NaN", "distance": 12.5}')
    {'weapon': 'NaN', 'distance': 12.5}
    >>> strict_loads('{"distance": NaN}')  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    json.decoder.JSONDecodeError: NaN is not a finite number ...: line 1 column 14 (char 13)
    >>> log = read_model(path, EventLog, what="event log", hint="...")  # doctest: +SKIP
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from pydantic import BaseModel, ValidationError

from framewise.core.errors import ConfigError, InputNotFoundError

M = TypeVar("M", bound=BaseModel)

_TOKENS = re.compile(
    r'"(?:[^"\\]|\\.)*"'  # a string, skipped whole: a "NaN" inside one is text
    r"|(-?Infinity|NaN|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?)"  # a constant or number
)
"""What :func:`strict_loads` scans to say where a refused token stands."""


class _NotFiniteError(ValueError):
    """Raised inside the decoder, which knows the token but not where it stands."""

    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.token = token


def _refuse_constant(token: str) -> NoReturn:
    raise _NotFiniteError(token)


def _finite_float(token: str) -> float:
    value = float(token)
    if not math.isfinite(value):  # 1e999 reads as infinity
        raise _NotFiniteError(token)
    return value


def _position(text: str, token: str) -> int:
    """Where ``token`` first stands outside a string (0 if not found, which cannot happen)."""
    for match in _TOKENS.finditer(text):
        if match.group(1) == token:
            return match.start(1)
    return 0


def strict_loads(text: str | bytes) -> Any:
    """``json.loads`` that refuses ``NaN``, ``±Infinity`` and numbers too large for a float.

    Raises:
        json.JSONDecodeError: Not JSON, or a non-finite number (the error says where).
    """
    # Bytes are decoded as json.loads decodes them (UTF-8/16/32, bad bytes an error).
    document = (
        text.decode(json.detect_encoding(text), "surrogatepass")
        if isinstance(text, bytes)
        else text
    )
    try:
        return json.loads(document, parse_constant=_refuse_constant, parse_float=_finite_float)
    except _NotFiniteError as exc:
        raise json.JSONDecodeError(
            f"{exc.token} is not a finite number (JSON has no NaN or Infinity)",
            document,
            _position(document, exc.token),
        ) from None


def first_non_finite(value: Any, where: str = "") -> str | None:
    """Where the first NaN or ±Infinity in JSON-like ``value`` is (``None``: nowhere).

    Example:
        >>> first_non_finite({"events": [{"data": {"weapon": float("nan")}}]})
        'events[0].data.weapon'
    """
    if isinstance(value, float) and not math.isfinite(value):
        return where or "top level"
    if isinstance(value, dict):
        items: Iterable[tuple[str, Any]] = (
            (f"{where}.{key}" if where else str(key), item) for key, item in value.items()
        )
    elif isinstance(value, list | tuple):
        items = ((f"{where}[{index}]", item) for index, item in enumerate(value))
    else:
        return None
    return next((found for path, item in items if (found := first_non_finite(item, path))), None)


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
        ConfigError: Not JSON (``NaN`` and ``Infinity`` are not); the message names the line
            and column.
    """
    if not path.is_file():
        raise InputNotFoundError(f"no such {what}", subject=path, hint=hint)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:  # replacing would carry U+FFFD into what we write
        line = data.count(b"\n", 0, exc.start) + 1
        raise ConfigError(
            f"not UTF-8 text (line {line}, byte {exc.start})",
            subject=path,
            hint=f"save it as UTF-8 ({hint})",
        ) from None
    try:
        return strict_loads(text)
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
