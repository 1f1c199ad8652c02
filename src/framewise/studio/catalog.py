"""What the studio holds, as the API shows it: videos, feature files, datasets, models.

Each ``*_info`` reads one item from disk (names are checked by the caller through
:class:`~framewise.studio.paths.DataRoot`); the ``list_*`` functions skip hidden work
folders and anything that cannot be read (a damaged file is listed as nothing rather than
breaking the list).
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from framewise.core.errors import FramewiseError
from framewise.core.jsonfile import read_json
from framewise.studio.errors import StudioError, not_found
from framewise.studio.paths import DataRoot

VIDEO_META = "video.json"
LABELS = "labels.csv"
STUDIO_META = "studio.json"
MEDIA_TYPES = {
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".mov": "video/quicktime",
    ".mkv": "video/x-matroska",
    ".webm": "video/webm",
    ".avi": "video/x-msvideo",
    ".ts": "video/mp2t",
}


def _created(path: Path) -> str:
    return datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat(timespec="seconds")


def _visible(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if not p.name.startswith("."))


def _meta(path: Path, what: str) -> dict[str, Any]:
    loaded = read_json(path, what=what, hint="delete it and make it again")
    return loaded if isinstance(loaded, dict) else {}


# --- videos --------------------------------------------------------------------------------


def video_meta(root: DataRoot, video_id: str) -> dict[str, Any]:
    """The stored facts of an uploaded video (404 when unknown)."""
    folder = root.video_dir(video_id)
    if not (folder / VIDEO_META).is_file():
        raise not_found("video", video_id)
    return _meta(folder / VIDEO_META, "video facts")


def video_file(root: DataRoot, video_id: str) -> Path:
    """The uploaded video's file, checked to be under the root."""
    meta = video_meta(root, video_id)
    return root.inside(root.video_dir(video_id) / str(meta["stored"]))


def feature_files_of(root: DataRoot, video_id: str) -> list[Path]:
    """The feature tables made from a video, oldest first."""
    tables = [p for p in _visible(root.folder("features")) if p.suffix == ".parquet"]
    mine = [p for p in tables if _table_video(p) == video_id]
    return sorted(mine, key=lambda p: p.stat().st_mtime)


def _table_video(path: Path) -> str | None:
    # The studio stores each video as <id>.<ext>, so a table's video_id is the studio's id.
    try:
        import pyarrow.parquet as pq

        column = pq.read_table(path, columns=["video_id"]).column("video_id")
        return str(column[0].as_py()) if len(column) else None
    except (OSError, ValueError, KeyError, ImportError):
        return None


def video_info(root: DataRoot, video_id: str) -> dict[str, Any]:
    """One video as the API shows it."""
    meta = video_meta(root, video_id)
    folder = root.video_dir(video_id)
    tables = feature_files_of(root, video_id)
    labels = folder / LABELS
    return {
        "id": video_id,
        "filename": meta["filename"],
        "size_bytes": meta["size_bytes"],
        "duration": meta["duration"],
        "fps": meta["fps"],
        "width": meta["width"],
        "height": meta["height"],
        "url": f"/backend/videos/{video_id}/file",
        "feature_file": root.relative(tables[-1]) if tables else None,
        "feature_files": [p.name for p in tables],
        "label_file": root.relative(labels) if labels.is_file() else None,
        "created": meta["created"],
    }


def list_videos(root: DataRoot) -> list[dict[str, Any]]:
    """Every uploaded video, newest first."""
    found = []
    for folder in _visible(root.folder("videos")):
        if (folder / VIDEO_META).is_file():
            try:
                found.append(video_info(root, folder.name))
            except (FramewiseError, KeyError, OSError):
                continue
    return sorted(found, key=lambda v: v["created"], reverse=True)


# --- feature files -------------------------------------------------------------------------


def feature_path(root: DataRoot, filename: str) -> Path:
    """``DATA/features/<filename>`` (404 when absent)."""
    path = root.child("features", filename, "feature file")
    if not path.is_file() or path.suffix != ".parquet":
        raise not_found("feature file", filename, "list them with GET /backend/features")
    return path


def feature_info(root: DataRoot, filename: str) -> dict[str, Any]:
    """One feature table as the API shows it."""
    from framewise.datasets.task_table import table_params

    path = feature_path(root, filename)
    try:
        import pyarrow.parquet as pq

        table = pq.read_table(path, columns=["video_id", "t", "label"])
        params = table_params(path)
    except (OSError, ValueError, KeyError) as exc:
        raise StudioError(
            422, "bad_input", f"{filename} is not a readable feature table ({exc})", "delete it"
        ) from None
    labels = [x for x in table.column("label").to_pylist() if x is not None]
    times = [float(x) for x in table.column("t").to_pylist()]
    videos = table.column("video_id").to_pylist()
    return {
        "filename": path.name,
        "path": root.relative(path),
        "video_id": str(videos[0]) if videos else None,
        "size_bytes": path.stat().st_size,
        "frames": table.num_rows,
        "duration": max(times) if times else 0.0,
        "labelled": len(labels),
        "label_counts": dict(sorted(Counter(labels).items())),
        "params": params,
        "created": _created(path),
    }


def list_features(root: DataRoot) -> list[dict[str, Any]]:
    """Every feature table, newest first."""
    found = []
    for path in _visible(root.folder("features")):
        if path.suffix == ".parquet":
            try:
                found.append(feature_info(root, path.name))
            except FramewiseError:
                continue
    return sorted(found, key=lambda f: f["created"], reverse=True)


# --- datasets ------------------------------------------------------------------------------


def dataset_name(dataset_dir: str) -> str:
    """``dataset_<id>`` for ``dataset_<id>`` or ``<id>``."""
    return dataset_dir if dataset_dir.startswith("dataset_") else f"dataset_{dataset_dir}"


def dataset_path(root: DataRoot, dataset_dir: str) -> Path:
    """``DATA/datasets/dataset_<id>`` (404 when absent)."""
    path = root.child("datasets", dataset_name(dataset_dir), "dataset")
    if not (path / "metadata.json").is_file():
        raise not_found("dataset", dataset_dir, "list them with GET /backend/datasets")
    return path


def dataset_info(root: DataRoot, dataset_dir: str) -> dict[str, Any]:
    """One dataset as the API shows it."""
    path = dataset_path(root, dataset_dir)
    meta = _meta(path / "metadata.json", "dataset metadata")
    studio = _meta(path / STUDIO_META, "dataset facts") if (path / STUDIO_META).is_file() else {}
    return {
        "dataset_id": path.name.removeprefix("dataset_"),
        "dataset_dir": path.name,
        "path": root.relative(path),
        "classes": sorted(meta.get("label_map", {}), key=lambda c: meta["label_map"][c]),
        "feature_files": studio.get("feature_files", []),
        "counts": meta.get("counts", {}).get("by_split", {}),
        "window": meta.get("window", {}),
        "extract": studio.get("extract", {}),
        "created": _created(path / "metadata.json"),
    }


def list_datasets(root: DataRoot) -> list[dict[str, Any]]:
    """Every dataset, newest first."""
    found = []
    for path in _visible(root.folder("datasets")):
        if (path / "metadata.json").is_file():
            try:
                found.append(dataset_info(root, path.name))
            except (FramewiseError, KeyError):
                continue
    return sorted(found, key=lambda d: d["created"], reverse=True)


# --- models --------------------------------------------------------------------------------


def model_path(root: DataRoot, model_id: str) -> Path:
    """The run folder of a model, by its id or its full name (404 when absent)."""
    wanted = model_id.rsplit("_", 1)[-1]
    for path in _visible(root.folder("models")):
        if path.name.rsplit("_", 1)[-1] == wanted and (path / STUDIO_META).is_file():
            return root.inside(path)
    raise not_found("model", model_id, "list them with GET /backend/models")


def model_meta(root: DataRoot, model_id: str) -> dict[str, Any]:
    """What the studio recorded about a model (its type, dataset, extraction settings)."""
    return _meta(model_path(root, model_id) / STUDIO_META, "model facts")


def _scores(block: Any) -> dict[str, float]:
    if not isinstance(block, dict):
        return {}
    return {k: float(block[k]) for k in ("accuracy", "f1_macro") if k in block}


def model_info(root: DataRoot, model_id: str) -> dict[str, Any]:
    """One model as the API shows it."""
    path = model_path(root, model_id)
    studio = _meta(path / STUDIO_META, "model facts")
    metrics = _meta(path / "metrics.json", "metrics") if (path / "metrics.json").is_file() else {}
    return {
        "model_id": studio["model_id"],
        "name": path.name,
        "path": root.relative(path),
        "model_type": studio["model_type"],
        "dataset_dir": studio["dataset_dir"],
        "classes": metrics.get("classes", []),
        "extract": studio.get("extract", {}),
        "val": _scores(metrics.get("val")),
        "test": _scores(metrics.get("test")),
        "created": _created(path / STUDIO_META),
    }


def list_models(root: DataRoot) -> list[dict[str, Any]]:
    """Every model, newest first."""
    found = []
    for path in _visible(root.folder("models")):
        if (path / STUDIO_META).is_file():
            try:
                found.append(model_info(root, path.name))
            except (FramewiseError, KeyError):
                continue
    return sorted(found, key=lambda m: m["created"], reverse=True)


def model_metrics(root: DataRoot, model_id: str) -> dict[str, Any]:
    """``metrics.json`` plus the test split's confusion matrix ready to draw."""
    path = model_path(root, model_id)
    metrics = _meta(path / "metrics.json", "metrics")
    classes = list(metrics.get("classes", []))
    split = "test" if isinstance(metrics.get("test"), dict) else "val"
    matrix = (metrics.get(split) or {}).get("confusion_matrix", [])
    studio = _meta(path / STUDIO_META, "model facts")
    return {
        "model_id": studio["model_id"],
        **metrics,
        "confusion": {"split": split, "labels": classes, "matrix": matrix},
    }
