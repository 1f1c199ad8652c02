"""Shared pieces of the configuration models: the strict base model, paths and the sources.

Every model forbids unknown keys, so a misspelt key is an error with its YAML line rather
than a silently ignored setting. Relative paths (model files, the state machine table) are
resolved against the folder of the file they were written in, which the loader passes in
the validation context as ``base_dir``; a profile can then ship its model next to its YAML.

Example:
    >>> SourceConfig.model_validate({"detection_fps": 5}).batch_size
    8
    >>> SourceConfig(kind="images").concrete().fps
    30.0
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Annotated, Literal, TypeAlias, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from framewise.core.errors import ConfigError

BASE_DIR_KEY = "base_dir"
"""Validation-context key holding the folder that relative paths are resolved against."""


class StrictModel(BaseModel):
    """Base of every configuration model: unknown keys are errors, instances are frozen.

    Every number is finite: YAML's ``.inf``/``.nan`` (or ``1e999``) would otherwise pass
    ``gt=0``-style bounds and fail later, deep in the pipeline, with a traceback.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def _resolve_path(value: Path, info: ValidationInfo) -> Path:
    """Make ``value`` absolute against the config file's folder (when there is one)."""
    value = value.expanduser()
    context = info.context if isinstance(info.context, dict) else {}
    base_dir = context.get(BASE_DIR_KEY)
    if value.is_absolute() or base_dir is None:
        return value
    return Path(base_dir) / value


ConfigPath = Annotated[Path, AfterValidator(_resolve_path)]
"""A path that is relative to the configuration file it was written in."""


def _check_provider(value: str) -> str:
    # ONNX Runtime names every provider "<Name>ExecutionProvider"; a short name such as
    # "CUDA" is the commonest slip, so catch it here with the spelling in the message.
    if not value.endswith("ExecutionProvider"):
        raise ValueError(
            f"{value!r} is not an ONNX Runtime provider name; write e.g. "
            f"'{value}ExecutionProvider' or 'CPUExecutionProvider'"
        )
    return value


ExecutionProvider = Annotated[str, AfterValidator(_check_provider)]
"""An ONNX Runtime execution provider name such as ``CUDAExecutionProvider``."""

SkipFrame = Literal["NONE", "DEFAULT", "NONREF", "BIDIR", "NONINTRA", "NONKEY", "ALL"]
"""FFmpeg's discard levels, as PyAV's ``skip_frame`` / ``skip_loop_filter`` accept them."""


class DecodeOptions(StrictModel):
    """Decoder settings that skip work analytics does not need.

    Attributes:
        skip_frame: Frames the decoder may drop. ``NONREF`` drops non-reference B-frames
            (0.64× decode time on x264 footage, and 10 fps sampling still finds a frame in
            every 100 ms slot).
        skip_loop_filter: Skip the deblocking filter (``ALL``: 0.51× with ``NONREF``).
        threads: Decoder threads; 0 lets FFmpeg choose.
        hwaccel: Decode on this kind of device (``cuda``, ``vaapi``, ``qsv``, ...: PyAV's
            ``hwdevices_available()``); where the FFmpeg build or the machine has none, the
            file is decoded on the CPU and a warning says so.
    """

    skip_frame: SkipFrame = "DEFAULT"
    skip_loop_filter: SkipFrame = "DEFAULT"
    threads: int = Field(default=0, ge=0, le=64)
    # Speed, not results: the same frames come back (as with threads).
    hwaccel: str | None = Field(
        default=None, pattern=r"^[a-z0-9_]+$", json_schema_extra={"speed_only": True}
    )


class SourceConfig(StrictModel):
    """How frames are read and handed to the detectors: the settings every source kind shares.

    ``source:`` in a pipeline YAML is one of the kinds in :data:`SOURCE_CONFIGS`, picked by
    its ``kind`` key. Without one it is ``file``: the file given on the command line, as
    every ``source:`` written before kinds existed means. Validated alone (``--source-json``)
    this model holds just the shared settings; :meth:`with_kind` completes it.

    Attributes:
        kind: The source kind (a key of :data:`SOURCE_CONFIGS`).
        detection_fps: Frames per second of video time sent to the detectors.
        batch_size: Frames per detector call.
        read: ``sampled`` (by time at ``detection_fps``), ``keyframes`` (keyframes only, a
            coarse fast scan) or ``all`` (every frame).
        queue_size: Batches held between the decode thread and inference (memory bound).
        decode: Decoder options.
    """

    kind: str = "file"
    detection_fps: float = Field(default=10.0, gt=0, le=1000)
    # Speed, not results: a run resumed at another batch size is the same run (rundir).
    batch_size: int = Field(default=8, ge=1, le=1024, json_schema_extra={"speed_only": True})
    read: Literal["sampled", "keyframes", "all"] = "sampled"
    queue_size: int = Field(default=2, ge=1, le=1024)
    decode: DecodeOptions = Field(default_factory=DecodeOptions)

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        if value not in SOURCE_CONFIGS:
            raise ValueError(
                f"unknown source kind {value!r}; set kind to one of: {', '.join(SOURCE_CONFIGS)}"
            )
        return value

    @property
    def sample_period_seconds(self) -> float:
        """Seconds between two sampled frames (the batch-mode confirmation period)."""
        return 1.0 / self.detection_fps

    @property
    def sample_fps(self) -> float | None:
        """Frames per second a source keeps, chosen by time; ``None`` keeps every frame."""
        return None if self.read == "all" else self.detection_fps

    def with_kind(self, kind: str, **options: object) -> SourceConfig:
        """These shared settings as a ``kind`` source with ``options`` (its own keys).

        Example:
            >>> SourceConfig(detection_fps=5).with_kind("replay", speed=2.0).speed
            2.0

        Raises:
            ConfigError: ``kind`` is unknown, or ``options`` do not fit it.
        """
        model = SOURCE_CONFIGS.get(kind)
        if model is None:
            raise ConfigError(
                f"unknown source kind {kind!r}",
                subject="source.kind",
                hint=f"use one of: {', '.join(SOURCE_CONFIGS)}",
            )
        shared = self.model_dump(include=set(SourceConfig.model_fields) - {"kind"})
        try:
            return model.model_validate({**shared, **options, "kind": kind})
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"][1:] or first["loc"])
            raise ConfigError(
                f"{where}: {first['msg']}",
                subject=f"source ({kind})",
                hint=f"fix the {kind} source's settings",
            ) from None

    def concrete(self) -> SourceConfig:
        """This config as its kind's own model (a bare :class:`SourceConfig` is completed)."""
        return self if type(self) is not SourceConfig else self.with_kind(self.kind)


Size = tuple[Annotated[int, Field(ge=1)], Annotated[int, Field(ge=1)]]
"""``(width, height)`` in pixels."""


class FileSourceConfig(SourceConfig):
    """One video file (the default kind).

    Attributes:
        kind: ``file``.
        path: The video; usually given on the command line instead (which wins).
    """

    kind: Literal["file"] = "file"
    path: ConfigPath | None = None


class FolderSourceConfig(SourceConfig):
    """Every video in a folder, one after another, in session-start order.

    Attributes:
        kind: ``folder``.
        path: The folder; usually given on the command line instead (which wins).
        recursive: Include sub-folders.
    """

    kind: Literal["folder"]
    path: ConfigPath | None = None
    recursive: bool = False


class ImageFolderSourceConfig(SourceConfig):
    """A folder of still images (jpg, png, bmp, webp) as frames, in natural name order.

    Attributes:
        kind: ``images``.
        path: The folder; the command line's path wins.
        fps: The rate the images were taken at: image ``i`` is at ``i / fps`` seconds.
        timestamps: A CSV of ``file,seconds`` rows giving each image's time instead.
    """

    kind: Literal["images"]
    path: ConfigPath | None = None
    fps: float = Field(default=30.0, gt=0, le=100_000)
    timestamps: ConfigPath | None = None


class LiveSourceConfig(SourceConfig):
    """Settings shared by capture devices and network streams (not a kind itself).

    Attributes:
        reconnect: Reopen the source when it ends or fails.
        max_reconnect_wait_s: Give up after this long without a frame.
        max_backoff_s: Longest wait between two reconnect attempts.
        open_timeout_s: Longest wait for each step of a connection attempt.
        read_timeout_s: Longest wait for data on an open connection.
        size: ``(width, height)`` to scale frames to (and to ask a device for).
        backend: ``auto`` (OpenCV for devices, PyAV for URLs), or force one.
    """

    reconnect: bool = True
    max_reconnect_wait_s: float = Field(default=30.0, gt=0)
    max_backoff_s: float = Field(default=5.0, gt=0)
    open_timeout_s: float = Field(default=10.0, gt=0)
    read_timeout_s: float = Field(default=5.0, gt=0)
    size: Size | None = None
    backend: Literal["auto", "pyav", "opencv"] = "auto"


class DeviceSourceConfig(LiveSourceConfig):
    """A capture device (webcam, capture card).

    Attributes:
        kind: ``device``.
        device: An index (``0``), a path (``/dev/video0``) or a DirectShow name
            (``video=...``); the command line's wins.
    """

    kind: Literal["device"]
    device: int | str | None = None


class StreamSourceConfig(LiveSourceConfig):
    """A network stream (rtsp, rtmp, srt, udp, tcp, http).

    Attributes:
        kind: ``stream``.
        url: The stream's URL; the command line's wins.
    """

    kind: Literal["stream"]
    url: str | None = None


class ReplaySourceConfig(SourceConfig):
    """A recording played at real-time pace (or ×speed), to try live mode on a file.

    Attributes:
        kind: ``replay``.
        path: The recording; the command line's wins.
        speed: Playback speed (``4.0``: four times faster).
        keep_newest: Drop frames a slow pipeline has not taken, as a live source does.
    """

    kind: Literal["replay"]
    path: ConfigPath | None = None
    speed: float = Field(default=1.0, gt=0, le=1000)
    keep_newest: bool = True


SOURCE_CONFIGS: Mapping[str, type[SourceConfig]] = MappingProxyType(
    {
        "file": FileSourceConfig,
        "folder": FolderSourceConfig,
        "images": ImageFolderSourceConfig,
        "device": DeviceSourceConfig,
        "stream": StreamSourceConfig,
        "replay": ReplaySourceConfig,
    }
)
"""Registry: source kind → its configuration model. A new kind (e.g. a synchronised camera
``group``) is one model here plus one opener in ``framewise.sources.registry.SOURCES``."""


def _file_by_default(value: object) -> object:
    """Give a kind-less ``source:`` (every config written before kinds) the ``file`` kind."""
    if isinstance(value, Mapping) and "kind" not in value:
        return {**value, "kind": "file"}
    if type(value) is SourceConfig:  # the shared settings alone: complete them
        return value.model_dump()
    return value


if TYPE_CHECKING:
    # mypy cannot follow a union built from the registry; to it each branch is a SourceConfig.
    AnySourceConfig: TypeAlias = SourceConfig
else:
    # Built from the registry so that a new kind needs no edit here.
    AnySourceConfig = Annotated[
        Union[tuple(SOURCE_CONFIGS.values())],  # noqa: UP007 - a runtime-built union
        BeforeValidator(_file_by_default),
        Field(discriminator="kind"),
    ]
"""One source; the ``kind`` key picks the branch, ``file`` when it is absent."""
