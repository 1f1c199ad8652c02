"""Suggestions for the editor: event types and data-field values.

Two sources, merged in this order: the profile's vocabularies (``vocabularies.yaml`` in the
profile folder, a mapping of field name to a list of values — the same file the OCR field
parsers match against), and every value already present in the log.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from framewise.core.errors import ConfigError
from framewise.core.events import EventLog
from framewise.profiles import DEFAULT_PROFILE, HOOKS, PROFILES

VOCABULARY_FILE = "vocabularies.yaml"
"""A profile's vocabularies: ``{field: [value, ...]}``."""


def _profile_file(profile_dir: Path | None) -> dict[str, list[str]]:
    if profile_dir is None:
        return {}
    path = profile_dir / VOCABULARY_FILE
    if not path.is_file():
        return {}
    try:
        loaded: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(
            f"not valid YAML ({exc})".replace("\n", " "),
            subject=path,
            hint="fix the vocabulary file",
        ) from None
    if not isinstance(loaded, dict):
        raise ConfigError(
            "a vocabulary file must map field names to lists of values",
            subject=path,
            hint="write it like `weapon: [AK-74M, M4A1]`",
        )
    return {
        str(key): [str(v) for v in values]
        for key, values in loaded.items()
        if isinstance(values, list)
    }


def _add(target: dict[str, list[str]], key: str, values: Iterable[str]) -> None:
    bucket = target.setdefault(key, [])
    seen = set(bucket)
    for value in values:
        if value and value not in seen:
            bucket.append(value)
            seen.add(value)


def suggestions(log: EventLog, *, profile_dir: Path | None = None) -> dict[str, list[str]]:
    """Suggested values per field name, plus ``type`` for event types.

    Args:
        log: The log under review (its values are suggested too).
        profile_dir: The profile folder, for its ``vocabularies.yaml``.

    Raises:
        ConfigError: The profile's vocabulary file is not a YAML mapping.
    """
    merged: dict[str, list[str]] = {}
    for key, values in _profile_file(profile_dir).items():
        _add(merged, key, values)
    _add(merged, "type", (e.type for e in log.events))
    for event in log.events:
        for key, value in event.data.items():
            if isinstance(value, bool):
                _add(merged, key, [str(value).lower()])
            elif isinstance(value, str | int | float):
                _add(merged, key, [str(value)])
    return merged


def fields_by_type(log: EventLog, *, profile: str | None = DEFAULT_PROFILE) -> dict[str, list[str]]:
    """The data-field names of each event type, in first-seen order (new-event forms).

    The profile's hooks name the fields of its event types (``None``: no profile's).
    """
    fields: dict[str, list[str]] = {}
    builtin = HOOKS[profile].event_fields if profile in PROFILES else {}
    for kind, names in builtin.items():
        _add(fields, kind, names)
    for event in log.events:
        _add(fields, event.type, event.data.keys())
    return fields
