"""Shared by the OCR tests of this folder (``from tests.unit.detectors.ocr_kit import ...``)."""

from __future__ import annotations

import numpy as np

from framewise.detectors.ocr import OcrReader


class CountingReader(OcrReader):
    """The real OCR reader, counting how often it actually reads a crop."""

    reads = 0

    def text(self, crop: np.ndarray, single_line: bool) -> tuple[str, float]:
        """Read ``crop`` (counted)."""
        self.reads += 1
        return super().text(crop, single_line)
