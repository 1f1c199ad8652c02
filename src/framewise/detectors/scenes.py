"""Content-aware cut detection: HSV frame differences, an adaptive threshold and fades.

Each frame is shrunk to ``width`` pixels, converted to HSV and compared with the one before:
its *score* is the mean absolute difference of hue, saturation and value (0–255), the
measure of PySceneDetect's ContentDetector. A frame is a cut when its score is
``adaptive_ratio`` times the mean of its ``window`` neighbours on each side and at least
``min_content`` (PySceneDetect's AdaptiveDetector rule: a fast pan raises the neighbours too,
a cut stands alone), or at least ``threshold`` when one is set. A fade — the mean intensity
going under ``fade_threshold`` and coming back — is one cut at the middle of the dark span
(PySceneDetect's ThresholdDetector rule). Cuts closer than ``min_scene_seconds`` to the last
one are dropped: a flash is two differences in a row, not two scenes.

The decision about a frame needs ``window`` frames after it, so it is written on a later
frame as features, counted in frames back from the frame that carries them (frame times stay
exact; features are float32):

- ``scene_score``, ``scene_luma``: the frame's own difference and mean intensity;
- ``scene_cut_back``: a cut starts ``n`` frames back (``-1``: none decided here), with
  ``scene_cut_fade`` 1 when it ends a fade and ``scene_cut_score`` its score;
- ``scene_hold_back``: the oldest frame that may still be named a hard cut (``-1``: none);
- ``scene_pending_back``: the oldest frame a later decision may name (fades included).

:class:`~framewise.temporal.scenes.SceneCuts` turns them into ``scene_cut`` records.

Example:
    >>> cutter = SceneCutter(SceneDetectConfig(kind="scene_detect"))
    >>> cutter.update(0.0, 0.0, 100.0)["scene_cut_back"]
    -1.0
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from framewise.config.detectors import SceneDetectConfig, detector_name
from framewise.core.frames import Frame
from framewise.core.results import FrameOutput
from framewise.detectors.base import StreamWatch, refuse_unknown_thresholds

NONE = -1.0
"""The value of a ``*_back`` feature that names no frame."""


@dataclass(frozen=True)
class _Seen:
    count: int
    seconds: float
    score: float


def shrink(image: np.ndarray, width: int) -> np.ndarray:
    """``image`` shrunk by a whole factor to about ``width`` pixels wide.

    Bilinear, as PySceneDetect shrinks for detection: on a 2-core machine an area resize of
    1080p took ~19 ms a frame beside the decoder, bilinear under 1 ms, with the same cuts
    on the corpus. The edges past a multiple of the factor are dropped, so a source pixel
    maps to an analysis pixel by the one factor.
    """
    height, full = image.shape[:2]
    step = max(1, round(full / width))
    if step == 1:
        return image
    rows, cols = max(step, height - height % step), max(step, full - full % step)
    return cv2.resize(
        image[:rows, :cols], (cols // step, rows // step), interpolation=cv2.INTER_LINEAR
    )


def frame_difference(image: np.ndarray, width: int) -> tuple[np.ndarray, float]:
    """``image`` (BGR) shrunk to about ``width`` as HSV, and its mean intensity (0–255)."""
    small = shrink(image, width)
    return cv2.cvtColor(small, cv2.COLOR_BGR2HSV), float(small.mean())


def hsv_score(current: np.ndarray, previous: np.ndarray | None) -> float:
    """Mean absolute difference of H, S and V (0 for the first frame or a size change)."""
    if previous is None or previous.shape != current.shape:
        return 0.0
    diff = cv2.absdiff(current, previous)
    return float(np.mean(cv2.mean(diff)[:3]))


class SceneCutter:
    """The cut rules over (time, score, intensity) in frame order (pure; see the module)."""

    def __init__(self, config: SceneDetectConfig) -> None:
        self.config = config
        self.count = -1
        self._window: deque[_Seen] = deque(maxlen=2 * config.window + 1)
        self._last_cut: float | None = None
        self._bright_seen = False
        self._fade_from: _Seen | None = None

    def update(self, seconds: float, score: float, luma: float) -> dict[str, float]:
        """Feed one frame; the features it carries (see the module docstring)."""
        self.count += 1
        seen = _Seen(self.count, seconds, score)
        if self._last_cut is None:
            self._last_cut = seconds  # the first scene starts at the first frame
        cut: tuple[_Seen, bool] | None = self._fade(seen, luma)
        self._window.append(seen)
        hard = self._hard()
        if cut is None and hard is not None:
            cut = (hard, False)
        out = {
            "scene_score": score,
            "scene_luma": luma,
            "scene_cut_back": NONE,
            "scene_cut_fade": 0.0,
            "scene_cut_score": 0.0,
        }
        if cut is not None and self._accept(cut[0].seconds):
            out["scene_cut_back"] = float(self.count - cut[0].count)
            out["scene_cut_fade"] = float(cut[1])
            out["scene_cut_score"] = cut[0].score
        hold = self._held()
        out["scene_hold_back"] = NONE if hold is None else float(self.count - hold)
        pending = [] if hold is None else [hold]
        if self._fade_from is not None:
            pending.append(self._fade_from.count)
        out["scene_pending_back"] = float(self.count - min(pending)) if pending else NONE
        return out

    def _accept(self, seconds: float) -> bool:
        last = self._last_cut if self._last_cut is not None else seconds
        if seconds - last < self.config.min_scene_seconds or seconds <= last:
            return False
        self._last_cut = seconds
        return True

    def _fade(self, seen: _Seen, luma: float) -> tuple[_Seen, bool] | None:
        """A fade out and back in ends here: the cut at the middle of the dark span."""
        limit = self.config.fade_threshold
        if limit <= 0:
            return None
        if luma >= limit:
            start, self._fade_from = self._fade_from, None
            self._bright_seen = True
            if start is None or seen.score >= self.config.min_content:
                # A dark shot that ends in a jump is a scene of its own, not a fade: the
                # jump is a hard cut, decided by the window.
                return None
            middle = (start.seconds + seen.seconds) / 2
            # The dark frames' times are not kept here: the middle one is named by its share
            # of the span's frames, and the frame rule reads its exact time.
            share = (middle - start.seconds) / max(seen.seconds - start.seconds, 1e-9)
            count = start.count + round(share * (seen.count - start.count))
            return _Seen(count, middle, 0.0), True
        if self._bright_seen and self._fade_from is None:
            self._fade_from = seen  # a dark opening is no fade: nothing came before it
        return None

    def _hard(self) -> _Seen | None:
        """The middle of the window, if it is a cut by the adaptive or fixed rule."""
        size = self._window.maxlen or 1
        if len(self._window) < size:
            return None
        centre = self._window[size // 2]
        others = [s.score for i, s in enumerate(self._window) if i != size // 2]
        mean = max(float(np.mean(others)), 1e-6)
        adaptive = centre.score >= self.config.min_content and (
            centre.score / mean >= self.config.adaptive_ratio
        )
        fixed = self.config.threshold > 0 and centre.score >= self.config.threshold
        return centre if adaptive or fixed else None

    def _held(self) -> int | None:
        """The oldest frame still to be decided that could be a hard cut."""
        config = self.config
        limit = (
            config.min_content
            if config.threshold <= 0
            else min(config.min_content, config.threshold)
        )
        for seen in self._window:
            if seen.count > self.count - config.window and seen.score >= limit:
                return seen.count
        return None


class SceneDetectStage:
    """The ``scene_detect`` stage: :class:`SceneCutter` on every frame it is given."""

    class_names: tuple[str, ...] = ()

    def __init__(self, config: SceneDetectConfig) -> None:
        self.name = detector_name(config)
        self.config = config
        self.cutter = SceneCutter(config)
        self._previous: np.ndarray | None = None
        self._watch = StreamWatch()

    def detect(self, batch: Sequence[Frame], results: Sequence[FrameOutput]) -> list[FrameOutput]:
        """Add each frame's scene features (frames must come in time order)."""
        outputs = []
        for frame, result in zip(batch, results, strict=True):
            if self._watch.restarted(frame):
                self.cutter = SceneCutter(self.config)
                self._previous = None
            hsv, luma = frame_difference(frame.image, self.config.width)
            score = hsv_score(hsv, self._previous)
            self._previous = hsv
            outputs.append(result.with_features(self.cutter.update(frame.seconds, score, luma)))
        return outputs

    def thresholds(self) -> Mapping[str, float]:
        """None tunable live: a cut decided under other rules would break the scene list."""
        return {}

    def set_thresholds(self, values: Mapping[str, float]) -> None:
        """Refuse every name (see :meth:`thresholds`)."""
        refuse_unknown_thresholds(self.name, values, self.thresholds())

    def close(self) -> None:
        """Nothing to release."""
        self._previous = None
