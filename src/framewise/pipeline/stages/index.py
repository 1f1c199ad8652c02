"""Stage 0, index: videos in a folder or zip archives, plus a labels CSV → ``video_index``.

Each video is one row: its path (archived ones are extracted into the stage's folder, ZipCrypto
passwords read from an environment variable), its label, its group (the original video; the
file itself unless the CSV says otherwise) and what :func:`framewise.sources.probe.probe`
finds: duration, fps, size, codec, VFR, frame count. A video that cannot be read is kept and
flagged (``readable`` false, ``problem`` says why), never fatal; a video with no label fails
its row (the summary names it).

Example:
    >>> params = IndexParams(videos=Path("videos"), labels=Path("labels.csv"))
    >>> stage = IndexStage(params)  # doctest: +SKIP
    >>> [row["key"] for row in stage.source_rows()][:2]  # doctest: +SKIP
    ['fake/a.mp4', 'archive.zip!real/b.mp4']
"""

from __future__ import annotations

import csv
import os
import shutil
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from framewise.core.atomic import atomic_open
from framewise.core.errors import ConfigError, InputError, InputNotFoundError
from framewise.pipeline.stages.base import Row, RowContext
from framewise.pipeline.stages.params import IndexParams
from framewise.sources.container import VIDEO_SUFFIXES
from framewise.sources.probe import probe

ARCHIVE_MARK = "!"
"""Separates an archive from the member in a key: ``FVC1.zip!fake/a.mp4``."""


def _is_video(name: str) -> bool:
    path = PurePosixPath(name)
    return path.suffix.lower() in VIDEO_SUFFIXES and not path.name.startswith(".")


def _archive_rows(archive: Path, base: Path) -> list[Row]:
    try:
        with zipfile.ZipFile(archive) as handle:
            members = [m for m in handle.namelist() if _is_video(m) and not m.endswith("/")]
    except (OSError, zipfile.BadZipFile) as exc:
        raise InputError(
            f"not a readable zip archive ({exc})", subject=archive, hint="check the file"
        ) from None
    prefix = archive.relative_to(base).as_posix() if archive != base else archive.name
    return [
        {"key": f"{prefix}{ARCHIVE_MARK}{m}", "archive": str(archive), "member": m}
        for m in sorted(members)
    ]


def list_inputs(videos: Path) -> list[Row]:
    """One row per video under ``videos`` (a folder, possibly holding zips, or one zip).

    Raises:
        InputNotFoundError: ``videos`` does not exist.
    """
    if not videos.exists():
        raise InputNotFoundError(
            "no such folder or archive", subject=videos, hint="check `videos:` in the pipeline"
        )
    if videos.is_file():
        return _archive_rows(videos, videos)
    rows: list[Row] = []
    for path in sorted(videos.rglob("*")):
        if path.is_file() and path.suffix.lower() == ".zip":
            rows.extend(_archive_rows(path, videos))
        elif path.is_file() and _is_video(path.name):
            rows.append({"key": path.relative_to(videos).as_posix(), "archive": None})
    return rows


def read_labels(params: IndexParams) -> dict[str, tuple[str, str | None]]:
    """The labels CSV as ``path → (label, group)``; paths as written and by file name.

    Raises:
        ConfigError: The CSV is missing or lacks a named column.
    """
    try:
        with params.labels.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            columns = set(reader.fieldnames or ())
            wanted = [params.path_column, params.label_column]
            missing = [c for c in wanted if c not in columns]
            if missing:
                raise ConfigError(
                    f"the labels CSV has no column {missing[0]!r} (it has: {sorted(columns)})",
                    subject=params.labels,
                    hint="set path_column/label_column in the index stage",
                )
            labels: dict[str, tuple[str, str | None]] = {}
            for line in reader:
                path = line[params.path_column].strip()
                group = line.get(params.group_column or "") or None
                entry = (line[params.label_column].strip(), group)
                labels[path] = entry
                labels.setdefault(PurePosixPath(path).name, entry)
    except OSError as exc:
        raise ConfigError(
            f"cannot read the labels CSV ({exc.strerror})", subject=params.labels, hint="check"
        ) from None
    return labels


class IndexStage:
    """The index stage (see the module docstring)."""

    def __init__(self, params: IndexParams) -> None:
        self.params = params
        self.labels = read_labels(params)

    def source_rows(self) -> Sequence[Row] | None:
        """Every video under ``videos``."""
        return list_inputs(self.params.videos)

    def _password(self) -> bytes | None:
        if self.params.password_env is None:
            return None
        value = os.environ.get(self.params.password_env)
        if value is None:
            raise ConfigError(
                f"the archives' password variable {self.params.password_env} is not set",
                hint=f"export {self.params.password_env}=... before running",
            )
        return value.encode()

    def _extract(self, row: Mapping[str, Any], ctx: RowContext) -> Path:
        member = str(row["member"])
        target = ctx.output_path(PurePosixPath(member).suffix.lower())
        try:
            with (
                zipfile.ZipFile(str(row["archive"])) as archive,
                archive.open(member, pwd=self._password()) as source,
                atomic_open(target, "wb", encoding=None) as out,
            ):
                shutil.copyfileobj(source, out, 1 << 20)
        except RuntimeError as exc:  # zipfile's "password required" / "Bad password"
            raise InputError(
                f"cannot extract {member} ({exc})",
                subject=str(row["archive"]),
                hint="set password_env to the variable holding the archive's password",
            ) from None
        return target

    def run_row(self, row: Mapping[str, Any], ctx: RowContext) -> list[Row]:
        """Label, extract (archives) and probe one video."""
        key = str(row["key"])
        name = str(row["member"]) if row.get("archive") else key
        entry = self.labels.get(name) or self.labels.get(PurePosixPath(name).name)
        if entry is None:
            raise InputError(
                "has no label in the labels CSV",
                subject=key,
                hint=f"add it to {self.params.labels}",
            )
        label, group = entry
        path = self._extract(row, ctx) if row.get("archive") else self.params.videos / key
        out: Row = {
            "path": ctx.relative(path),
            "label": label,
            "group": group or key,
            "readable": True,
            "problem": None,
        }
        try:
            info = probe(path)
        except InputError as exc:
            return [{**out, "readable": False, "problem": exc.message}]
        width, height = info.display_size
        facts = {
            "duration": round(info.duration_seconds, 6),
            "fps": round(info.avg_fps, 4),
            "width": width,
            "height": height,
            "codec": info.codec,
            "vfr": info.vfr,
            "frame_count": info.frame_count,
        }
        return [{**out, **facts}]
