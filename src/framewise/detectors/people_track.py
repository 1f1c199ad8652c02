"""People tracked across frames with ByteTrack, from Roboflow's maintained ``trackers`` package.

``supervision`` carried ByteTrack until 0.30 and removed it in 0.31 (it points to
``trackers``' ``ByteTrackTracker``, the same algorithm kept up on its own), so the ``people``
extra pins ``trackers`` 2.6.1 over ``supervision`` 0.31.2. The ``people_track`` stage feeds
ByteTrack every box of the tracked ``classes`` found by the stages before it (HOG, MediaPipe
Pose or a user's YOLO model) with the frame's presentation time, so a track's lost budget is
in seconds and holds on variable-frame-rate and subsampled input alike. Each box gets its
``track_id`` (-1 while ByteTrack has not confirmed it, or for a low-score box no track took).

The frame also carries ``people_count`` (confirmed tracks in the frame), the feature the
temporal rule (:class:`~framewise.temporal.people.PeopleTracks`, built from this stage's
``lost_seconds`` and ``min_track_seconds``) reads.

Example:
    >>> stage = PeopleTrackStage.build(PeopleTrackConfig(kind="people_track"))  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from framewise.config.detectors import PeopleTrackConfig, detector_name
from framewise.core.detections import Detections
from framewise.core.errors import ConfigError
from framewise.core.frames import Frame
from framewise.core.results import FrameOutput
from framewise.detectors.base import StreamWatch, refuse_unknown_thresholds

NOMINAL_FPS = 30.0
"""``trackers`` counts its lost budget in frames at 30 fps; seconds × 30 is that budget."""


def _byte_track(config: PeopleTrackConfig) -> Any:
    """A fresh ``ByteTrackTracker`` for ``config``, or a one-line error saying what to install."""
    try:
        from trackers import ByteTrackTracker
    except ImportError:
        raise ConfigError(
            "the people_track stage needs the trackers package, which is not installed",
            subject="trackers",
            hint="install framewise with the people extra (`make install` does it)",
        ) from None
    return ByteTrackTracker(
        lost_track_buffer=max(1, round(config.lost_seconds * NOMINAL_FPS)),
        frame_rate=NOMINAL_FPS,
        track_activation_threshold=config.activation,
        high_conf_det_threshold=config.activation,
        minimum_iou_threshold=config.match_iou,
        minimum_consecutive_frames=2,
    )


class PeopleTrackStage:
    """The ``people_track`` stage: ByteTrack ids on the tracked classes' boxes (see the module)."""

    class_names: tuple[str, ...] = ()

    def __init__(self, config: PeopleTrackConfig, tracker: Any) -> None:
        self.name = detector_name(config)
        self.config = config
        self.tracker = tracker
        self._watch = StreamWatch()

    @classmethod
    def build(cls, config: PeopleTrackConfig) -> PeopleTrackStage:
        """The stage of ``config``."""
        return cls(config, _byte_track(config))

    def track(self, seconds: float, detections: Detections) -> Detections:
        """``detections`` with track ids on the tracked classes' rows (others keep theirs)."""
        import supervision as sv

        ids = (
            detections.track_id.copy()
            if detections.track_id is not None
            else np.full(len(detections), -1, np.int64)
        )
        rows = np.flatnonzero(np.isin(np.asarray(detections.class_name), self.config.classes))
        given = sv.Detections(
            xyxy=detections.xyxy[rows].astype(np.float32).reshape(-1, 4),
            confidence=detections.confidence[rows].astype(np.float32),
            data={"row": rows},
        )
        found = self.tracker.update(given, timestamp=seconds)
        if len(found):
            ids[np.asarray(found.data["row"], np.int64)] = np.asarray(found.tracker_id, np.int64)
        # Untracked rows of the tracked classes stay -1 (a low-score box no track took).
        return detections.replace(track_id=ids) if len(detections) else detections

    def detect(self, batch: Sequence[Frame], results: Sequence[FrameOutput]) -> list[FrameOutput]:
        """Track each frame's boxes (frames in time order) and add the count features."""
        if len(batch) != len(results):
            raise ValueError(f"stage {self.name!r} got {len(results)} results for {len(batch)}")
        outputs = []
        for frame, result in zip(batch, results, strict=True):
            if self._watch.restarted(frame):
                self.tracker = _byte_track(self.config)
            tracked = self.track(frame.seconds, result.detections)
            ids = tracked.track_id if tracked.track_id is not None else np.zeros(0, np.int64)
            names = np.asarray(tracked.class_name)
            count = int(np.count_nonzero((ids >= 0) & np.isin(names, self.config.classes)))
            features = {"people_count": float(count)}
            outputs.append(result.with_detections(tracked).with_features(features))
        return outputs

    def thresholds(self) -> Mapping[str, float]:
        """None: ByteTrack fixes its settings when it starts."""
        return {}

    def set_thresholds(self, values: Mapping[str, float]) -> None:
        """Refuse every name (set ``activation`` in the pipeline YAML instead)."""
        refuse_unknown_thresholds(
            self.name, values, {}, "set activation or lost_seconds in the pipeline YAML instead"
        )

    def close(self) -> None:
        """Nothing to release."""
        self.tracker = None
