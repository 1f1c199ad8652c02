"""How well stock OCR reads rendered sessions, and crops to fine-tune it with.

For sampled frames of ``framewise synth`` videos, every ground-truth element of a class the
pipeline's ``ocr`` stage reads is passed to :class:`~framewise.detectors.ocr.OcrReader` as
if a detector had found it at its true box — the same crop, the same recognition (with or
without text detection) and the same field parsers and vocabularies as ``framewise
process`` — and the text and fields are compared with the truth (:mod:`ocr_metrics`).

The crops are written as PNG with their true text in PaddleOCR's recognition-training list
(``rec_gt.txt``: ``crops/NAME.png<TAB>text``). A recogniser learns single lines, so classes
read with text detection contribute one crop per drawn line (the ground truth's line boxes,
padded like the pipeline pads), read with recognition only and scored as ``class.lines``.

Example:
    >>> pipeline = load_pipeline(profile_pipeline("tarkov"))  # doctest: +SKIP
    >>> evaluator = OcrEvaluator(pipeline, Path("out"))  # doctest: +SKIP
    >>> result = evaluator.evaluate([Path("session.mkv")])  # doctest: +SKIP
    >>> write_report(result, Path("out"))  # doctest: +SKIP
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from framewise.config.detectors import OcrConfig
from framewise.config.pipeline import PipelineConfig
from framewise.core.atomic import write_bytes, write_json, write_text
from framewise.core.detections import Detections
from framewise.core.errors import ConfigError, InputError, OutputError
from framewise.core.frames import Frame, Image
from framewise.detectors.ocr import OcrReader
from framewise.detectors.ocr_metrics import NORMALISATION, FieldScore, value_text
from framewise.sources.file import DecodeOptions, FileSource
from framewise.synth.groundtruth import ElementTrack, GroundTruth, Span, groundtruth_path

FINE_TUNE_BELOW = 0.90
"""Fine-tuning is recommended when a parsed field's exact accuracy is below this."""

Progress = Callable[[float, float], None]
"""Called with (video seconds read so far, video seconds in all), over all the videos."""

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


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


def ocr_stage(config: PipelineConfig) -> OcrConfig:
    """The pipeline's ``ocr`` stage.

    Raises:
        ConfigError: The pipeline reads no text.
    """
    for detector in config.detectors:
        if isinstance(detector, OcrConfig):
            return detector
    raise ConfigError(
        f"pipeline {config.name!r} has no ocr stage",
        hint="evaluate OCR with a pipeline that reads text, e.g. --profile tarkov",
    )


def crop_box(image: Image, box: tuple[int, int, int, int], pad: int) -> Image:
    """``box`` of ``image`` with ``pad`` pixels around it, the way :class:`OcrReader` crops."""
    height, width = image.shape[:2]
    x1, y1, x2, y2 = box
    return image[max(0, y1 - pad) : min(height, y2 + pad), max(0, x1 - pad) : min(width, x2 + pad)]


def truth_of(video: Path) -> GroundTruth:
    """The ground truth beside ``video``.

    Raises:
        InputError: There is none (the video was not rendered by ``framewise synth``).
    """
    path = groundtruth_path(video)
    if not path.is_file():
        raise InputError(
            f"no ground truth beside this video (looked for {path.name})",
            subject=video,
            hint="evaluate OCR on sessions rendered with `framewise synth`",
        )
    return GroundTruth.load(path)


class OcrEvaluator:
    """Reads the text regions of rendered sessions with the pipeline's OCR stage.

    Args:
        config: The pipeline whose ``ocr`` stage (classes, parsers, vocabularies) is measured.
        out: Folder for ``crops/``.
        fps: Frames per second sampled from each video.
        limit: Stop each video after this many crops the pipeline reads.
        threads: ONNX Runtime threads for the OCR models.
    """

    def __init__(
        self,
        config: PipelineConfig,
        out: Path,
        *,
        fps: float = 1.0,
        limit: int | None = None,
        threads: int = 1,
    ) -> None:
        if not fps > 0:
            raise ConfigError(f"--fps must be positive, got {fps}", hint="e.g. --fps 1")
        # Every sampled frame is read afresh: reusing a slot's last reading would score a
        # copy instead of a crop.
        self.ocr = ocr_stage(config).model_copy(update={"reread_seconds": 0.0})
        self.decode = DecodeOptions(
            skip_nonref=config.source.decode.skip_frame == "NONREF",
            skip_loop_filter=config.source.decode.skip_loop_filter not in ("NONE", "DEFAULT"),
            threads=config.source.decode.threads,
        )
        self.out = out
        self.fps = fps
        self.limit = limit
        self.reader = OcrReader(self.ocr, threads)

    def evaluate(self, videos: Sequence[Path], progress: Progress | None = None) -> OcrEvaluation:
        """Score every video (all ground truths are checked before the first is read)."""
        stems = [_safe(v.stem) for v in videos]
        twice = sorted({s for s in stems if stems.count(s) > 1})
        if twice:
            raise InputError(
                f"two videos share the name {twice[0]!r}; their crops would collide",
                subject=videos[stems.index(twice[0], stems.index(twice[0]) + 1)],
                hint="evaluate them in separate runs or rename one",
            )
        truths = [truth_of(v) for v in videos]
        result = OcrEvaluation(videos=[str(v) for v in videos], fps=self.fps)
        total = sum(t.metadata.duration_seconds for t in truths)
        before = 0.0
        for video, truth in zip(videos, truths, strict=True):
            self._video(video, truth, result, _Advance(progress, before, total))
            before += truth.metadata.duration_seconds
            if progress is not None:
                progress(before, total)
        return result

    def _video(
        self,
        video: Path,
        truth: GroundTruth,
        result: OcrEvaluation,
        advance: _Advance,
    ) -> None:
        read = 0
        with FileSource(video, sample_fps=self.fps, decode=self.decode) as source:
            for frame in source.read():
                height, width = frame.image.shape[:2]
                if (width, height) != (truth.metadata.width, truth.metadata.height):
                    raise InputError(
                        f"the video is {width}x{height} but its ground truth "
                        f"{truth.metadata.width}x{truth.metadata.height}",
                        subject=video,
                        hint="evaluate the video exactly as `framewise synth` wrote it",
                    )
                index = truth.frame_at(frame.seconds)
                shown = [
                    (t, s)
                    for t, s in truth.spans_at([index])[index]
                    if t.cls in self.reader.classes
                ]
                result.frames += 1
                read += self._frame(video, frame, index, shown, result)
                advance(frame.seconds)
                if self.limit is not None and read >= self.limit:
                    break

    def _frame(
        self,
        video: Path,
        frame: Frame,
        index: int,
        shown: list[tuple[ElementTrack, Span]],
        result: OcrEvaluation,
    ) -> int:
        """Read the elements ``shown`` in ``frame``; returns how many crops the pipeline read."""
        if not shown:
            return 0
        boxes = np.array([s.box for _, s in shown], dtype=np.float32)
        found = Detections(
            boxes,
            np.ones(len(shown), dtype=np.float32),
            tuple(t.cls for t, _ in shown),
            tuple("" for _ in shown),
            tuple({} for _ in shown),
        )
        (read,) = self.reader.read([frame], [found])
        stem = _safe(video.stem)
        for i, (track, span) in enumerate(shown):
            name = f"{stem}_f{index:06d}_{_safe(track.key)}"
            said = read.text[i] or ""
            truth_text = " ".join(track.text.split("\n"))
            fields = self._score_fields(track, said, read.attributes[i], result)
            result.score(track.cls, parsed=False).add(truth_text, said)
            if track.cls in self.reader.recognition_only and "\n" not in track.text:
                # The pipeline's own crop is one line: it is the training sample.
                crop = crop_box(frame.image, span.box, self.ocr.padding)
                entry = self._save(name, crop, track.text) if crop.size else ""
                where = (str(video), index, track.cls, track.key)
                result.readings.append(Reading(entry, *where, track.text, said, fields))
                continue
            # Text detection finds the lines itself: train and score the recogniser on them.
            for n, line in enumerate(span.lines):
                piece = crop_box(frame.image, line.box, self.ocr.padding)
                if piece.size == 0:
                    continue
                text, _ = self.reader.text(piece, single_line=True)
                result.score(f"{track.cls}.lines", parsed=False).add(line.text, text)
                entry = self._save(f"{name}_l{n}", piece, line.text)
                result.readings.append(
                    Reading(entry, str(video), index, track.cls, track.key, line.text, text)
                )
            result.readings.append(
                Reading("", str(video), index, track.cls, track.key, truth_text, said, fields)
            )
        return len(shown)

    def _score_fields(
        self,
        track: ElementTrack,
        text: str,
        attributes: Mapping[str, Any],
        result: OcrEvaluation,
    ) -> dict[str, dict[str, str]]:
        """Score the parsed fields of one crop: the raw regex groups, then the parsed values."""
        parser = self.reader.parsers.get(track.cls)
        if parser is None:
            return {"text": {"truth": " ".join(track.text.split("\n")), "read": text}}
        truth_text = " ".join(track.text.split("\n"))
        true_match = parser.pattern.search(truth_text)
        read_match = parser.pattern.search(text)
        fields = {"text": {"truth": truth_text, "read": text}}
        for name in parser.pattern.groupindex:
            truth = track.fields.get(name)
            if truth is None:
                continue  # the renderer does not record this field for this class
            true_raw = (true_match.group(name) if true_match else None) or ""
            read_raw = (read_match.group(name) if read_match else None) or ""
            parsed = attributes.get(name)
            value = parsed.get("value") if isinstance(parsed, dict) else None
            row = {
                "truth_raw": true_raw.strip(),
                "read_raw": read_raw.strip(),
                "truth": value_text(truth),
                "value": value_text(value),
            }
            result.score(f"{track.cls}.{name}", parsed=True).add(
                row["truth_raw"], row["read_raw"], row["truth"], row["value"]
            )
            fields[name] = row
        return fields

    def _save(self, name: str, crop: Image, text: str) -> str:
        """Write ``crop`` as ``crops/NAME.png``; returns its path relative to the output."""
        ok, png = cv2.imencode(".png", crop)
        if not ok:
            raise OutputError("cannot encode a crop as PNG", subject=name)
        relative = f"crops/{name}.png"
        try:
            write_bytes(self.out / relative, png.tobytes())
        except OSError as exc:
            raise OutputError(
                f"cannot write a crop ({exc.strerror})",
                subject=self.out / relative,
                hint="check that the output folder is writable",
            ) from None
        return relative

    def close(self) -> None:
        """Release the OCR engine."""
        self.reader.close()


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


@dataclass(frozen=True)
class _Advance:
    """Reports one video's progress as seconds into all the videos."""

    progress: Progress | None
    offset: float
    total: float

    def __call__(self, seconds: float) -> None:
        if self.progress is not None:
            self.progress(self.offset + seconds, self.total)


def _safe(name: str) -> str:
    """``name`` with anything but letters, digits, ``_``, ``.`` and ``-`` replaced."""
    return _UNSAFE.sub("_", name)
