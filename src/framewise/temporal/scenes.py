"""Scene cuts from the frames a ``scene_detect`` stage marked: the ``scene_cut`` records.

The stage (:mod:`framewise.detectors.scenes`) decides a cut a few frames after it happened
and says how many frames back it was; :class:`SceneCuts` remembers recent frame times, so the
record carries the exact presentation time of the first frame of the new scene (PTS, never
``index / fps``), its number, how it was found and how long the scene before it lasted.

It is a frame rule of :class:`~framewise.temporal.engine.EventEngine`: it tells the engine the
oldest frame a cut may still be placed on (records leave in time order) and which frames a
thumbnail may still need.

Example:
    >>> cuts = SceneCuts()
    >>> cuts.update(0.0, FrameOutput.empty())
    []
"""

from __future__ import annotations

from collections import deque
from itertools import takewhile

from framewise.core.results import FrameOutput
from framewise.temporal.state_machine import EventRecord

SCENE_CUT = "scene_cut"
"""The record type of a cut (the start of scene 2, 3, …)."""

FRAME_MEMORY = 100_000
"""Recent frame times kept: a fade's middle may lie this many frames back at most."""


class SceneCuts:
    """Frames marked by a ``scene_detect`` stage → ``scene_cut`` records (see the module)."""

    def __init__(self) -> None:
        self.scenes = 1
        self._times: deque[float] = deque(maxlen=FRAME_MEMORY)
        self._scene_start: float | None = None
        self._pending: float | None = None
        self._hold: float | None = None

    def update(self, seconds: float, output: FrameOutput) -> list[EventRecord]:
        """Feed one frame's result; the record of the cut it decides, if any."""
        self._times.append(seconds)
        if self._scene_start is None:
            self._scene_start = seconds
        if "scene_cut_back" not in output.feature_names:
            return []
        self._pending = self._back(output.feature("scene_pending_back"))
        self._hold = self._back(output.feature("scene_hold_back"))
        at = self._back(output.feature("scene_cut_back"))
        if at is None:
            return []
        fade = output.feature("scene_cut_fade") == 1.0
        score = output.feature("scene_cut_score")
        previous = self._scene_start
        self._scene_start = at
        self.scenes += 1
        return [
            EventRecord(
                type=SCENE_CUT,
                seconds=at,
                # A fade is certain once the picture came back; a hard cut scores by its jump.
                confidence=1.0 if fade else min(1.0, round(score / 30.0, 6)),
                data={
                    "scene": self.scenes,
                    "kind": "fade" if fade else "cut",
                    "score": round(score, 3),
                    "start": round(at, 6),
                    "previous_start": round(previous, 6),
                    "previous_seconds": round(at - previous, 6),
                },
                evidence=SCENE_CUT,
                track_id=self.scenes,
                # A fade's middle is black: the thumbnail shows the picture coming back.
                best_seconds=seconds if fade else at,
            )
        ]

    def flush(self) -> list[EventRecord]:
        """End of input: nothing is left (a cut is decided on the frame that carries it)."""
        self._pending = self._hold = None
        return []

    def pending_since(self) -> float | None:
        """The oldest frame a cut still to be decided may be placed on."""
        return self._pending

    def wanted_seconds(self) -> set[float]:
        """The frames a hard cut still to be decided may name (its thumbnail)."""
        if self._hold is None:
            return set()
        hold = self._hold
        return set(takewhile(lambda t: t >= hold, reversed(self._times)))

    def _back(self, frames: float) -> float | None:
        """The time of the frame ``frames`` back from the newest (``None`` for -1)."""
        if frames < 0:
            return None
        back = min(int(frames), len(self._times) - 1)
        return self._times[-1 - back]
