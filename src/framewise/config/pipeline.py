"""The pipeline configuration: source → detectors → temporal filters → state machine → sinks.

Each detector, filter and sink is one branch of a ``kind`` union, with an explicit registry
(kind → model) for the code that builds the stages.

Example:
    >>> cfg = PipelineConfig.model_validate(
    ...     {"detectors": [{"kind": "yolo_onnx", "model": "m.onnx"}],
    ...      "filters": [{"kind": "episode", "classes": ["kill_notification"]}],
    ...      "sinks": [{"kind": "json_log", "output_dir": "out"}]}
    ... )
    >>> cfg.source.detection_fps, cfg.filters[0].confirm.hits
    (10.0, 3)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator

from framewise.config.base import AnySourceConfig, ConfigPath, FileSourceConfig, StrictModel
from framewise.config.detectors import DetectorConfig, detector_name
from framewise.config.loader import load_config


class ConfirmSettings(StrictModel):
    """N-hit confirmation measured in seconds.

    Attributes:
        hits: Hits needed before a track counts (the seed's default 3).
        period_seconds: The sampling period the hits are counted in: a track is confirmed
            when ``hits`` hits fall within ``hits`` periods. ``None`` uses the source's
            sample period (batch) — a live runner passes the frame interval instead. At
            least 1 ms, the period of the highest ``detection_fps`` (1000): a shorter one
            (``1e-300``) confirms nothing by time.
    """

    hits: int = Field(default=3, ge=1, le=1000)
    period_seconds: float | None = Field(default=None, ge=0.001)


class TrackingSettings(StrictModel):
    """How observations are tied to tracks from one frame to the next.

    Attributes:
        iou: Smallest IoU that continues a track in place.
        max_shift: How far (in box heights) a box with the same fields may move vertically
            and still be the same track (a kill-feed entry pushed down by a newer one).
        match_fields: Use parsed fields to tell identical-looking boxes apart.
        split_after: Frames in a row that must read the same new text in place before the
            track is split into a new one (a notification replaced in its row); fewer are
            misreads and are outvoted. 0 never splits.
        max_misread: A box whose read fields differ from its track's in more than this many
            fields is another notification, never a misread: it starts a track of its own.
        split_gap_seconds: A box that reads other text than its track after being unseen for
            longer than this is a new notification in the same place, not a misread: the
            track is split at once. 0 leaves every change of text to ``split_after``.
        duplicate_overlap: Two boxes of one class in one frame that overlap this much (the
            intersection over the smaller box) are one object that the detector boxed twice;
            the weaker is dropped. Rows of a feed barely overlap. 0 keeps every box.
    """

    iou: float = Field(default=0.3, gt=0, le=1)
    max_shift: float = Field(default=3.0, ge=0)
    match_fields: bool = True
    split_after: int = Field(default=5, ge=0, le=1000)
    max_misread: int = Field(default=1, ge=0, le=100)
    split_gap_seconds: float = Field(default=0.5, ge=0)
    duplicate_overlap: float = Field(default=0.5, ge=0, le=1)


class EpisodeFilterConfig(StrictModel):
    """Turn per-frame observations of some classes into episodes.

    Attributes:
        kind: ``episode``.
        classes: Classes this rule handles; an empty list handles every class that no
            other rule names.
        min_confidence: Observations below this score are ignored.
        confirm: N-hit confirmation.
        hold_seconds: Hysteresis: a track stays visible until unseen for this long.
        min_duration_seconds: Episodes shorter than this (first to last hit) are dropped.
        tracking: Track matching.
    """

    kind: Literal["episode"]
    classes: list[str] = Field(default_factory=list)
    min_confidence: float = Field(default=0.0, ge=0, le=1)
    confirm: ConfirmSettings = Field(default_factory=ConfirmSettings)
    hold_seconds: float = Field(default=1.0, ge=0)
    min_duration_seconds: float = Field(default=0.0, ge=0)
    tracking: TrackingSettings = Field(default_factory=TrackingSettings)


FilterConfig = Annotated[EpisodeFilterConfig, Field(discriminator="kind")]
"""One temporal filter; the ``kind`` key picks the branch."""


class JsonLogSinkConfig(StrictModel):
    """The JSON event log (seed W0 format) with a JPEG thumbnail per event.

    Attributes:
        kind: ``json_log``.
        output_dir: Where run folders go when the command line gives no ``--output``
            (``OUTPUT/<video name>/events.json``).
        thumbnails: Write a JPEG per event.
        jpeg_quality: JPEG quality, 1–100.
        thumbnail_max_side: Longest thumbnail side in pixels (``None`` keeps full size).
    """

    kind: Literal["json_log"]
    output_dir: Path = Path("events")
    thumbnails: bool = True
    jpeg_quality: int = Field(default=85, ge=1, le=100)
    thumbnail_max_side: int | None = Field(default=640, ge=16)


class WebSocketSinkConfig(StrictModel):
    """Broadcast events to WebSocket clients (live mode).

    Attributes:
        kind: ``websocket``.
        host: Interface to listen on.
        port: TCP port.
        path: URL path clients connect to.
        queue_size: Events buffered per slow client before it is dropped.
    """

    kind: Literal["websocket"]
    host: str = "127.0.0.1"
    port: int = Field(default=8765, ge=1, le=65535)
    path: str = Field(default="/events", pattern=r"^/")
    queue_size: int = Field(default=1000, ge=1)


class StoreSinkConfig(StrictModel):
    """Send events to the event store's REST API.

    Attributes:
        kind: ``store``.
        api_url: Base URL of the store API, e.g. ``http://127.0.0.1:8000``.
        token: Bearer token written in the file (prefer ``token_env``).
        token_env: Name of an environment variable holding the token.
        timeout_seconds: Per-request timeout.
        retries: Attempts after the first on a network error or 5xx.
    """

    kind: Literal["store"]
    api_url: str = Field(pattern=r"^https?://\S+$")
    token: SecretStr | None = None
    token_env: str | None = None
    timeout_seconds: float = Field(default=10.0, gt=0)
    retries: int = Field(default=3, ge=0, le=100)

    @model_validator(mode="after")
    def _one_token_source(self) -> StoreSinkConfig:
        if self.token is not None and self.token_env is not None:
            raise ValueError("give either token or token_env, not both")
        return self

    def resolved_token(self) -> str | None:
        """The token from the file or from ``token_env`` (``None`` when neither is set)."""
        if self.token is not None:
            return self.token.get_secret_value()
        if self.token_env is not None:
            return os.environ.get(self.token_env)
        return None


class JournalSinkConfig(StrictModel):
    """The detection journal: every frame's detections, the checkpoint a resume replays.

    Batch runs always keep one; a live run keeps one when given an output folder.

    Attributes:
        kind: ``journal``.
    """

    kind: Literal["journal"]


class ParquetSinkConfig(StrictModel):
    """Every detection as a row of a Parquet table (pandas, polars, DuckDB read it).

    Columns: ``source_id, frame_index, seconds, class_id, class_name, confidence, x1, y1,
    x2, y2, text``. The file appears when the run completes (written to a temporary name
    first); a resumed run writes it whole again from the journal.

    Attributes:
        kind: ``parquet``.
        path: File name inside the run folder.
        row_group_frames: Frames per Parquet row group (memory bound while writing).
    """

    kind: Literal["parquet"]
    path: str = Field(default="detections.parquet", pattern=r"^[^/\\]+\.parquet$")
    row_group_frames: int = Field(default=10_000, ge=1)


class AnnotationsSinkConfig(StrictModel):
    """Annotation output (W3): ``annotations.json`` + embeddings Parquet + COCO RLE masks.

    Written whole when the run ends (a resumed run from its journal); see
    :mod:`framewise.events.annotations` for the format.

    Attributes:
        kind: ``annotations``.
    """

    kind: Literal["annotations"]


SinkConfig = Annotated[
    JsonLogSinkConfig
    | WebSocketSinkConfig
    | StoreSinkConfig
    | JournalSinkConfig
    | ParquetSinkConfig
    | AnnotationsSinkConfig,
    Field(discriminator="kind"),
]
"""One sink; the ``kind`` key picks the branch."""

FILTER_CONFIGS: Mapping[str, type[StrictModel]] = MappingProxyType({"episode": EpisodeFilterConfig})
"""Registry: filter kind → its configuration model."""

SINK_CONFIGS: Mapping[str, type[StrictModel]] = MappingProxyType(
    {
        "json_log": JsonLogSinkConfig,
        "websocket": WebSocketSinkConfig,
        "store": StoreSinkConfig,
        "journal": JournalSinkConfig,
        "parquet": ParquetSinkConfig,
        "annotations": AnnotationsSinkConfig,
    }
)
"""Registry: sink kind → its configuration model."""


class FootageCheckConfig(StrictModel):
    """What footage made for this pipeline looks like, so a run on other footage says so.

    A model run on pictures it was not trained for still finds things now and then, and a
    state machine still moves: the events look plausible and are wrong. Footage the pipeline
    was made for shows something its stages know in most sampled frames, and its state
    machine rarely meets a transition its table forbids.

    Attributes:
        confident: A score the model gives what it knows on its own footage.
        min_coverage: Least share of sampled frames with a detection scored ``confident`` or
            more (a model finds things in any picture, but scores them low).
        max_anomaly_share: Largest share of state changes the table refused (``anomaly``
            events among ``anomaly`` + ``state_transition`` events).
        min_frames: Runs shorter than this many sampled frames are not judged.
    """

    confident: float = Field(default=0.7, ge=0, le=1)
    min_coverage: float = Field(default=0.5, ge=0, le=1)
    max_anomaly_share: float = Field(default=0.34, ge=0, le=1)
    min_frames: int = Field(default=10, ge=1)


class StrategyConfig(StrictModel):
    """How a batch run reads a file: every sampled frame, or coarse-to-fine.

    ``coarse-to-fine`` runs the detectors on the keyframes first; only where the boxes found
    change between two keyframes (a class, a count, a box that moved), where a
    ``dense_classes`` class is present, or where keyframes are more than
    ``max_keyframe_gap_seconds`` apart, are the frames at ``detection_fps`` decoded (plus
    ``margin_seconds`` each side). Elsewhere the temporal logic gets the nearer keyframe's
    results again at every ``detection_fps`` tick, so its rules (which count in seconds) see
    the same stream a dense run shows them.

    Attributes:
        kind: ``dense`` (every sampled frame) or ``coarse-to-fine``.
        dense_classes: Classes read densely wherever a keyframe shows them (short-lived
            things whose timing and text matter, e.g. kill-feed entries).
        margin_seconds: Seconds read densely before and after each changed span.
        max_keyframe_gap_seconds: Keyframes farther apart than this are read densely
            between them (a long or irregular GOP could hide a short event between two).
        min_box_iou: Two keyframes are alike only if each box of one overlaps a box of the
            same class in the other this much (things that moved are read densely); 0
            compares the sets of classes only.
    """

    kind: Literal["dense", "coarse-to-fine"] = "dense"
    dense_classes: list[str] = Field(default_factory=list)
    margin_seconds: float = Field(default=0.5, ge=0, le=10)
    max_keyframe_gap_seconds: float = Field(default=2.5, gt=0, le=60)
    min_box_iou: float = Field(default=0.5, ge=0, le=1)

    @model_validator(mode="before")
    @classmethod
    def _kind_alone(cls, value: object) -> object:
        # `strategy: coarse-to-fine` is the short spelling of `strategy: {kind: ...}`.
        return {"kind": value} if isinstance(value, str) else value


class PipelineConfig(StrictModel):
    """A whole pipeline, as one YAML file describes it.

    Attributes:
        name: A label for logs and run folders.
        profile: The profile whose hooks (live messages, tally, review fields) the run uses;
            ``generic`` for none; unset: the bundled game profile's, as before profiles had
            code.
        source: Frame reading.
        detectors: Detectors, run in order (OCR reads boxes found by earlier detectors).
        filters: Temporal filters turning observations into episodes.
        state_machine: The state/transition table (YAML), relative to this file.
        sinks: Where events go.
        expect: What footage made for this pipeline looks like; a run on footage that falls
            short warns (and says so in the log's metadata).
        strategy: How a batch run reads a file (dense, or coarse-to-fine).
    """

    name: str = "pipeline"
    profile: str | None = None
    source: AnySourceConfig = Field(default_factory=FileSourceConfig)
    detectors: list[DetectorConfig] = Field(min_length=1)
    filters: list[FilterConfig] = Field(default_factory=list)
    state_machine: ConfigPath | None = None
    sinks: list[SinkConfig] = Field(default_factory=list)
    expect: FootageCheckConfig | None = None
    strategy: StrategyConfig = Field(default_factory=StrategyConfig)

    @field_validator("state_machine")
    @classmethod
    def _yaml_or_json(cls, value: Path | None) -> Path | None:
        if value is not None and value.suffix.lower() not in {".yaml", ".yml", ".json"}:
            raise ValueError(f"state_machine must be a .yaml or .json file, got {value.name!r}")
        return value

    @model_validator(mode="after")
    def _cross_checks(self) -> PipelineConfig:
        names = [detector_name(d) for d in self.detectors]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"detector names repeat: {repeated}; give each a distinct name")
        claimed: set[str] = set()
        catch_all = 0
        for rule in self.filters:
            catch_all += not rule.classes
            twice = sorted(claimed & set(rule.classes))
            if twice:
                raise ValueError(f"classes {twice} appear in two filters; keep one rule per class")
            claimed |= set(rule.classes)
        if catch_all > 1:
            raise ValueError("only one filter may leave classes empty (the catch-all rule)")
        return self

    def period_seconds(self, rule: EpisodeFilterConfig) -> float:
        """The confirmation period of ``rule``: its own, else the source's sample period."""
        return rule.confirm.period_seconds or self.source.sample_period_seconds


def load_pipeline(path: str | Path) -> PipelineConfig:
    """Load a pipeline YAML/JSON file; relative paths in it are taken from its folder.

    Raises:
        ConfigError: The file is missing or invalid; the message names the file and line.
    """
    return load_config(path, PipelineConfig)
