"""A dataset on disk, typed: what ``datasets/`` writes and ``training/`` reads.

A :class:`DatasetSpec` says what kind of dataset a folder holds, where its splits are and what
its classes are called, so a trainer never parses a dataset's files itself. It is read from:

- a YOLO ``data.yaml`` (Ultralytics' format; the only parser of it in framewise), or
- a ``dataset.json`` (this model as JSON), which any kind can use — tabular feature tables
  and windowed sequences have no file format of their own to carry the spec.

Example:
    >>> spec = read_dataset_spec(Path("datasets/tarkov"))  # doctest: +SKIP
    >>> spec.kind, spec.names[:2], [p.name for p in spec.split_paths("val")]  # doctest: +SKIP
    ('yolo', ('kill_notification', 'death_screen'), ['val'])
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from framewise.core.atomic import write_text
from framewise.core.errors import InputError, InputNotFoundError

DatasetKind = Literal["yolo", "tabular", "sequence"]
"""``yolo``: images + label files; ``tabular``: one feature row per sample; ``sequence``:
windows of rows (a label per window)."""

DatasetTask = Literal["detect", "classify", "regress"]

DATA_YAML = "data.yaml"
DATASET_JSON = "dataset.json"
KNOWN_SPLITS = ("train", "val", "test")
IMAGE_SUFFIXES = frozenset(
    {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff", ".dng", ".mpo", ".pfm"}
)
"""Image file types the readers look for (the ones Ultralytics accepts)."""

_EXPORT_HINT = (
    "point at a dataset folder; export one with `framewise dataset yolo` or "
    "`framewise export --format yolo`"
)


class DatasetSpec(BaseModel):
    """A dataset on disk.

    Attributes:
        kind: What the files are (see :data:`DatasetKind`).
        root: The folder split entries are relative to.
        splits: Split name → its entries: folders of images, ``.txt`` lists of images, or
            table files (relative to ``root`` unless absolute).
        names: Class names in id order.
        task: What a model learns from it.
        source: The file the spec was read from (named in errors), if any.
        raw: That file's own mapping, for writers that must keep keys this model does not
            know (``nc``, ``download``, a data recipe...). Empty for specs made in code.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: DatasetKind
    root: Path
    splits: Mapping[str, tuple[str, ...]]
    names: tuple[str, ...]
    task: DatasetTask = "detect"
    source: Path | None = None
    raw: dict[str, Any] = Field(default_factory=dict, exclude=True)

    @field_validator("names")
    @classmethod
    def _distinct(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        if not all(names) or len(set(names)) != len(names):
            raise ValueError("class names must be non-empty and distinct")
        return names

    @field_validator("splits")
    @classmethod
    def _entries(cls, splits: Mapping[str, tuple[str, ...]]) -> Mapping[str, tuple[str, ...]]:
        for split, entries in splits.items():
            if not split or not entries or not all(entries):
                raise ValueError(f"split {split!r} needs at least one non-empty entry")
        return splits

    @property
    def subject(self) -> Path:
        """What errors about this dataset name: its file, else its root."""
        return self.source or self.root

    def require(self, *splits: str) -> DatasetSpec:
        """This spec, checked to have ``splits`` (a trainer's needs); returns itself.

        Raises:
            InputError: A split is missing.
        """
        missing = [split for split in splits if split not in self.splits]
        if missing:
            raise InputError(
                f"the dataset has no {' or '.join(repr(s) for s in missing)} split",
                subject=self.subject,
                hint=f"a {self.kind} dataset for training needs {', '.join(splits)}",
            )
        return self

    def split_paths(self, split: str) -> list[Path]:
        """The entries of ``split`` as paths (empty when the split is absent)."""
        return [
            Path(entry) if Path(entry).is_absolute() else self.root / entry
            for entry in self.splits.get(split, ())
        ]

    def images(self, split: str) -> list[Path]:
        """The image files of ``split``: under its folders, or listed in its ``.txt`` files."""
        found: list[Path] = []
        for where in self.split_paths(split):
            if where.is_dir():
                found += sorted(p for p in where.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
            elif where.is_file() and where.suffix == ".txt":
                lines = where.read_text(encoding="utf-8").splitlines()
                found += [self.root / line.strip() for line in lines if line.strip()]
        return found

    def data_yaml(self) -> dict[str, Any]:
        """The spec as a YOLO ``data.yaml`` mapping (``path``, the splits, ``names``)."""
        data: dict[str, Any] = {"path": str(self.root.resolve())}
        for split, entries in self.splits.items():
            data[split] = entries[0] if len(entries) == 1 else list(entries)
        data["names"] = dict(enumerate(self.names))
        return data

    def write_data_yaml(self, path: Path | None = None) -> Path:
        """Write :meth:`data_yaml` atomically (default: ``root/data.yaml``); returns the path."""
        target = path or self.root / DATA_YAML
        text = yaml.safe_dump(self.data_yaml(), sort_keys=False, allow_unicode=True)
        write_text(target, text)
        return target

    def save(self, path: Path | None = None) -> Path:
        """Write the spec as JSON (default: ``root/dataset.json``); returns the path."""
        target = path or self.root / DATASET_JSON
        write_text(target, self.model_dump_json(indent=2, exclude={"source"}) + "\n")
        return target


def read_dataset_spec(path: Path) -> DatasetSpec:
    """The spec of a dataset: its folder, its ``dataset.json`` or its YOLO ``data.yaml``.

    A folder is read by its ``dataset.json`` when it has one, else by its ``data.yaml``.

    Raises:
        InputNotFoundError: There is no such file.
        InputError: The file is not valid YAML/JSON or not a dataset spec; the message says
            what is wrong and the error names the file.
    """
    if path.is_dir():
        path = path / DATASET_JSON if (path / DATASET_JSON).is_file() else path / DATA_YAML
    if not path.is_file():
        raise InputNotFoundError("no dataset YAML", subject=path, hint=_EXPORT_HINT)
    if path.suffix == ".json":
        return _read_json_spec(path)
    return read_data_yaml(path)


def read_data_yaml(path: Path) -> DatasetSpec:
    """The spec of a YOLO dataset from its ``data.yaml`` (``path`` is the file or its folder).

    Class names may be a list or a mapping from id to name (ids 0, 1, 2...). The ``path``
    recorded in the file is where the dataset was written; when the file's own folder holds
    the splits, that folder is the root (the dataset may have moved since).

    Raises:
        InputNotFoundError: There is no such file.
        InputError: Not YAML, not a mapping, no class names, or ids that are not 0, 1, 2...
    """
    data_yaml = path / DATA_YAML if path.is_dir() else path
    if not data_yaml.is_file():
        raise InputNotFoundError("no dataset YAML", subject=data_yaml, hint=_EXPORT_HINT)
    try:
        data = yaml.safe_load(data_yaml.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        where = getattr(exc, "problem_mark", None)
        line = f"line {where.line + 1}: " if where is not None else ""
        raise InputError(
            f"not valid YAML ({line}{getattr(exc, 'problem', None) or exc})",
            subject=data_yaml,
            hint="fix the dataset YAML",
        ) from None
    if not isinstance(data, dict):
        raise InputError(
            "the dataset YAML is not a mapping",
            subject=data_yaml,
            hint="see Ultralytics' dataset format: path, train, val, names",
        )
    splits = {
        split: tuple(str(e) for e in entry) if isinstance(entry, list) else (str(entry),)
        for split in KNOWN_SPLITS
        if isinstance(entry := data.get(split), str | list) and entry
    }
    try:
        return DatasetSpec(
            kind="yolo",
            root=_root(data_yaml.parent, data),
            splits=splits,
            names=tuple(_names(data, data_yaml)),
            source=data_yaml,
            raw=data,
        )
    except ValidationError as exc:
        raise InputError(
            f"not a dataset YAML: {exc.errors()[0]['msg']}", subject=data_yaml
        ) from None


def _root(folder: Path, data: Mapping[str, Any]) -> Path:
    declared = data.get("path")
    if not isinstance(declared, str) or not declared:
        return folder
    entries = [data.get(split) for split in KNOWN_SPLITS]
    if any(isinstance(e, str) and (folder / e).exists() for e in entries):
        return folder
    return Path(declared) if Path(declared).is_absolute() else folder / declared


def _names(data: Mapping[str, Any], subject: Path) -> list[str]:
    names = data.get("names")
    if isinstance(names, list):
        return [str(name) for name in names]
    if isinstance(names, dict) and all(isinstance(key, int) for key in names):
        if sorted(names) != list(range(len(names))):
            raise InputError("class ids in names must be 0, 1, 2...", subject=subject)
        return [str(names[key]) for key in range(len(names))]
    raise InputError(
        "the dataset YAML has no class names",
        subject=subject,
        hint="add names: {0: first_class, ...}",
    )


def _read_json_spec(path: Path) -> DatasetSpec:
    try:
        spec = DatasetSpec.model_validate_json(path.read_bytes())
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "the document"
        raise InputError(
            f"not a dataset spec ({where}: {first['msg']})",
            subject=path,
            hint="write it with DatasetSpec.save",
        ) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", subject=path) from None
    root = spec.root if spec.root.is_absolute() else path.parent / spec.root
    return spec.model_copy(update={"root": root, "source": path})
