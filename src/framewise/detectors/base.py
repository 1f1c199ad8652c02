"""The stage and detector protocols.

A :class:`Stage` is one step of a cascade: it gets a batch of frames and the results so far
(one :class:`~framewise.core.results.FrameOutput` per frame) and returns them with its
additions — new boxes, columns of existing boxes (text, fields, masks, embeddings), frame
tags, features or embeddings — so each stage can feed on the ones before it (YOLO → OCR;
tagger → open-vocabulary detector → segmenter → CLIP).

A :class:`Detector` is the simpler thing many models are: frames in, one
:class:`~framewise.core.detections.Detections` per frame out; a :class:`Reader` enriches boxes
found before it. They become stages through :class:`framewise.detectors.stages.DetectorStage`
(its boxes merged after the ones so far) and :class:`~framewise.detectors.stages.ReaderStage`.

Stage kinds are registered in :data:`framewise.config.detectors.DETECTOR_CONFIGS` (kind →
config class, which names its factory) and built by :func:`framewise.pipeline.chain.build_chain`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol, runtime_checkable

from framewise.core.detections import Detections
from framewise.core.errors import ConfigError
from framewise.core.frames import Frame
from framewise.core.results import FrameOutput


@runtime_checkable
class Detector(Protocol):
    """Anything that detects objects in a batch of frames."""

    def detect(self, batch: Sequence[Frame]) -> list[Detections]:
        """Return one :class:`Detections` per frame of ``batch``, in the same order."""
        ...

    def close(self) -> None:
        """Release models, threads and devices; the detector is unusable afterwards."""
        ...


@runtime_checkable
class Reader(Protocol):
    """Anything that reads boxes found before it (e.g. OCR) and returns them enriched."""

    def read(self, batch: Sequence[Frame], detections: Sequence[Detections]) -> list[Detections]:
        """One enriched :class:`Detections` per frame."""
        ...

    def close(self) -> None:
        """Release models and threads."""
        ...


@runtime_checkable
class Stateful(Protocol):
    """A stage or reader whose output for a frame depends on frames before it (a cache)."""

    def state_since(self, seconds: float) -> float:
        """The earliest time whose frames decide its output at ``seconds`` and after.

        A read that starts mid-video (a shard) feeds it the frames from there on first, so
        its outputs equal an uninterrupted read's.
        """
        ...


@runtime_checkable
class ClassAware(Protocol):
    """A stage or reader that gives boxes the class ids of the stages before it."""

    def know_classes(self, class_ids: Mapping[str, int]) -> None:
        """Class name → id, as the earlier stages number them."""
        ...


@runtime_checkable
class Stage(Protocol):
    """One step of the cascade.

    Attributes:
        name: The stage's name (unique in a chain; shown by the live ``GET /config``).
        class_names: Class names the stage may give the boxes it adds (empty when it adds
            none, e.g. a reader); review offers them as labels.
    """

    name: str
    class_names: tuple[str, ...]

    def detect(self, batch: Sequence[Frame], results: Sequence[FrameOutput]) -> list[FrameOutput]:
        """Return ``results`` (one per frame of ``batch``) with this stage's additions."""
        ...

    def thresholds(self) -> Mapping[str, float]:
        """The thresholds that may be tuned while running (e.g. ``confidence``, ``iou``)."""
        ...

    def set_thresholds(self, values: Mapping[str, float]) -> None:
        """Change some of :meth:`thresholds`; they apply from the next batch.

        Raises:
            ConfigError: A name is not one of :meth:`thresholds`, or a value is out of range.
        """
        ...

    def close(self) -> None:
        """Release models, threads and devices; the stage is unusable afterwards."""
        ...


def refuse_unknown_thresholds(
    stage: str, values: Mapping[str, float], tunable: Mapping[str, float], hint: str = ""
) -> None:
    """The one refusal of a live threshold a stage does not have (``POST /config``).

    Raises:
        ConfigError: ``values`` names a threshold not in ``tunable``; ``hint`` says what to do
            instead (default: the stage's tunable names).
    """
    unknown = sorted(set(values) - set(tunable))
    if unknown:
        raise ConfigError(
            f"stage {stage!r} has no thresholds {unknown}",
            subject=stage,
            hint=hint or f"tunable here: {sorted(tunable) or 'none'}",
        )


class StreamWatch:
    """Tells a stage that keeps state across frames when a new stream begins.

    One pipeline serves many videos in turn (a folder run, a worker reused by an executor), so a
    stateful stage (a gate, a rolling window, a background model) must start afresh when the
    frames come from another source, or when time goes back (the same video again).

    Example:
        >>> watch = StreamWatch()
        >>> if watch.restarted(frame):  # doctest: +SKIP
        ...     state = fresh_state()
    """

    def __init__(self) -> None:
        self._last: tuple[str, float] | None = None

    def restarted(self, frame: Frame) -> bool:
        """Whether ``frame`` begins a new stream (never for the very first frame)."""
        last, self._last = self._last, (frame.source_id, frame.seconds)
        return last is not None and (frame.source_id != last[0] or frame.seconds <= last[1])
