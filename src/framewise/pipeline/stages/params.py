"""The built-in stage kinds of the video-classification workflow (W4) and their registry.

Each kind is one params class and one :data:`STAGE_PARAMS` entry; its ``factory`` names the
implementation, imported only when the stage runs (so the classification and video-network
kinds need their extras only when they are used)::

    index            folder or zip archives + labels CSV → video_index with probe facts
    augment          N seeded spatial/temporal augmentations per video (MP4 through PyAV)
    features         handcrafted features over frames sampled by time
    scale            letterbox every clip to a target max side (flags up/down-scaling)
    scaled_features  the handcrafted features again on scaled clips, plus scale-aware ones
    train            k-fold training grouped by original video, metrics, report, leakage audit
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import ClassVar, Literal, get_args

from pydantic import Field, model_validator

from framewise.config.base import ConfigPath
from framewise.pipeline.stages.base import StageParams

Augmentation = Literal[
    "rotation",
    "flip",
    "brightness",
    "contrast",
    "saturation",
    "noise",
    "blur",
    "affine",
    "cutout",
    "frame_drop",
    "frame_duplicate",
    "reverse",
]

AUGMENTATIONS: tuple[Augmentation, ...] = get_args(Augmentation)
"""Every augmentation the augment stage knows (spatial first, then temporal)."""


ModelName = Literal[
    "logistic_regression_stage2",
    "logistic_regression_stage2_stage4",
    "svm_stage2",
    "svm_stage2_stage4",
    "gradient_boosting",
    "cnn3d_tiny",
    "r3d_18",
]


class IndexParams(StageParams):
    """Stage 0: videos (a folder, a zip, or a folder of zips) and their labels.

    Attributes:
        videos: A folder of videos and/or ``.zip`` archives, or one archive.
        labels: CSV with a path column (file name or path relative to ``videos``/inside
            the archive), a label column and optionally a group column (the original video;
            default: the file itself).
        password_env: Name of the environment variable holding the archives' password
            (ZipCrypto); the password itself is never written into the run folder.
    """

    kind: Literal["index"] = "index"
    videos: ConfigPath
    labels: ConfigPath
    path_column: str = "path"
    label_column: str = "label"
    group_column: str | None = "group"
    password_env: str | None = None
    factory: ClassVar[str] = "framewise.pipeline.stages.index:IndexStage"


class AugmentParams(StageParams):
    """Stage 1: ``count`` seeded augmentations per video, one kind each, cycling ``kinds``.

    Attributes:
        count: Augmented copies per video.
        kinds: The augmentations to draw from.
        keep_original: Also emit the original as a row (augmentation ``none``).
        max_seconds: Only the first seconds of each video are kept (``None``: all).
        crf: x264 quality of the written clips (lower is better).
    """

    kind: Literal["augment"] = "augment"
    count: int = Field(default=4, ge=0)
    kinds: tuple[Augmentation, ...] = Field(default=AUGMENTATIONS, min_length=1)
    keep_original: bool = True
    max_seconds: float | None = Field(default=None, gt=0)
    crf: int = Field(default=20, ge=0, le=51)
    factory: ClassVar[str] = "framewise.datasets.augment_stage:AugmentStage"


class FeaturesParams(StageParams):
    """Stage 2: the 15 handcrafted features over ``frames`` frames sampled by time."""

    kind: Literal["features"] = "features"
    frames: int = Field(default=6, ge=1)
    factory: ClassVar[str] = "framewise.pipeline.stages.feature_stages:FeaturesStage"


class ScaleParams(StageParams):
    """Stage 3: letterbox every clip to ``target`` pixels on its longer side (bilinear).

    ``method: autoencoder`` also passes every letterboxed frame through the user's VAE
    (``vae``: a local diffusers ``AutoencoderKL`` folder; nothing is downloaded).
    """

    kind: Literal["scale"] = "scale"
    target: int = Field(default=256, ge=16)
    method: Literal["resolution", "autoencoder"] = "resolution"
    vae: ConfigPath | None = None
    vae_device: str = "cpu"
    vae_batch: int = Field(default=8, ge=1)
    crf: int = Field(default=20, ge=0, le=51)
    factory: ClassVar[str] = "framewise.pipeline.stages.scale:ScaleStage"

    @model_validator(mode="after")
    def _vae_given(self) -> ScaleParams:
        if self.method == "autoencoder" and self.vae is None:
            raise ValueError("method autoencoder needs `vae:`, a folder holding the user's VAE")
        return self


class ScaledFeaturesParams(StageParams):
    """Stage 4: the handcrafted features on scaled clips plus scale-aware ones and flags."""

    kind: Literal["scaled_features"] = "scaled_features"
    frames: int = Field(default=6, ge=1)
    factory: ClassVar[str] = "framewise.pipeline.stages.feature_stages:ScaledFeaturesStage"


class TrainParams(StageParams):
    """Stage 5: stratified k-fold grouped by original video, per model; report and audit.

    Attributes:
        folds: Folds (``StratifiedGroupKFold``); at most the number of groups per class.
        models: The models to train and compare.
        epochs: Epochs of the video networks.
        clip_frames: Frames per clip fed to the video networks.
        clip_size: Side of the square frames fed to the video networks.
        device: ``cpu`` or ``cuda``.
        checkpoint: A local ``.pt`` state dict to start ``r3d_18`` from (never downloaded).
    """

    kind: Literal["train"] = "train"
    folds: int = Field(default=5, ge=2)
    models: tuple[ModelName, ...] = Field(
        default=("logistic_regression_stage2", "svm_stage2_stage4", "gradient_boosting"),
        min_length=1,
    )
    epochs: int = Field(default=3, ge=1)
    clip_frames: int = Field(default=8, ge=2)
    clip_size: int = Field(default=64, ge=16)
    batch_size: int = Field(default=4, ge=1)
    device: str = "cpu"
    checkpoint: ConfigPath | None = None
    factory: ClassVar[str] = "framewise.training.classify_stage:TrainStage"


STAGE_PARAMS: Mapping[str, type[StageParams]] = MappingProxyType(
    {
        "index": IndexParams,
        "augment": AugmentParams,
        "features": FeaturesParams,
        "scale": ScaleParams,
        "scaled_features": ScaledFeaturesParams,
        "train": TrainParams,
    }
)
"""Registry: stage kind → its params model (which names its implementation)."""
