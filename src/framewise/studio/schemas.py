"""The studio API's request bodies and answers (published in its OpenAPI document)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

DetectorType = Literal["pose", "hands", "yolo", "fusion"]
JobStateName = Literal["queued", "running", "done", "failed"]


class Strict(BaseModel):
    """A request body: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


class JobOut(BaseModel):
    """A job: what it does, where it is, how it ended."""

    id: str
    kind: Literal["extract", "dataset", "train", "predict"]
    state: JobStateName
    progress: float = Field(ge=0, le=1)
    message: str
    error: str | None
    result: dict[str, Any] | None
    depends_on: list[str]
    created: str
    started: str | None
    finished: str | None


class JobList(BaseModel):
    """Jobs, newest first."""

    jobs: list[JobOut]


class VideoOut(BaseModel):
    """An uploaded video."""

    id: str
    filename: str
    size_bytes: int
    duration: float
    fps: float
    width: int
    height: int
    url: str
    feature_file: str | None
    feature_files: list[str]
    label_file: str | None
    created: str


class VideoList(BaseModel):
    """Uploaded videos, newest first."""

    videos: list[VideoOut]


class ExtractQueued(BaseModel):
    """An upload (or extraction request) answered: the job and the feature file it makes."""

    status: JobStateName
    job_id: str | None
    video_id: str
    filename: str
    duplicate: bool
    feature_file: str
    feature_name: str
    label_file: str | None
    video: VideoOut


class FeatureOut(BaseModel):
    """A feature table."""

    filename: str
    path: str
    video_id: str | None
    size_bytes: int
    frames: int
    duration: float
    labelled: int
    label_counts: dict[str, int]
    params: dict[str, Any]
    created: str


class FeatureList(BaseModel):
    """Feature tables, newest first."""

    features: list[FeatureOut]


class DatasetQueued(BaseModel):
    """A dataset build answered."""

    status: JobStateName
    job_id: str
    dataset_id: str
    dataset_dir: str
    path: str
    depends_on: list[str]


class DatasetOut(BaseModel):
    """A windowed dataset."""

    dataset_id: str
    dataset_dir: str
    path: str
    classes: list[str]
    feature_files: list[str]
    counts: dict[str, dict[str, int]]
    window: dict[str, Any]
    extract: dict[str, Any]
    created: str


class DatasetList(BaseModel):
    """Datasets, newest first."""

    datasets: list[DatasetOut]


class ModelQueued(BaseModel):
    """A training answered."""

    status: JobStateName
    job_id: str
    model_id: str
    name: str
    path: str
    depends_on: list[str]


class ModelOut(BaseModel):
    """A trained model."""

    model_config = ConfigDict(protected_namespaces=())

    model_id: str
    name: str
    path: str
    model_type: str
    dataset_dir: str
    classes: list[str]
    extract: dict[str, Any]
    val: dict[str, float]
    test: dict[str, float]
    created: str


class ModelList(BaseModel):
    """Models, newest first."""

    models: list[ModelOut]


class Deleted(BaseModel):
    """What a DELETE removed (relative to the data root)."""

    deleted: str


class Span(Strict):
    """A labelled time span ``[start, end)`` in video seconds."""

    start: float = Field(ge=0, allow_inf_nan=False)
    end: float = Field(gt=0, allow_inf_nan=False)
    label: str = Field(min_length=1, max_length=64, pattern=r"^[^,\r\n\"]*[^,\r\n\"\s][^,\r\n\"]*$")


class LabelsIn(Strict):
    """The labels of a video, as time spans."""

    spans: list[Span] = Field(max_length=10_000)


class LabelsOut(BaseModel):
    """A video's labels as time spans, and the label file they are in."""

    video_id: str
    label_file: str | None
    spans: list[dict[str, Any]]
    labels: list[str]


class ExtractIn(Strict):
    """Extract a video's features again (with its current labels)."""

    detector_type: DetectorType = "fusion"
    sample_rate: int | None = Field(default=None, ge=1, le=10_000)
    sample_fps: float | None = Field(default=None, gt=0, le=1000, allow_inf_nan=False)


class PredictIn(Strict):
    """Run a model over an uploaded video."""

    video_id: str = Field(min_length=1, max_length=64)
    smoothing: Literal["ema", "median"] = "ema"
    hold: int = Field(default=2, ge=1, le=100)


class PredictQueued(BaseModel):
    """A prediction answered."""

    model_config = ConfigDict(protected_namespaces=())

    status: JobStateName
    job_id: str
    model_id: str
    video_id: str


class UncertainSpan(BaseModel):
    """A span to relabel first."""

    start: float
    end: float
    reason: Literal["low_confidence", "flicker"]
    score: float


class PredictionsOut(BaseModel):
    """A model's predictions on a video, its segments, and the spans it was least sure of."""

    model_config = ConfigDict(protected_namespaces=())

    video_id: str
    model_id: str
    classes: list[str]
    predictions: list[dict[str, Any]]
    segments: list[dict[str, Any]]
    uncertain: list[UncertainSpan]


class InfoOut(BaseModel):
    """What this server offers."""

    version: str
    token_required: bool
    max_upload_bytes: int
    detectors: list[str]
    default_sample_fps: float
    model_types: list[str]
