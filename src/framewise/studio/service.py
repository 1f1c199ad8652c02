"""The studio's operations behind the routes: queue jobs, find what a job needs, delete.

Routes check the request's shape; :class:`Studio` checks it against what the studio holds
(a feature file that exists or that a queued job will make, a model, a video), names what
the new job will make, and queues it. Nothing here runs long work: that is the workers'.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from framewise.core.errors import FramewiseError
from framewise.studio import catalog
from framewise.studio.errors import StudioError, not_found
from framewise.studio.jobs import ACTIVE, Job, JobStore
from framewise.studio.paths import DataRoot, safe_name
from framewise.studio.settings import StudioSettings


@dataclass(frozen=True)
class Queued:
    """A job queued (or found already queued, running or done) for a request."""

    job: Job | None
    output: str


def _state(job: Job | None) -> str:
    return job.state if job is not None else "done"


class Studio:
    """The data root, the job table and the settings of one app.

    Args:
        settings: The server's settings.
        root: Its data root (created).
        jobs: Its job table.
    """

    def __init__(self, settings: StudioSettings, root: DataRoot, jobs: JobStore) -> None:
        self.settings = settings
        self.root = root
        self.jobs = jobs

    # --- extraction -------------------------------------------------------------------------

    def queue_extract(
        self,
        video_id: str,
        detector: str,
        sample_rate: int | None,
        sample_fps: float | None,
    ) -> Queued:
        """Queue feature extraction of a video with its current labels (once per result)."""
        if detector not in self.settings.detectors():
            raise StudioError(
                422,
                "bad_input",
                f"detector_type {detector!r} is not available here",
                "the yolo detector needs the studio started with --object-model; "
                f"use one of {', '.join(self.settings.detectors())}",
            )
        meta = catalog.video_meta(self.root, video_id)
        labels_path = self.root.video_dir(video_id) / catalog.LABELS
        labels = labels_path.read_text(encoding="utf-8") if labels_path.is_file() else None
        params: dict[str, Any] = {
            "detector": detector,
            "sample_fps": float(sample_fps or self.settings.default_sample_fps),
            "sample_rate": sample_rate,
            "model": str(self.settings.object_model)
            if self.settings.object_model is not None and detector in ("yolo", "fusion")
            else None,
        }
        key = hashlib.sha256(
            json.dumps([meta["sha256"], params, labels], sort_keys=True).encode()
        ).hexdigest()[:10]
        stem = Path(str(meta["filename"])).stem[:40]
        name = f"{stem}_{detector}_{key}.parquet"
        existing = self.jobs.active_for(name)
        if existing is not None:
            return Queued(existing, name)
        if (self.root.folder("features") / name).is_file():
            done = self.jobs.recent(kind="extract", limit=1000)
            return Queued(next((j for j in done if j.output == name), None), name)
        job = self.jobs.create(
            "extract",
            {
                **params,
                "relabel_from": self._same_features(video_id, params),
                "video_id": video_id,
                "video": self.root.relative(catalog.video_file(self.root, video_id)),
                "duration": meta["duration"],
                "feature_name": name,
                "labels_csv": labels,
                "label_file": catalog.LABELS,
            },
            output=name,
        )
        return Queued(job, name)

    def _same_features(self, video_id: str, params: dict[str, Any]) -> str | None:
        """A table of the video made with the same settings (other labels), to relabel."""
        from framewise.datasets.task_table import table_params

        for table in reversed(catalog.feature_files_of(self.root, video_id)):
            try:
                if table_params(table) == params:
                    return table.name
            except FramewiseError:
                continue
        return None

    def extract_answer(self, queued: Queued, video_id: str, duplicate: bool) -> dict[str, Any]:
        """The upload's (or extraction request's) answer."""
        video = catalog.video_info(self.root, video_id)
        return {
            "status": _state(queued.job),
            "job_id": queued.job.id if queued.job is not None else None,
            "video_id": video_id,
            "filename": video["filename"],
            "duplicate": duplicate,
            "feature_file": f"features/{queued.output}",
            "feature_name": queued.output,
            "label_file": video["label_file"],
            "video": video,
        }

    # --- datasets ---------------------------------------------------------------------------

    def _needs(self, kind: str, name: str, what: str, hint: str) -> str | None:
        """The job making ``kind/name`` (its id), ``None`` when it exists, else a 422."""
        job = self.jobs.active_for(name)
        if job is not None:
            return job.id
        path = self.root.child(kind, name, what)
        if path.exists():
            return None
        raise StudioError(422, "bad_input", f"no {what} {name!r}", hint)

    def queue_dataset(self, feature_files: list[str], spec: dict[str, Any]) -> dict[str, Any]:
        """Queue a dataset build over feature files (existing or being made)."""
        if not feature_files:
            raise StudioError(
                422, "bad_input", "feature_files names no file", "give comma-separated names"
            )
        depends = []
        for name in feature_files:
            safe_name(name, "feature file")
            job = self._needs(
                "features", name, "feature file", "list them with GET /backend/features"
            )
            if job is not None:
                depends.append(job)
        dataset_id = uuid.uuid4().hex[:8]
        auto = spec.get("group_sec") is None
        if spec.get("group_sec") == 0:
            spec = {**spec, "group_sec": None}
        queued = self.jobs.create(
            "dataset",
            {
                "dataset_id": dataset_id,
                "feature_files": feature_files,
                "spec": spec,
                "group_auto": auto,
            },
            output=f"dataset_{dataset_id}",
            depends_on=depends,
        )
        return {
            "status": queued.state,
            "job_id": queued.id,
            "dataset_id": dataset_id,
            "dataset_dir": f"dataset_{dataset_id}",
            "path": f"datasets/dataset_{dataset_id}",
            "depends_on": depends,
        }

    # --- models and predictions ---------------------------------------------------------------

    def queue_train(self, dataset_dir: str, options: dict[str, Any]) -> dict[str, Any]:
        """Queue a training on a dataset (existing or being built)."""
        name = catalog.dataset_name(safe_name(dataset_dir, "dataset"))
        job = self._needs("datasets", name, "dataset", "list them with GET /backend/datasets")
        depends = [job] if job is not None else []
        model_id = uuid.uuid4().hex[:8]
        model_name = f"task_classifier_{options['model']}_{model_id}"
        queued = self.jobs.create(
            "train",
            {"model_id": model_id, "name": model_name, "dataset_dir": name, "options": options},
            output=model_name,
            depends_on=depends,
        )
        return {
            "status": queued.state,
            "job_id": queued.id,
            "model_id": model_id,
            "name": model_name,
            "path": f"models/{model_name}",
            "depends_on": depends,
        }

    def _model_name(self, model_id: str) -> tuple[str, str | None]:
        """A model's folder name and the job still making it (``None`` when trained)."""
        safe_name(model_id, "model")
        try:
            return catalog.model_path(self.root, model_id).name, None
        except StudioError as missing:
            for job in self.jobs.recent(kind="train", limit=10_000):
                if job.params.get("model_id") == model_id and job.state in ("queued", "running"):
                    return str(job.params["name"]), job.id
            raise missing from None

    def queue_predict(self, model_id: str, video_id: str, smoothing: str, hold: int) -> Job:
        """Queue a model's predictions over an uploaded video."""
        name, making = self._model_name(model_id)
        meta = catalog.video_meta(self.root, safe_name(video_id, "video"))
        short = name.rsplit("_", 1)[-1]
        return self.jobs.create(
            "predict",
            {
                "model_id": short,
                "model_name": name,
                "video_id": video_id,
                "video": self.root.relative(catalog.video_file(self.root, video_id)),
                "duration": meta["duration"],
                "smoothing": smoothing,
                "hold": hold,
            },
            output=f"{short}/{video_id}",
            depends_on=[making] if making is not None else [],
        )

    def predictions_file(self, video_id: str, model_id: str) -> Path:
        """The stored predictions of a model on a video (404 until a predict job is done)."""
        safe_name(video_id, "video")
        short = safe_name(model_id, "model").rsplit("_", 1)[-1]
        path = self.root.folder("predictions") / short / f"{video_id}.json"
        if not path.is_file():
            raise not_found(
                "predictions of model",
                f"{model_id} on video {video_id}",
                f"POST /backend/models/{model_id}/predict with this video_id first",
            )
        return self.root.inside(path)

    # --- deleting ---------------------------------------------------------------------------

    def _refuse_if_needed(self, name: str, field: str) -> None:
        making = self.jobs.active_for(name)
        if making is not None:
            raise StudioError(
                409, "conflict", f"{name} is being made by job {making.id}", "wait for it to end"
            )
        for state in ACTIVE:
            for job in self.jobs.recent(state=state, limit=10_000):
                value = job.params.get(field)
                if value == name or (isinstance(value, list) and name in value):
                    raise StudioError(
                        409, "conflict", f"{state} job {job.id} needs {name}", "wait for it to end"
                    )

    def delete(self, kind: str, path: Path, field: str) -> str:
        """Delete a feature file, dataset, model or video unless queued work needs it."""
        self._refuse_if_needed(path.name, field)
        if kind == "models":
            self._refuse_if_needed(path.name, "model_name")
        relative = self.root.relative(path)
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
        return relative
