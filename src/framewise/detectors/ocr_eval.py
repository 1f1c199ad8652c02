"""Legacy import path of the OCR evaluation (compatibility re-export).

The evaluation moved to :mod:`framewise.eval.ocr` (scoring never imports the renderer: the
caller says where each video's ground truth is). This module keeps the old spelling working
for existing callers — ``OcrEvaluator(config, out)`` scoring rendered sessions against the
ground truth ``framewise synth`` wrote beside them — and is the only ``detectors`` module that
imports ``synth`` (an exception the import-linter contracts name). New code imports
:mod:`framewise.eval.ocr` and :func:`framewise.synth.groundtruth.truth_beside`.
"""

from __future__ import annotations

from pathlib import Path

from framewise.config.pipeline import PipelineConfig
from framewise.eval.ocr import OcrEvaluator as _OcrEvaluator
from framewise.eval.ocr import Progress, crop_box, ocr_stage
from framewise.eval.ocr_report import (
    FINE_TUNE_BELOW,
    OcrEvaluation,
    Reading,
    rec_list,
    write_report,
)
from framewise.synth.groundtruth import truth_beside as truth_of

__all__ = [
    "FINE_TUNE_BELOW",
    "OcrEvaluation",
    "OcrEvaluator",
    "Progress",
    "Reading",
    "crop_box",
    "ocr_stage",
    "rec_list",
    "truth_of",
    "write_report",
]


class OcrEvaluator(_OcrEvaluator):
    """:class:`framewise.eval.ocr.OcrEvaluator` on rendered sessions (truth beside each video)."""

    def __init__(
        self,
        config: PipelineConfig,
        out: Path,
        *,
        fps: float = 1.0,
        limit: int | None = None,
        threads: int = 1,
    ) -> None:
        super().__init__(config, out, truth_of=truth_of, fps=fps, limit=limit, threads=threads)
