"""Typed field readings: what a reader (OCR + parser) found in one box, field by field.

A box's ``fields`` column maps a field name to a :class:`FieldReading`, a value with its own
confidence. Older producers wrote untyped ``attributes`` dicts instead (a bare value, or
``{"value": v, "confidence": c}``); :func:`reading` and :func:`readings` convert those, and
:func:`legacy_attributes` gives the old view back for callers that still read it.

Example:
    >>> readings({"weapon": {"value": "M4A1", "confidence": 0.7}, "headshot": True}, 0.8)
    {'weapon': FieldReading(value='M4A1', confidence=0.7), 'headshot': FieldReading(value=True, confidence=0.8)}
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

FieldValue = str | int | float | bool | None
"""A parsed field's value (``None`` when the text could not be read or matched)."""


@dataclass(frozen=True, slots=True)
class FieldReading:
    """One field's value and how sure we are of it (0–1)."""

    value: FieldValue
    confidence: float


def reading(value: Any, default_confidence: float) -> FieldReading:
    """One legacy attribute value as a :class:`FieldReading`.

    Args:
        value: A :class:`FieldReading`, a mapping ``{"value": v, "confidence": c}``, or a
            bare value (which inherits ``default_confidence``, the box's score).
        default_confidence: The confidence of a bare value.
    """
    if isinstance(value, FieldReading):
        return value
    if isinstance(value, Mapping) and "value" in value:
        # Kept as given (the temporal layer's behaviour): the producer chose the value.
        return FieldReading(value["value"], float(value.get("confidence", default_confidence)))
    if value is None or isinstance(value, str | int | float | bool):
        return FieldReading(value, float(default_confidence))
    # Anything else (a list, a number type of another library) is kept as its text, as the
    # temporal layer always did, so votes compare like with like.
    return FieldReading(str(value), float(default_confidence))


def readings(attributes: Mapping[str, Any], default_confidence: float) -> dict[str, FieldReading]:
    """A legacy ``attributes`` dict as typed readings (see :func:`reading`)."""
    return {str(k): reading(v, default_confidence) for k, v in attributes.items()}


def legacy_attributes(fields: Mapping[str, FieldReading]) -> dict[str, dict[str, Any]]:
    """Typed readings in the legacy shape ``{name: {"value": v, "confidence": c}}``."""
    return {k: {"value": r.value, "confidence": r.confidence} for k, r in fields.items()}
