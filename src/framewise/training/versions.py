"""Model versions: each retrain is a numbered run beside the ones before it.

A models folder holds ``v1/``, ``v2/``, ... (each a full run: ``model.pt``, ``model.onnx``,
``metrics.json``, ``MODEL_CARD.md``) and ``versions.json``, the index: for each version its
parent (what it continued from), its dataset, its command, its metrics and when it was made.
Nothing is ever overwritten, so the model a log was made with stays at hand.

The index is typed (:class:`ModelVersion`, :class:`VersionIndex`); the JSON on disk is the
same as before it was, and keys a later framewise adds are kept when the index is rewritten.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from framewise.core.atomic import write_json
from framewise.core.jsonfile import read_json, validate
from framewise.core.time import format_iso8601

INDEX = "versions.json"
_VERSION = re.compile(r"^v(\d+)$")
_HINT = "or rebuild it from the v*/metrics.json"


class ModelVersion(BaseModel):
    """One entry of the index.

    Attributes:
        version: The run folder's name (``v3``).
        created: When it was recorded (ISO-8601 UTC, as written).
        parent: What it continued from (a ``.pt``, or the architecture YAML).
        data: The dataset's YAML.
        command: The command that trained it.
        model: Its ONNX model.
        metrics: Its validation scores.
    """

    model_config = ConfigDict(extra="allow")

    version: str
    created: str = ""
    parent: str = ""
    data: str = ""
    command: str = ""
    model: str = ""
    metrics: dict[str, float] = Field(default_factory=dict)

    @property
    def number(self) -> int:
        """The version's number (3 for ``v3``; 0 for a run folder named otherwise)."""
        found = _VERSION.match(self.version)
        return int(found[1]) if found else 0


class VersionIndex(BaseModel):
    """``versions.json``: every recorded version, oldest first."""

    model_config = ConfigDict(extra="allow")

    versions: list[ModelVersion] = Field(default_factory=list)


def read_versions(root: Path) -> VersionIndex:
    """The typed index under ``root`` (empty when there is none).

    Raises:
        ConfigError: The index is not valid JSON or not a version index; names the file.
    """
    path = root / INDEX
    if not path.is_file():
        return VersionIndex()
    data = read_json(path, what="version index", hint=_HINT)
    return validate(VersionIndex, data, path, what="version index", hint=_HINT)


def read_index(root: Path) -> list[dict[str, Any]]:
    """The versions recorded under ``root`` as plain mappings (empty when none).

    Raises:
        ConfigError: The index is not valid JSON or not a version index.
    """
    return [v.model_dump(mode="json") for v in read_versions(root).versions]


def next_version_dir(root: Path) -> Path:
    """``root/v<N>`` for the first N above every version folder or index entry."""
    taken = [int(m[1]) for p in root.glob("v*") if (m := _VERSION.match(p.name)) and p.is_dir()]
    taken += [v.number for v in read_versions(root).versions]
    return root / f"v{max(taken, default=0) + 1}"


def record_version(
    run_dir: Path,
    *,
    parent: str,
    data: Path,
    command: str,
    metrics: dict[str, float],
) -> ModelVersion:
    """Add the finished run ``run_dir`` (a ``v<N>`` folder) to its models folder's index."""
    root = run_dir.parent
    entry = ModelVersion(
        version=run_dir.name,
        created=format_iso8601(datetime.now(UTC)),
        parent=parent,
        data=str(data),
        command=command,
        model=str(run_dir / "model.onnx"),
        metrics=metrics,
    )
    index = read_versions(root)
    index.versions = [v for v in index.versions if v.version != run_dir.name] + [entry]
    write_json(root / INDEX, index.model_dump(mode="json"))
    return entry
