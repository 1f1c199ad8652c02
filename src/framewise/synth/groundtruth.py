"""The ground truth of a rendered session: its events and every labelled box of every frame.

See ``README.md`` in this package for the JSON layout. Boxes are stored as *spans* — runs of
consecutive frames where an element keeps the same box — which is exact per frame and keeps
an hour of 60 fps footage to a few megabytes; :meth:`GroundTruth.boxes_at` expands them.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from framewise.core.errors import InputError
from framewise.core.events import Event, UtcDatetime
from framewise.synth.layout import Element
from framewise.synth.script import FieldValue

FORMAT = "framewise-synth-groundtruth"
GROUNDTRUTH_SCHEMA_VERSION = 2
"""2 added ``spans[].lines`` (each text line's box); version-1 files still load, without them."""
SUFFIX = ".groundtruth.json"


def groundtruth_path(video: str | Path) -> Path:
    """Where the ground truth of ``video`` lives: ``session.mkv`` → ``session.groundtruth.json``."""
    path = Path(video)
    return path.with_name(path.stem + SUFFIX)


def truth_beside(video: Path) -> GroundTruth:
    """The ground truth beside ``video`` (what :mod:`framewise.eval.ocr` scores against).

    Raises:
        InputError: There is none (the video was not rendered by ``framewise synth``), or it
            is not a ground truth.
    """
    path = groundtruth_path(video)
    if not path.is_file():
        raise InputError(
            f"no ground truth beside this video (looked for {path.name})",
            subject=video,
            hint="evaluate OCR on sessions rendered with `framewise synth`",
        )
    return GroundTruth.load(path)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TextLine(_Model):
    """One line of an element's text and the box it was drawn in (for single-line OCR crops)."""

    text: str
    box: tuple[int, int, int, int]


class Span(_Model):
    """Frames ``first_frame``..``last_frame`` (inclusive) show the element at ``box``.

    ``lines`` holds where each line of the element's text was drawn in those frames (empty in
    schema-version-1 files).
    """

    first_frame: int = Field(ge=0)
    last_frame: int = Field(ge=0)
    box: tuple[int, int, int, int]
    lines: list[TextLine] = Field(default_factory=list)


class ElementTrack(_Model):
    r"""One labelled UI element and where it was drawn.

    Attributes:
        key: Its id (``s12`` a screen visit, ``k3004`` a kill-feed entry, ``h3.30`` a HUD).
        cls: Its detection class.
        text: The text drawn inside its box (lines joined by ``\\n``).
        fields: The values it shows.
        spans: Where it was drawn, frame by frame.
    """

    key: str
    cls: str
    text: str
    fields: dict[str, FieldValue] = Field(default_factory=dict)
    spans: list[Span] = Field(default_factory=list)


class ScreenVisit(_Model):
    """One visit of a screen: its class, the state it signals and when it was shown."""

    cls: str
    state: str
    start_seconds: float
    end_seconds: float
    first_frame: int
    last_frame: int
    raid_id: int | None = None


class RaidTruth(_Model):
    """One raid as the script made it."""

    raid_id: int
    map_name: str
    character_type: str
    game_mode: str
    start_seconds: float
    end_seconds: float
    outcome: str | None
    extract_location: str | None
    kills: int


class GroundTruthMetadata(_Model):
    """The rendered video and how it was made."""

    video: str
    container: str
    width: int
    height: int
    fps: float
    vfr: bool
    frame_count: int
    duration_seconds: float
    session_start_time: UtcDatetime
    seed: int
    bitrate: int
    preset: str
    generator: str
    degrade: str = "clean"
    degrade_seed: int = 0


class GroundTruth(_Model):
    """A whole ground-truth file."""

    format: str = FORMAT
    schema_version: int = GROUNDTRUTH_SCHEMA_VERSION
    metadata: GroundTruthMetadata
    classes: list[str]
    frame_times: list[float]
    events: list[Event]
    raids: list[RaidTruth]
    screens: list[ScreenVisit]
    elements: list[ElementTrack]

    @classmethod
    def load(cls, path: str | Path) -> GroundTruth:
        """Read a ground-truth file.

        Raises:
            InputError: It is missing or not a synthetic session's ground truth.
        """
        source = Path(path)
        try:
            text = source.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(
                f"cannot read the ground truth ({exc.strerror})",
                subject=source,
                hint="render the session with `framewise synth` first",
            ) from None
        try:
            return cls.model_validate_json(text)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise InputError(
                f"not a synthetic ground truth ({where}: {first['msg']})",
                subject=source,
                hint="pass the .groundtruth.json that `framewise synth` wrote",
            ) from None

    def boxes_at(self, frames: Sequence[int]) -> dict[int, list[Labelled]]:
        """The labelled boxes of each of ``frames`` (every frame gets a list, maybe empty)."""
        wanted = sorted(set(frames))
        found: dict[int, list[Labelled]] = {f: [] for f in wanted}
        for track in self.elements:
            for span in track.spans:
                lo = bisect.bisect_left(wanted, span.first_frame)
                hi = bisect.bisect_right(wanted, span.last_frame)
                for frame in wanted[lo:hi]:
                    found[frame].append(Labelled(track.cls, span.box, track.key))
        return found

    def spans_at(self, frames: Sequence[int]) -> dict[int, list[tuple[ElementTrack, Span]]]:
        """The elements each of ``frames`` shows, with the span (box and text lines) it is in."""
        wanted = sorted(set(frames))
        found: dict[int, list[tuple[ElementTrack, Span]]] = {f: [] for f in wanted}
        for track in self.elements:
            for span in track.spans:
                lo = bisect.bisect_left(wanted, span.first_frame)
                hi = bisect.bisect_right(wanted, span.last_frame)
                for frame in wanted[lo:hi]:
                    found[frame].append((track, span))
        return found

    def frame_at(self, seconds: float) -> int:
        """Index of the frame on screen at ``seconds`` (the last one starting at or before it)."""
        return max(0, bisect.bisect_right(self.frame_times, seconds + 1e-6) - 1)


@dataclass(frozen=True)
class Labelled:
    """A class and a box in one frame."""

    cls: str
    box: tuple[int, int, int, int]
    key: str


class SpanRecorder:
    """Turns the elements drawn in each frame into tracks of constant-box spans."""

    def __init__(self) -> None:
        self._tracks: dict[str, ElementTrack] = {}
        self._open: dict[str, Span] = {}

    def add(self, index: int, elements: Iterable[Element]) -> None:
        """Record the elements drawn in frame ``index`` (frames come in order)."""
        seen = set()
        for element in elements:
            seen.add(element.key)
            track = self._tracks.get(element.key)
            if track is None:
                track = ElementTrack(
                    key=element.key, cls=element.cls, text=element.text, fields=element.fields
                )
                self._tracks[element.key] = track
            lines = [TextLine(text=t, box=b) for t, b in element.lines]
            span = self._open.get(element.key)
            if (
                span is not None
                and span.box == element.box
                and span.lines == lines
                and span.last_frame == index - 1
            ):
                span.last_frame = index
                continue
            if span is not None:
                track.spans.append(span)
            self._open[element.key] = Span(
                first_frame=index, last_frame=index, box=element.box, lines=lines
            )
        for key in [k for k in self._open if k not in seen]:
            self._tracks[key].spans.append(self._open.pop(key))

    def finish(self) -> list[ElementTrack]:
        """Close the open spans; the tracks in order of first appearance."""
        for key, span in self._open.items():
            self._tracks[key].spans.append(span)
        self._open.clear()
        return list(self._tracks.values())
