"""Shared pieces of the configuration models: the strict base model, paths and the source.

Every model forbids unknown keys, so a misspelt key is an error with its YAML line rather
than a silently ignored setting. Relative paths (model files, the state machine table) are
resolved against the folder of the file they were written in, which the loader passes in
the validation context as ``base_dir``; a profile can then ship its model next to its YAML.

Example:
    >>> SourceConfig.model_validate({"detection_fps": 5}).batch_size
    8
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo

BASE_DIR_KEY = "base_dir"
"""Validation-context key holding the folder that relative paths are resolved against."""


class StrictModel(BaseModel):
    """Base of every configuration model: unknown keys are errors, instances are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


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
    """

    skip_frame: SkipFrame = "DEFAULT"
    skip_loop_filter: SkipFrame = "DEFAULT"
    threads: int = Field(default=0, ge=0, le=64)


class SourceConfig(StrictModel):
    """How frames are read and handed to the detectors.

    Attributes:
        detection_fps: Frames per second of video time sent to the detectors.
        batch_size: Frames per detector call.
        read: ``sampled`` (by time at ``detection_fps``), ``keyframes`` (keyframes only, a
            coarse fast scan) or ``all`` (every frame).
        queue_size: Batches held between the decode thread and inference (memory bound).
        decode: Decoder options.
    """

    detection_fps: float = Field(default=10.0, gt=0, le=1000)
    batch_size: int = Field(default=8, ge=1, le=1024)
    read: Literal["sampled", "keyframes", "all"] = "sampled"
    queue_size: int = Field(default=2, ge=1, le=1024)
    decode: DecodeOptions = Field(default_factory=DecodeOptions)

    @property
    def sample_period_seconds(self) -> float:
        """Seconds between two sampled frames (the batch-mode confirmation period)."""
        return 1.0 / self.detection_fps
