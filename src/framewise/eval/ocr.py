"""How well stock OCR reads videos with text ground truth, and crops to fine-tune it with.

For sampled frames of a video whose ground truth says where each text element is (the
sessions ``framewise synth`` renders), every element of a class the pipeline's ``ocr`` stage
reads is passed to :class:`~framewise.detectors.ocr.OcrReader` as if a detector had found it
at its true box — the same crop, the same recognition (with or without text detection) and
the same field parsers and vocabularies as ``framewise process`` — and the text and fields
are compared with the truth (:mod:`framewise.eval.ocr_metrics`).

The crops are written as PNG with their true text in PaddleOCR's recognition-training list
(``rec_gt.txt``: ``crops/NAME.png<TAB>text``). A recogniser learns single lines, so classes
read with text detection contribute one crop per drawn line (the ground truth's line boxes,
padded like the pipeline pads), read with recognition only and scored as ``class.lines``.

The ground truth is anything shaped like :class:`TextTruth`, found for each video by the
``truth_of`` function the caller gives: scoring never imports the renderer, which supplies
:func:`framewise.synth.groundtruth.truth_beside` for its own sessions.

Example:
    >>> pipeline = load_pipeline(profile_pipeline("tarkov"))  # doctest: +SKIP
    >>> evaluator = OcrEvaluator(pipeline, Path("out"), truth_of=truth_beside)  # doctest: +SKIP
    >>> result = evaluator.evaluate([Path("session.mkv")])  # doctest: +SKIP
    >>> write_report(result, Path("out"))  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from framewise.config.detectors import OcrConfig
from framewise.config.pipeline import PipelineConfig
from framewise.core.atomic import write_bytes
from framewise.core.detections import Detections, Fields
from framewise.core.errors import ConfigError, InputError, OutputError
from framewise.core.frames import Frame, Image
from framewise.detectors.ocr import OcrReader
from framewise.eval.ocr_metrics import value_text
from framewise.eval.ocr_report import OcrEvaluation, Reading
from framewise.sources.file import DecodeOptions, FileSource

Box = tuple[int, int, int, int]


class TruthLine(Protocol):
    """One drawn line of a text element: its text and its box."""

    @property
    def text(self) -> str:
        """The line's true text."""
        ...

    @property
    def box(self) -> Box:
        """Its box, ``x1, y1, x2, y2`` in pixels."""
        ...


class TruthSpan(Protocol):
    """Where an element is in the frames of one span, and its drawn lines."""

    @property
    def box(self) -> Box:
        """The element's box in these frames."""
        ...

    @property
    def lines(self) -> Sequence[TruthLine]:
        """Its drawn lines (empty for a one-line element)."""
        ...


class TruthElement(Protocol):
    """A text element over time: its class, a unique key, its text and true field values."""

    @property
    def key(self) -> str:
        """Unique over the video (names the crops)."""
        ...

    @property
    def cls(self) -> str:
        """The detector class it is labelled with."""
        ...

    @property
    def text(self) -> str:
        """Its whole true text, lines joined by newlines."""
        ...

    @property
    def fields(self) -> Mapping[str, object]:
        """True values of the fields a parser reads from it."""
        ...


class TruthVideo(Protocol):
    """What the truth says about its video."""

    @property
    def width(self) -> int:
        """Frame width in pixels."""
        ...

    @property
    def height(self) -> int:
        """Frame height in pixels."""
        ...

    @property
    def duration_seconds(self) -> float:
        """Length of the video."""
        ...


class TextTruth(Protocol):
    """The text ground truth of one video."""

    @property
    def metadata(self) -> TruthVideo:
        """What the truth says about its video."""
        ...

    def frame_at(self, seconds: float) -> int:
        """The index of the frame on screen at ``seconds``."""
        ...

    def spans_at(
        self, frames: Sequence[int]
    ) -> Mapping[int, Sequence[tuple[TruthElement, TruthSpan]]]:
        """The elements shown in each of ``frames``, with their span."""
        ...


TruthOf = Callable[[Path], TextTruth]
"""Finds a video's ground truth (raising :class:`InputError` when it has none)."""

Progress = Callable[[float, float], None]
"""Called with (video seconds read so far, video seconds in all), over all the videos."""

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


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


class OcrEvaluator:
    """Reads the text regions of videos with text ground truth with the pipeline's OCR stage.

    Args:
        config: The pipeline whose ``ocr`` stage (classes, parsers, vocabularies) is measured.
        out: Folder for ``crops/``.
        truth_of: Finds each video's ground truth (e.g. ``synth.groundtruth.truth_beside``).
        fps: Frames per second sampled from each video.
        limit: Stop each video after this many crops the pipeline reads.
        threads: ONNX Runtime threads for the OCR models.
    """

    def __init__(
        self,
        config: PipelineConfig,
        out: Path,
        *,
        truth_of: TruthOf,
        fps: float = 1.0,
        limit: int | None = None,
        threads: int = 1,
    ) -> None:
        if not fps > 0:
            raise ConfigError(f"--fps must be positive, got {fps}", hint="e.g. --fps 1")
        # Every sampled frame is read afresh: reusing a slot's last reading would score a
        # copy instead of a crop.
        self.ocr = ocr_stage(config).model_copy(update={"reread_seconds": 0.0})
        # The pipeline's decoder settings, but every frame the --fps ticks land on: a
        # keyframe scan would score other frames than the ones asked for.
        decode = DecodeOptions.from_config(config.source)
        self.decode = dataclasses.replace(decode, keyframes_only=False)
        self.truth_of = truth_of
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
        truths = [self.truth_of(v) for v in videos]
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
        truth: TextTruth,
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
                        hint="evaluate the video exactly as its ground truth describes it",
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
        shown: list[tuple[TruthElement, TruthSpan]],
        result: OcrEvaluation,
    ) -> int:
        """Read the elements ``shown`` in ``frame``; returns how many crops the pipeline read."""
        if not shown:
            return 0
        boxes = np.array([s.box for _, s in shown], dtype=np.float32)
        found = Detections(
            boxes, np.ones(len(shown), dtype=np.float32), tuple(t.cls for t, _ in shown)
        )
        (read,) = self.reader.read([frame], [found])
        stem = _safe(video.stem)
        for i, (track, span) in enumerate(shown):
            name = f"{stem}_f{index:06d}_{_safe(track.key)}"
            said = read.text[i] or ""
            truth_text = " ".join(track.text.split("\n"))
            fields = self._score_fields(track, said, read.fields[i], result)
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
        track: TruthElement,
        text: str,
        parsed: Fields,
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
            reading = parsed.get(name)
            value = reading.value if reading is not None else None
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
