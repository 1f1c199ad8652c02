"""The studio's data root: its layout, safe names, and job outputs made in a hidden folder.

Every path the studio reads or writes is built here from a name checked by :func:`safe_name`
and resolved under the root (:meth:`DataRoot.inside`), so ``..``, ``%2e%2e`` (decoded by the
router before it gets here), slashes, absolute paths and symlinks pointing out are refused.

Layout::

    DATA/jobs.sqlite3                 the job table
    DATA/videos/<id>/<id>.<ext>       an upload (id: the first 16 hex of its SHA-256)
    DATA/videos/<id>/video.json       its name and probe facts
    DATA/videos/<id>/labels.csv       its time-span labels (start,end,label)
    DATA/features/<name>.parquet      feature tables
    DATA/datasets/dataset_<id>/       windowed datasets (+ studio.json)
    DATA/models/task_classifier_<type>_<id>/   training runs (+ studio.json)
    DATA/predictions/<model>/<video>.json      a model's predictions on a video
    DATA/tmp/                         work in progress: renamed into place when complete
"""

from __future__ import annotations

import re
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from framewise.studio.errors import StudioError

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
FOLDERS = ("videos", "features", "datasets", "models", "predictions", "tmp")


def safe_name(name: str, what: str) -> str:
    """``name`` when it is one plain path component, else a 404-style refusal.

    Raises:
        StudioError: 422 ``bad_name`` for anything with a separator, ``..``, a leading dot or
            characters outside ``A-Za-z0-9._-``.
    """
    if not _NAME.match(name) or ".." in name:
        raise StudioError(
            422,
            "bad_name",
            f"{what} name {name[:80]!r} is not a plain file name",
            "use a name as listed by the API (letters, digits, '.', '_', '-')",
        )
    return name


def sanitize_filename(name: str | None, default: str = "video") -> str:
    """An uploaded file's name reduced to its last component in safe characters."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    clean = _UNSAFE.sub("_", stem).strip("._-")[:80] or default
    ext = _UNSAFE.sub("", suffix).lower()[:8]
    return f"{clean}.{ext}" if ext else clean


@dataclass(frozen=True)
class DataRoot:
    """The studio's folder (see the module docstring)."""

    root: Path

    def __post_init__(self) -> None:
        object.__setattr__(self, "root", self.root.expanduser().resolve())

    def create(self) -> DataRoot:
        """Make the layout's folders; returns ``self``."""
        for folder in FOLDERS:
            (self.root / folder).mkdir(parents=True, exist_ok=True)
        return self

    @property
    def jobs_db(self) -> Path:
        """The SQLite job table."""
        return self.root / "jobs.sqlite3"

    def inside(self, path: Path) -> Path:
        """``path`` once it is known to resolve (symlinks followed) under the root.

        Raises:
            StudioError: 404 when it resolves elsewhere (a symlink out, an absolute path).
        """
        resolved = path.resolve()
        if not resolved.is_relative_to(self.root):
            raise StudioError(404, "not_found", f"{path.name!r} is not in the studio's data")
        return resolved

    def relative(self, path: Path) -> str:
        """``path`` relative to the root, as answers show it."""
        return path.resolve().relative_to(self.root).as_posix()

    def folder(self, kind: str) -> Path:
        """One of the layout's folders."""
        return self.root / kind

    def child(self, kind: str, name: str, what: str) -> Path:
        """``DATA/<kind>/<name>`` for a checked name, resolved under the root."""
        return self.inside(self.folder(kind) / safe_name(name, what))

    def video_dir(self, video_id: str) -> Path:
        """The folder of an uploaded video."""
        return self.child("videos", video_id, "video")

    def scratch(self, prefix: str) -> Path:
        """A new hidden work folder under ``DATA/tmp`` (renamed into place when complete)."""
        path = self.folder("tmp") / f"{prefix}-{uuid.uuid4().hex[:12]}"
        path.mkdir(parents=True)
        return path

    def sweep(self) -> list[str]:
        """Remove what interrupted work left in ``DATA/tmp`` (call when no job runs)."""
        removed = []
        for leftover in sorted(self.folder("tmp").iterdir()):
            if leftover.is_dir() and not leftover.is_symlink():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)
            removed.append(leftover.name)
        return removed


def publish(work: Path, target: Path) -> None:
    """Move a finished file or folder from its work place to ``target`` in one rename.

    A folder already at ``target`` is replaced: the new one goes in first under a hidden
    name, so a reader sees the old or the new, never a mix.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    if work.is_dir() and target.exists():
        old = target.with_name(f".{target.name}.old-{uuid.uuid4().hex[:8]}")
        target.rename(old)
        work.rename(target)
        shutil.rmtree(old, ignore_errors=True)
        return
    work.replace(target)
