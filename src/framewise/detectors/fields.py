r"""Field parsers: OCR text → named fields, each with its own confidence.

A regular expression with named groups splits the text; each group's raw text is then cast,
or fuzzily matched against a vocabulary (the closest entry by normalised edit similarity).
A field's confidence is the text's recognition score times its vocabulary similarity.

Example:
    >>> from framewise.config.detectors import FieldParserConfig
    >>> parser = FieldParser(FieldParserConfig.model_validate({
    ...     "pattern": r"(?P<enemy_type>\w+)\s+(?P<weapon>[\w-]+)(?P<headshot>\s*HS)?",
    ...     "fields": {"weapon": {"vocabulary": ["AK-74M", "M4A1"]},
    ...                "headshot": {"cast": "bool"}}}))
    >>> fields = parser.read("PMC AK-74N HS", 0.9)
    >>> fields["weapon"].value, fields["headshot"]
    ('AK-74M', FieldReading(value=True, confidence=0.9))
"""

from __future__ import annotations

import difflib
import math
import re
from pathlib import Path
from typing import Any

import yaml

from framewise.config.detectors import FieldConfig, FieldParserConfig
from framewise.core.errors import ConfigError
from framewise.core.fields import FieldReading, FieldValue, legacy_attributes

FieldResult = dict[str, Any]
"""``{"value": ..., "confidence": float}``: the legacy, untyped shape of a reading."""


def similarity(a: str, b: str) -> float:
    """Similarity of two strings in [0, 1] (difflib's ratio: 2 × matches / total length)."""
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def _read_words(path: Path, key: str | None) -> list[str]:
    """Words from a one-per-line file, or the list ``key`` of a YAML mapping."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            f"cannot read the vocabulary ({exc.strerror})",
            subject=path,
            hint="fix vocabulary_file in the pipeline YAML",
        ) from None
    if key is None:
        return [w.strip() for w in text.splitlines()]
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError:
        loaded = None
    values = loaded.get(key) if isinstance(loaded, dict) else None
    if not isinstance(values, list):
        raise ConfigError(
            f"no list {key!r} in this vocabulary file",
            subject=path,
            hint="write it as `field: [value, ...]` or fix vocabulary_key",
        )
    return [str(v).strip() for v in values]


class Vocabulary:
    """Allowed values of one field, matched fuzzily."""

    def __init__(self, config: FieldConfig) -> None:
        words = list(config.vocabulary)
        if config.vocabulary_file is not None:
            words += _read_words(Path(config.vocabulary_file), config.vocabulary_key)
        self.words = [w for w in dict.fromkeys(words) if w]
        self.case_sensitive = config.case_sensitive
        self.min_similarity = config.min_similarity
        self._keys = [self._key(w) for w in self.words]

    def _key(self, text: str) -> str:
        text = " ".join(text.split())
        return text if self.case_sensitive else text.casefold()

    def match(self, text: str) -> tuple[str | None, float]:
        """The closest word and its similarity; ``(None, best)`` below ``min_similarity``."""
        if not self.words:
            return text, 1.0
        key = self._key(text)
        scores = [similarity(key, k) for k in self._keys]
        best = max(range(len(scores)), key=scores.__getitem__)
        if scores[best] < self.min_similarity:
            return None, scores[best]
        return self.words[best], scores[best]


class FieldParser:
    """Splits one class's OCR text into fields."""

    def __init__(self, config: FieldParserConfig) -> None:
        flags = re.IGNORECASE if config.ignore_case else 0
        self.pattern = re.compile(config.pattern, flags)
        self.fields = config.fields
        self.vocabularies = {
            name: Vocabulary(cfg)
            for name, cfg in config.fields.items()
            if cfg.vocabulary or cfg.vocabulary_file
        }

    def read(self, text: str, text_confidence: float) -> dict[str, FieldReading]:
        """Fields found in ``text``; a group that did not match gives ``None`` at confidence 0.

        Args:
            text: The recognised text of one box.
            text_confidence: The recogniser's score for it.
        """
        match = self.pattern.search(text)
        groups = match.groupdict() if match else dict.fromkeys(self.pattern.groupindex)
        result: dict[str, FieldReading] = {}
        for name, raw in groups.items():
            config = self.fields.get(name)
            cast = config.cast if config is not None else "str"
            if cast == "bool":
                # A flag such as the headshot marker: present or not; confident either way
                # when the line itself was read.
                flag = bool(raw and raw.strip())
                result[name] = FieldReading(flag, text_confidence if match else 0.0)
                continue
            if raw is None or not raw.strip():
                result[name] = FieldReading(None, 0.0)
                continue
            value: FieldValue = raw.strip()
            confidence = text_confidence
            vocabulary = self.vocabularies.get(name)
            if vocabulary is not None:
                value, score = vocabulary.match(raw.strip())
                confidence *= score
            if value is not None and cast in ("int", "float"):
                try:
                    value = int(value) if cast == "int" else float(value)
                except ValueError:
                    value, confidence = None, 0.0
                if isinstance(value, float) and not math.isfinite(value):
                    value, confidence = None, 0.0  # "nan" or "inf" on screen is no number
            result[name] = FieldReading(value, round(confidence, 4) if value is not None else 0.0)
        return result

    def parse(self, text: str, text_confidence: float) -> dict[str, FieldResult]:
        """:meth:`read` in the legacy untyped shape ``{name: {"value", "confidence"}}``."""
        return legacy_attributes(self.read(text, text_confidence))
