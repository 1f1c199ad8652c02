"""A float field read as "nan" or "inf" is unreadable, not a NaN that no event log can hold."""

from __future__ import annotations

import pytest

from framewise.config.detectors import FieldParserConfig
from framewise.core.fields import FieldReading
from framewise.detectors.fields import FieldParser

PARSER = FieldParser(
    FieldParserConfig.model_validate(
        {"pattern": r"dist (?P<distance>\S+)", "fields": {"distance": {"cast": "float"}}}
    )
)


@pytest.mark.parametrize("text", ["dist nan", "dist inf", "dist -Infinity", "dist 1e999"])
def test_non_finite_readings_are_unreadable(text: str) -> None:
    assert PARSER.read(text, 0.9)["distance"] == FieldReading(None, 0.0)


def test_finite_readings_are_cast() -> None:
    assert PARSER.read("dist 12.5", 0.9)["distance"] == FieldReading(12.5, 0.9)
