"""What each kind of job does, in a worker process, with the W2 library.

Every runner writes into its own folder under ``DATA/tmp`` and publishes the finished file
or folder with one rename (:func:`~framewise.studio.paths.publish`), so a killed worker
leaves nothing half-written where the API lists things. Runners take the job's parameters
(JSON, checked by the request that queued it) and a :class:`Progress` to report to.

| kind | library call |
|---|---|
| ``extract`` | :func:`framewise.datasets.task_extract.extract_video` |
| ``dataset`` | :func:`framewise.datasets.windows.build_dataset` |
| ``train`` | :func:`framewise.training.task_run.train_task` |
| ``predict`` | :func:`framewise.datasets.task_predict.predict_video` |
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from framewise.core.atomic import write_json
from framewise.core.jsonfile import read_json
from framewise.studio.catalog import STUDIO_META, feature_info
from framewise.studio.jobs import Job, JobStore
from framewise.studio.paths import DataRoot, publish


@dataclass
class Progress:
    """Reports a running job's progress to the job table, at most every ``every_s``."""

    jobs: JobStore
    job_id: str
    worker: str
    every_s: float = 0.5
    _last: float = 0.0

    def __call__(self, fraction: float, message: str, *, force: bool = False) -> None:
        """Record ``fraction`` (0..1) and ``message`` unless one was recorded just now."""
        moment = time.monotonic()
        if force or moment - self._last >= self.every_s:
            self._last = moment
            self.jobs.progress(self.job_id, self.worker, fraction, message)


@dataclass(frozen=True)
class Outcome:
    """A finished job's result (the API's ``result``) and last message."""

    result: dict[str, Any]
    message: str


Runner = Callable[[DataRoot, Job, Path, Progress], Outcome]


def _extract_settings(params: dict[str, Any]) -> Any:
    from framewise.datasets.task_extract import ExtractSettings

    model = params.get("model")
    return ExtractSettings(
        detector=params["detector"],
        sample_fps=float(params["sample_fps"]),
        sample_rate=params.get("sample_rate"),
        model=Path(model) if model else None,
    )


def relabel(source: Path, output: Path, labels: Any) -> tuple[int, int, int]:
    """Copy a feature table with new labels (no frame is decoded again).

    Only the label column depends on the label file, so a table of the same video and
    settings gets the new labels by frame index or presentation time, as extraction would.

    Returns:
        Frames, frames with a person, frames labelled.
    """
    from framewise.datasets.task_table import read_feature_table, table_params, write_feature_table

    rows = read_feature_table(source).to_pylist()
    for row in rows:
        found = labels.at(frame_index=row["frame_index"], seconds=row["t"]) if labels else None
        row["label"] = found
    write_feature_table(output, rows, table_params(source))
    people = sum(bool(r["pose_present"]) for r in rows)
    return len(rows), people, sum(r["label"] is not None for r in rows)


def run_extract(root: DataRoot, job: Job, work: Path, progress: Progress) -> Outcome:
    """Extract a video's features into ``DATA/features/<name>`` (or relabel a table of it)."""
    from framewise.datasets.task_extract import extract_video
    from framewise.datasets.task_labels import TaskLabels

    params = job.params
    video = root.inside(root.root / params["video"])
    duration = max(float(params["duration"]), 1e-6)
    text = params.get("labels_csv")
    labels = TaskLabels.parse(text, params["label_file"]) if text else None
    settings = _extract_settings(params)

    def on_frame(seconds: float) -> None:
        progress(seconds / duration, f"{settings.detector} {seconds:.1f} / {duration:.1f} s")

    partial = work / params["feature_name"]
    target = root.folder("features") / params["feature_name"]
    source = params.get("relabel_from")
    if source and (root.folder("features") / source).is_file():
        progress(0.1, f"relabelling {source}", force=True)
        frames, people, labelled = relabel(
            root.inside(root.folder("features") / source), partial, labels
        )
        publish(partial, target)
        result = {
            "feature_file": root.relative(target),
            "filename": target.name,
            "video_id": params["video_id"],
            "frames": frames,
            "with_person": people,
            "labelled": labelled,
            "relabelled_from": source,
        }
        return Outcome(result, f"{frames} frames relabelled from {source}, {labelled} labelled")
    found = extract_video(video, partial, settings, labels, force=True, on_frame=on_frame)
    publish(partial, target)
    info = feature_info(root, target.name)
    result = {
        "feature_file": info["path"],
        "filename": target.name,
        "video_id": params["video_id"],
        "frames": found.frames,
        "with_person": found.with_person,
        "labelled": found.labelled,
    }
    message = f"{found.frames} frames, {found.with_person} with a person, {found.labelled} labelled"
    return Outcome(result, message)


def run_dataset(root: DataRoot, job: Job, work: Path, progress: Progress) -> Outcome:
    """Build ``DATA/datasets/dataset_<id>`` from feature tables."""
    from framewise.datasets.task_table import table_params
    from framewise.datasets.windows import WindowSpec, build_dataset

    params = job.params
    tables = [root.inside(root.folder("features") / n) for n in params["feature_files"]]
    spec = dict(params["spec"])
    if spec.get("group_sec") is None and params.get("group_auto"):
        # One or two videos cannot fill three splits whole: cut them into 10-s groups.
        spec["group_sec"] = None if len(tables) >= 3 else 10.0
    progress(0.1, f"cutting windows from {len(tables)} feature file(s)", force=True)
    partial = work / "dataset"
    meta = build_dataset(tables, partial, WindowSpec(**spec))
    extract = table_params(tables[0])
    write_json(
        partial / STUDIO_META,
        {
            "dataset_id": params["dataset_id"],
            "feature_files": params["feature_files"],
            "extract": extract,
        },
    )
    target = root.folder("datasets") / f"dataset_{params['dataset_id']}"
    publish(partial, target)
    counts = meta["counts"]["by_split"]
    sizes = ", ".join(f"{k} {sum(v.values())}" for k, v in counts.items())
    return Outcome(
        {
            "dataset_id": params["dataset_id"],
            "dataset_dir": target.name,
            "path": root.relative(target),
            "classes": sorted(meta["label_map"], key=meta["label_map"].get),
            "counts": counts,
        },
        f"windows: {sizes}",
    )


def run_train(root: DataRoot, job: Job, work: Path, progress: Progress) -> Outcome:
    """Train ``DATA/models/<name>`` on a dataset."""
    from framewise.training.task_run import train_task

    params = job.params
    dataset = root.inside(root.folder("datasets") / params["dataset_dir"])
    partial = work / "run"
    progress(0.05, f"training {params['options']['model']} on {dataset.name}", force=True)
    for steps, line in enumerate(train_task(dataset, partial, params["options"]), 1):
        # train_task yields: the fit, the test split, (cross-validation), the run folder.
        progress(min(0.2 * steps + 0.3, 0.95), line, force=True)
    dataset_meta = read_json(dataset / STUDIO_META, what="dataset facts", hint="build it again")
    write_json(
        partial / STUDIO_META,
        {
            "model_id": params["model_id"],
            "model_type": params["options"]["model"],
            "dataset_dir": dataset.name,
            "options": params["options"],
            "extract": dataset_meta.get("extract", {}),
        },
    )
    target = root.folder("models") / params["name"]
    publish(partial, target)
    metrics = read_json(target / "metrics.json", what="metrics", hint="train again")
    scores = {
        split: {k: metrics[split][k] for k in ("accuracy", "f1_macro")} for split in ("val", "test")
    }
    return Outcome(
        {
            "model_id": params["model_id"],
            "name": target.name,
            "path": root.relative(target),
            "metrics": scores,
        },
        "test accuracy {accuracy:.3f}, F1 macro {f1_macro:.3f}".format(**scores["test"]),
    )


def run_predict(root: DataRoot, job: Job, work: Path, progress: Progress) -> Outcome:
    """Predict a model's tasks over a video into ``DATA/predictions/<model>/<video>.json``."""
    from framewise.datasets.task_predict import predict_video
    from framewise.features.task_live import TaskPrediction

    params = job.params
    model = root.inside(root.folder("models") / params["model_name"])
    video = root.inside(root.root / params["video"])
    duration = max(float(params["duration"]), 1e-6)
    extract = read_json(model / STUDIO_META, what="model facts", hint="train it again")["extract"]
    settings = _extract_settings({**extract, "sample_fps": extract.get("sample_fps", 10.0)})

    def on_prediction(p: TaskPrediction) -> None:
        progress(p.seconds / duration, f"{p.seconds:.1f} / {duration:.1f} s: {p.label}")

    run = predict_video(
        video,
        model,
        settings,
        smoothing=params["smoothing"],
        hold=int(params["hold"]),
        on_prediction=on_prediction,
    )
    card = read_json(model / "metrics.json", what="metrics", hint="train it again")
    payload = {
        "video_id": params["video_id"],
        "model_id": params["model_id"],
        "classes": card.get("classes", []),
        "predictions": [
            {
                "t": round(p.seconds, 6),
                "start": round(p.start, 6),
                "label": p.label,
                "confidence": round(p.confidence, 6),
                "raw_label": p.raw_label,
            }
            for p in run.predictions
        ],
        "segments": [
            {
                "label": s.label,
                "start": round(s.start, 6),
                "end": round(s.end, 6),
                "confidence": round(s.confidence, 6),
            }
            for s in run.segments
        ],
    }
    partial = work / "predictions.json"
    write_json(partial, payload)
    target = root.folder("predictions") / params["model_id"] / f"{params['video_id']}.json"
    publish(partial, target)
    return Outcome(
        {
            "video_id": params["video_id"],
            "model_id": params["model_id"],
            "segments": len(run.segments),
        },
        f"{len(run.predictions)} predictions, {len(run.segments)} segments",
    )


RUNNERS: dict[str, Runner] = {
    "extract": run_extract,
    "dataset": run_dataset,
    "train": run_train,
    "predict": run_predict,
}
"""Job kind → the runner that does it."""
