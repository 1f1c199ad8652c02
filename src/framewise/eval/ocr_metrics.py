"""Scores of OCR readings against true text: exact match and character accuracy, per field.

Both scores compare *normalised* text: surrounding whitespace dropped, inner runs of
whitespace collapsed to one space, and case folded (``"SCAV  AK-74M"`` equals
``"scav ak-74m"``) — the game writes names upper case while the vocabularies hold them in
title or lower case, and the field parsers match without case too.

Character accuracy is ``1 − CER``: one minus the Levenshtein distance (insertions, deletions
and substitutions of characters) over the true text's length, summed over the readings of a
field before dividing, and each reading's distance capped at its true length so that one
long misreading cannot push the field below zero.

Example:
    >>> edit_distance("AK-74M", "AK-74N")
    1
    >>> round(character_accuracy("CUSTOMS", "CUST0MS"), 3)
    0.857
"""

from __future__ import annotations

from dataclasses import dataclass

NORMALISATION = "case-folded, whitespace collapsed"
"""How texts are normalised before they are compared (said in reports)."""


def normalise(text: str) -> str:
    """``text`` without case and with its whitespace collapsed (see the module docstring)."""
    return " ".join(text.split()).casefold()


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance between ``a`` and ``b`` (unit costs), in O(len(a)·len(b)) time."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            current.append(
                min(
                    previous[j] + 1,  # a deletion
                    current[j - 1] + 1,  # an insertion
                    previous[j - 1] + (char_a != char_b),  # a substitution (or a match)
                )
            )
        previous = current
    return previous[-1]


def character_errors(truth: str, read: str) -> tuple[int, int]:
    """Edits (capped at the true length) and true characters, both texts normalised.

    An empty truth counts as one character, so that reading text where there is none is an
    error too.
    """
    true, got = normalise(truth), normalise(read)
    length = max(1, len(true))
    return min(length, edit_distance(true, got)), length


def character_accuracy(truth: str, read: str) -> float:
    """``1 − CER`` of one reading, in [0, 1]."""
    errors, length = character_errors(truth, read)
    return 1.0 - errors / length


def value_text(value: object) -> str:
    """A field value as text to compare: ``None`` is empty, booleans are ``true``/``false``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass
class _Tally:
    exact: int = 0
    errors: int = 0
    chars: int = 0

    def add(self, truth: str, read: str) -> bool:
        errors, length = character_errors(truth, read)
        self.errors += errors
        self.chars += length
        same = normalise(truth) == normalise(read)
        self.exact += same
        return same


@dataclass
class FieldScore:
    """Scores of one field over all its crops, before and after vocabulary matching.

    Attributes:
        name: ``class.field`` (a parsed field), ``class`` (the whole text of the crop the
            pipeline reads) or ``class.lines`` (single text lines, recognition only).
        parsed: Whether the field has a value after parsing (and vocabulary matching); the
            whole-text rows have none.
    """

    name: str
    parsed: bool
    crops: int = 0

    def __post_init__(self) -> None:
        self._raw = _Tally()
        self._matched = _Tally()

    def add(self, truth_raw: str, read_raw: str, truth: str = "", value: str = "") -> None:
        """Count one crop: the raw texts, and for parsed fields the values after parsing."""
        self.crops += 1
        self._raw.add(truth_raw, read_raw)
        if self.parsed:
            self._matched.add(truth, value)

    @property
    def exact_raw(self) -> float:
        """Share of crops whose raw text equals the truth (normalised)."""
        return self._raw.exact / self.crops if self.crops else 0.0

    @property
    def char_acc_raw(self) -> float:
        """Character accuracy of the raw text."""
        return 1.0 - self._raw.errors / self._raw.chars if self._raw.chars else 0.0

    @property
    def exact_matched(self) -> float | None:
        """Share of crops whose parsed value equals the truth (``None``: not a parsed field)."""
        if not self.parsed:
            return None
        return self._matched.exact / self.crops if self.crops else 0.0

    @property
    def char_acc_matched(self) -> float | None:
        """Character accuracy of the parsed value (``None``: not a parsed field)."""
        if not self.parsed:
            return None
        return 1.0 - self._matched.errors / self._matched.chars if self._matched.chars else 0.0

    def as_dict(self) -> dict[str, object]:
        """The row as JSON-ready values (ratios rounded to 4 places)."""

        def rounded(value: float | None) -> float | None:
            return None if value is None else round(value, 4)

        return {
            "field": self.name,
            "crops": self.crops,
            "exact_raw": rounded(self.exact_raw),
            "exact_matched": rounded(self.exact_matched),
            "char_acc_raw": rounded(self.char_acc_raw),
            "char_acc_matched": rounded(self.char_acc_matched),
        }
