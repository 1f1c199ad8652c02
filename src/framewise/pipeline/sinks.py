"""Sinks built from the pipeline YAML's ``sinks:`` through one explicit registry.

Each ``kind`` maps to a factory that takes its config entry and the run's
:class:`SinkContext` and returns the sinks it stands for (``json_log`` is a thumbnail sink
followed by the log sink, so events have their thumbnail before the log takes them). Kinds
that need a running service (``websocket``, ``store``) are built by the live service, which
owns the server and the store client, and are skipped here.

Example:
    >>> sinks = build_sinks(config.sinks, SinkContext(out, metadata), batch=True)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

from pydantic import BaseModel

from framewise.config.pipeline import (
    JournalSinkConfig,
    JsonLogSinkConfig,
    ParquetSinkConfig,
    SinkConfig,
)
from framewise.core.errors import ConfigError
from framewise.core.events import LogMetadata
from framewise.events.journal import JournalEntry, JournalWriter
from framewise.events.sinks import JOURNAL_NAME, JsonLogSink, RunResult, Sink, ThumbnailSink
from framewise.pipeline.parquet import ParquetSink

C = TypeVar("C", bound=BaseModel)


@dataclass(frozen=True)
class SinkContext:
    """What sinks need to know about the run they write.

    Attributes:
        out_dir: The run folder (``None``: the run keeps no files, e.g. a live preview).
        metadata: The event log's metadata block.
        journal_keep: Journal entries of an interrupted run that the journal keeps.
        source_id: Names the source in tables.
    """

    out_dir: Path | None
    metadata: LogMetadata
    journal_keep: Sequence[JournalEntry] = field(default_factory=tuple)
    source_id: str = ""

    def folder(self, kind: str) -> Path:
        """The run folder, or a clear error for a sink that writes files."""
        if self.out_dir is None:
            raise ConfigError(
                f"the {kind!r} sink writes files, and this run has no output folder",
                subject="sinks",
                hint="give the run an output folder (--output) or remove the sink",
            )
        return self.out_dir


class JournalSink:
    """Appends every processed frame's detections to the journal; checkpoints on flush."""

    def __init__(self, path: Path, keep: Sequence[JournalEntry] = ()) -> None:
        self.writer = JournalWriter(path, keep=keep)

    def write(self, result: RunResult) -> None:
        """Journal a processed frame (not a replayed or pre-roll one)."""
        if result.frame is not None and result.output is not None:
            self.writer.write(JournalEntry(result.index, result.seconds, result.output))

    def flush(self) -> None:
        """Make the journal durable (fsync)."""
        self.writer.checkpoint()

    def close(self) -> None:
        """Checkpoint and close."""
        self.writer.close()


def _json_log(config: JsonLogSinkConfig, context: SinkContext) -> list[Sink]:
    out = context.folder(config.kind)
    sinks: list[Sink] = []
    if config.thumbnails:
        thumbnails = ThumbnailSink(
            out, max_side=config.thumbnail_max_side, quality=config.jpeg_quality
        )
        sinks.append(thumbnails)
    sinks.append(JsonLogSink(out, context.metadata))
    return sinks


def _journal(config: JournalSinkConfig, context: SinkContext) -> list[Sink]:
    return [JournalSink(context.folder(config.kind) / JOURNAL_NAME, context.journal_keep)]


def _parquet(config: ParquetSinkConfig, context: SinkContext) -> list[Sink]:
    path = context.folder(config.kind) / config.path
    return [
        ParquetSink(path, source_id=context.source_id, row_group_frames=config.row_group_frames)
    ]


def _served(config: BaseModel, context: SinkContext) -> list[Sink]:
    return []  # built by the live service, which owns the server or the store client


SinkFactory = Callable[[Any, SinkContext], list[Sink]]

SINKS: Mapping[str, SinkFactory] = MappingProxyType(
    {
        "json_log": _json_log,
        "journal": _journal,
        "parquet": _parquet,
        "websocket": _served,
        "store": _served,
    }
)
"""Sink kind (``kind:`` in the YAML) → factory of the sinks it stands for."""

SERVED = frozenset({"websocket", "store"})
"""Kinds the live service builds itself."""


def build_sinks(configs: Sequence[SinkConfig], context: SinkContext, *, batch: bool) -> list[Sink]:
    """The sinks of ``configs``, in order, for one run.

    Batch runs always get a journal (their checkpoint) and, when the YAML names no
    ``json_log``, the default event log with thumbnails, as before sinks were configurable.

    Args:
        configs: The YAML's ``sinks`` entries.
        context: The run folder and log metadata.
        batch: A batch run (journal and event log are implied).
    """
    entries: list[SinkConfig] = list(configs)
    kinds = {c.kind for c in entries}
    if batch and "journal" not in kinds:
        entries.insert(0, JournalSinkConfig(kind="journal"))
    if batch and "json_log" not in kinds:
        entries.append(JsonLogSinkConfig(kind="json_log"))
    sinks: list[Sink] = []
    try:
        for config in entries:
            sinks.extend(SINKS[config.kind](config, context))
    except BaseException:
        for sink in sinks:
            sink.close()
        raise
    return sinks
