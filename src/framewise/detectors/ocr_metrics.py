"""Legacy import path of the OCR scores: re-exports :mod:`framewise.eval.ocr_metrics`."""

from framewise.eval.ocr_metrics import (
    NORMALISATION,
    FieldScore,
    character_accuracy,
    character_errors,
    edit_distance,
    normalise,
    value_text,
)

__all__ = [
    "NORMALISATION",
    "FieldScore",
    "character_accuracy",
    "character_errors",
    "edit_distance",
    "normalise",
    "value_text",
]
