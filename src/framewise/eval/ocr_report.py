"""What an OCR evaluation found: scores per field, every reading, and the files they make.

``rec_gt.txt`` is PaddleOCR's recognition-training list (``crops/NAME.png<TAB>text``);
``report.json`` holds the summary and every reading.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from framewise.core.atomic import write_json, write_text
from framewise.core.errors import OutputError
from framewise.eval.ocr_metrics import NORMALISATION, FieldScore

FINE_TUNE_BELOW = 0.90
"""Fine-tuning is recommended when a parsed field's exact accuracy is below this."""


@dataclass(frozen=True)
class Reading:
    """One crop: where it came from, its true text and what OCR read."""

    crop: str
    video: str
    frame: int
    cls: str
    key: str
    truth: str
    text: str
    fields: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass
class OcrEvaluation:
    """Scores per field and every reading, over one or more videos."""

    videos: list[str]
    fps: float
    frames: int = 0
    scores: dict[str, FieldScore] = field(default_factory=dict)
    readings: list[Reading] = field(default_factory=list)

    def score(self, name: str, parsed: bool) -> FieldScore:
        """The score row ``name``, made on first use."""
        found = self.scores.get(name)
        if found is None:
            found = self.scores[name] = FieldScore(name, parsed)
        return found

    @property
    def below_threshold(self) -> list[str]:
        """Parsed fields whose exact accuracy after vocabulary matching is under 90 %."""
        return [
            s.name
            for s in self.scores.values()
            if s.parsed and s.crops and (s.exact_matched or 0.0) < FINE_TUNE_BELOW
        ]

    @property
    def fine_tune_recommended(self) -> bool:
        """Whether stock recognition is too weak for some field."""
        return bool(self.below_threshold)

    def summary(self) -> dict[str, object]:
        """The report without the per-crop readings."""
        return {
            "videos": self.videos,
            "fps": self.fps,
            "frames": self.frames,
            "crops_read": len(self.readings),
            "crops_written": sum(1 for r in self.readings if r.crop),
            "normalisation": NORMALISATION,
            "fields": [s.as_dict() for s in sorted(self.scores.values(), key=lambda s: s.name)],
            "threshold": FINE_TUNE_BELOW,
            "below_threshold": self.below_threshold,
            "fine_tune_recommended": self.fine_tune_recommended,
        }


def rec_list(result: OcrEvaluation) -> str:
    """PaddleOCR's recognition list: ``crops/NAME.png<TAB>text`` per crop."""
    return "".join(f"{r.crop}\t{r.truth}\n" for r in result.readings if r.crop)


def write_report(result: OcrEvaluation, out: Path) -> None:
    """Write ``rec_gt.txt`` and ``report.json`` (summary and every reading) into ``out``."""
    try:
        write_text(out / "rec_gt.txt", rec_list(result))
        write_json(
            out / "report.json",
            {**result.summary(), "readings": [asdict(r) for r in result.readings]},
        )
    except OSError as exc:
        raise OutputError(
            f"cannot write the report ({exc.strerror})",
            subject=out,
            hint="check that the output folder is writable",
        ) from None
