"""Run folders: one folder per run that holds its resolved config, a manifest and its outputs.

A run folder is where a run's results and checkpoints live (``events.json``, the journal,
thumbnails, tables). It also keeps the configuration that made them, resolved (every default
filled in, every path absolute) and hashed together with the files it names (models, state
machine), so a later run in the same folder knows whether it is the same run:

* the same configuration: a complete run is skipped, an interrupted one resumes;
* another configuration: refused with the settings that changed, unless told to start over
  (``overwrite``), because a resume would mix two runs' results in one log.

Settings that change only speed — fields marked ``json_schema_extra={"speed_only": True}``,
such as ``batch_size`` and ``device`` — are left out of the hash: a run interrupted at one
batch size resumes at another.

Example:
    >>> run = RunDir(Path("events/stream"))  # doctest: +SKIP
    >>> state = run.prepare(config, {"confidence": None}, overwrite=False)  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from framewise import __version__
from framewise.core.atomic import write_json, write_text
from framewise.core.errors import ConfigError
from framewise.events.annotations import ANNOTATIONS_NAME, FRAME_EMBEDDINGS, OBJECT_EMBEDDINGS
from framewise.events.log import read_event_log
from framewise.events.sinks import JOURNAL_NAME, LOG_NAME, THUMBNAILS

CONFIG_NAME = "config.yaml"
MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 1
SHARDS_DIR = "shards"
"""The time shards of a ``--shard-sec`` run (removed once it finishes; see pipeline/shards.py)."""

OUTPUTS = (
    LOG_NAME,
    JOURNAL_NAME,
    f"{JOURNAL_NAME}.arrays",
    THUMBNAILS,
    "detections.parquet",
    ANNOTATIONS_NAME,
    FRAME_EMBEDDINGS,
    OBJECT_EMBEDDINGS,
    SHARDS_DIR,
)
"""What a run writes into its folder, besides the config and manifest (removed to start over)."""


class RunState(StrEnum):
    """What :meth:`RunDir.prepare` found."""

    NEW = "new"
    RESUME = "resume"
    COMPLETE = "complete"


def _walk_files(value: Any) -> Iterator[Path]:
    """Every existing file a config names, in a stable order."""
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _walk_files(getattr(value, name))
    elif isinstance(value, Mapping):
        for key in sorted(value, key=str):
            yield from _walk_files(value[key])
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _walk_files(item)
    elif isinstance(value, Path) and value.is_file():
        yield value


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def resolved_config(config: BaseModel, parameters: Mapping[str, Any]) -> dict[str, Any]:
    """The config as plain data (every default filled in) plus the run's own parameters."""
    return {"config": config.model_dump(mode="json"), "parameters": dict(parameters)}


def _speed_only(field: FieldInfo) -> bool:
    extra = field.json_schema_extra
    return isinstance(extra, dict) and extra.get("speed_only") is True


def _results_only(value: Any, dumped: Any) -> Any:
    """``dumped`` (``value`` as JSON data) without the fields marked speed-only."""
    if isinstance(value, BaseModel) and isinstance(dumped, dict):
        fields = type(value).model_fields
        return {
            key: _results_only(getattr(value, key), item) if key in fields else item
            for key, item in dumped.items()
            if key not in fields or not _speed_only(fields[key])
        }
    if isinstance(value, list | tuple) and isinstance(dumped, list) and len(value) == len(dumped):
        return [_results_only(v, d) for v, d in zip(value, dumped, strict=True)]
    if isinstance(value, Mapping) and isinstance(dumped, dict):
        return {k: _results_only(value[k], d) if k in value else d for k, d in dumped.items()}
    return dumped


def config_hash(
    config: BaseModel, parameters: Mapping[str, Any], *, speed_settings: bool = False
) -> str:
    """SHA-256 of the resolved config, the run's parameters and the content of the files named.

    A retrained model at the same path, or an edited state machine, changes the hash too;
    speed-only settings (batch size, device) do not.

    Args:
        config: The validated configuration.
        parameters: The run's own settings.
        speed_settings: Hash the speed-only settings too (how folders written before they
            were left out were hashed).
    """
    payload = resolved_config(config, parameters)
    if not speed_settings:
        payload["config"] = _results_only(config, payload["config"])
    payload["files"] = {str(path): _sha256(path) for path in _walk_files(config)}
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, Mapping):
        flat: dict[str, Any] = {}
        for key, item in value.items():
            flat.update(_flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(value, list):
        flat = {}
        for i, item in enumerate(value):
            flat.update(_flatten(item, f"{prefix}[{i}]"))
        return flat or {prefix: []}
    return {prefix: value}


def changed_settings(
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    limit: int = 3,
    ignore: frozenset[str] = frozenset(),
) -> str:
    """``a.b (1 → 2), c (x → y)``: the settings that differ between two resolved configs.

    Flattened keys in ``ignore`` (speed-only settings) are not listed.
    """
    before, after = _flatten(old), _flatten(new)
    differ = (k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    keys = sorted(k for k in differ if k not in ignore)
    shown = [f"{k.removeprefix('config.')} ({before.get(k)!r} → {after.get(k)!r})" for k in keys]
    more = f" and {len(shown) - limit} more" if len(shown) > limit else ""
    return ", ".join(shown[:limit]) + more if shown else "the files it names (model, tables)"


@dataclass(frozen=True)
class Manifest:
    """What a run folder says about its run."""

    config_hash: str
    framewise_version: str
    started_at: str
    status: str
    summary: dict[str, Any]
    legs: list[dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        """JSON-ready, with the manifest's own version."""
        return {
            "manifest_version": MANIFEST_VERSION,
            "config_hash": self.config_hash,
            "framewise_version": self.framewise_version,
            "started_at": self.started_at,
            "status": self.status,
            "summary": self.summary,
            "legs": self.legs,
        }


class RunDir:
    """The layout and bookkeeping of one run's folder.

    Args:
        path: The folder (created on :meth:`prepare`).
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._hash: str | None = None
        self._started: str | None = None
        self.legs: list[dict[str, Any]] = []
        """What each earlier leg of an interrupted run did (``source_stats``, ``wall_seconds``),
        as last checkpointed; a resumed run adds them to its own figures."""
        self._leg: dict[str, Any] | None = None

    @property
    def log(self) -> Path:
        """The JSON event log."""
        return self.path / LOG_NAME

    @property
    def journal(self) -> Path:
        """The detection journal (the checkpoint a resume replays)."""
        return self.path / JOURNAL_NAME

    @property
    def config_file(self) -> Path:
        """The resolved config, as YAML."""
        return self.path / CONFIG_NAME

    @property
    def manifest_file(self) -> Path:
        """The manifest (config hash, status, summary)."""
        return self.path / MANIFEST_NAME

    def read_manifest(self) -> dict[str, Any] | None:
        """The manifest as written, or ``None`` when there is none (or it is unreadable)."""
        try:
            payload = json.loads(self.manifest_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return payload if isinstance(payload, dict) else None

    def prepare(
        self, config: BaseModel, parameters: Mapping[str, Any], *, overwrite: bool = False
    ) -> RunState:
        """Check the folder against this run's config, then record the config.

        Args:
            config: The run's validated configuration.
            parameters: Settings given outside the config that change the results
                (e.g. the confidence override, the session start).
            overwrite: Start over: remove what an earlier run wrote here.

        Returns:
            ``COMPLETE`` (an identical run finished here: nothing to do), ``RESUME`` (an
            identical run was interrupted) or ``NEW``.

        Raises:
            ConfigError: An earlier run here used another configuration.
        """
        digest = config_hash(config, parameters)
        resolved = resolved_config(config, parameters)
        manifest = self.read_manifest()
        state = RunState.NEW
        if overwrite:
            self.clear()
        elif manifest is not None:
            self._refuse_another(manifest.get("config_hash"), digest, config, parameters)
            complete = manifest.get("status") == "complete"
            state = RunState.COMPLETE if complete else RunState.RESUME
            self._started = str(manifest.get("started_at") or "")
            legs = manifest.get("legs")
            self.legs = [leg for leg in legs if isinstance(leg, dict)] if legs else []
        elif self.log.exists():
            # A folder from before run manifests: its config is unknown, so trust it as before.
            legacy_complete = read_event_log(self.log).metadata.complete
            state = RunState.COMPLETE if legacy_complete else RunState.RESUME
        self._hash = digest
        self._started = self._started or datetime.now(UTC).isoformat()
        if state is not RunState.COMPLETE:
            write_text(self.config_file, yaml.safe_dump(resolved, sort_keys=False))
            self._write("running", {})
        return state

    def _refuse_another(
        self, recorded: Any, digest: str, config: BaseModel, parameters: Mapping[str, Any]
    ) -> None:
        """Refuse a folder whose run had another configuration (speed-only settings aside)."""
        if recorded == digest:
            return
        # Folders written before speed-only settings left the hash have them hashed in.
        if recorded is not None and recorded == config_hash(
            config, parameters, speed_settings=True
        ):
            return
        resolved = resolved_config(config, parameters)
        hashed = {**resolved, "config": _results_only(config, resolved["config"])}
        speed = frozenset(_flatten(resolved).keys() - _flatten(hashed).keys())
        raise ConfigError(
            "this run folder holds a run made with another configuration "
            f"(changed: {changed_settings(self._old_config(), resolved, ignore=speed)})",
            subject=self.path,
            hint="choose another --output folder, or pass --overwrite to start over",
        )

    def checkpoint(self, source_stats: Mapping[str, Any], wall_seconds: float) -> None:
        """Record what this leg has done so far (a resume after a crash adds it to its own)."""
        self._leg = {"source_stats": dict(source_stats), "wall_seconds": round(wall_seconds, 3)}
        self._write("running", {})

    def finish(self, summary: Mapping[str, Any]) -> None:
        """Mark the run complete, with its summary."""
        self._leg = None
        self._write("complete", dict(summary))

    def clear(self) -> None:
        """Remove what a run wrote here (outputs, config, manifest); keep anything else."""
        for name in (*OUTPUTS, CONFIG_NAME, MANIFEST_NAME):
            target = self.path / name
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)
            else:
                target.unlink(missing_ok=True)

    def _old_config(self) -> dict[str, Any]:
        try:
            loaded = yaml.safe_load(self.config_file.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError):
            return {}
        return loaded if isinstance(loaded, dict) else {}

    def _write(self, status: str, summary: dict[str, Any]) -> None:
        if self._hash is None:
            raise RuntimeError("RunDir.prepare() must come first")
        legs = [*self.legs, self._leg] if self._leg is not None else list(self.legs)
        manifest = Manifest(self._hash, __version__, self._started or "", status, summary, legs)
        write_json(self.manifest_file, manifest.to_json())
