"""Model versions: each retrain is a numbered run beside the ones before it.

A models folder holds ``v1/``, ``v2/``, ... (each a full run: ``model.pt``, ``model.onnx``,
``metrics.json``, ``MODEL_CARD.md``) and ``versions.json``, the index: for each version its
parent (what it continued from), its dataset, its command, its metrics and when it was made.
Nothing is ever overwritten, so the model a log was made with stays at hand.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from framewise.core.atomic import write_json
from framewise.core.jsonfile import read_json
from framewise.core.time import format_iso8601

INDEX = "versions.json"
_VERSION = re.compile(r"^v(\d+)$")


def read_index(root: Path) -> list[dict[str, Any]]:
    """The versions recorded under ``root`` (empty when none).

    Raises:
        ConfigError: The index is not valid JSON.
    """
    path = root / INDEX
    if not path.is_file():
        return []
    data = read_json(path, what="version index", hint="or rebuild it from the v*/metrics.json")
    versions: list[dict[str, Any]] = data.get("versions", []) if isinstance(data, dict) else []
    return versions


def next_version_dir(root: Path) -> Path:
    """``root/v<N>`` for the first N above every version folder or index entry."""
    taken = [int(m[1]) for p in root.glob("v*") if (m := _VERSION.match(p.name)) and p.is_dir()]
    taken += [int(str(v.get("version", "v0"))[1:] or 0) for v in read_index(root)]
    return root / f"v{max(taken, default=0) + 1}"


def record_version(
    run_dir: Path,
    *,
    parent: str,
    data: Path,
    command: str,
    metrics: dict[str, float],
) -> dict[str, Any]:
    """Add the finished run ``run_dir`` (a ``v<N>`` folder) to its models folder's index."""
    root = run_dir.parent
    entry: dict[str, Any] = {
        "version": run_dir.name,
        "created": format_iso8601(datetime.now(UTC)),
        "parent": parent,
        "data": str(data),
        "command": command,
        "model": str(run_dir / "model.onnx"),
        "metrics": metrics,
    }
    versions = [v for v in read_index(root) if v.get("version") != run_dir.name]
    write_json(root / INDEX, {"versions": [*versions, entry]})
    return entry
