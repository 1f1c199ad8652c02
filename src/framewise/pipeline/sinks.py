"""Sinks built from the pipeline YAML's ``sinks:`` through one explicit registry.

Each ``kind`` maps to a factory that takes its config entry and the run's
:class:`SinkContext` and returns the sinks it stands for (``json_log`` is a thumbnail sink
followed by the log sink, so events have their thumbnail before the log takes them). Kinds
that send to a running service (``websocket``, ``store``) take their sink from the context's
``services``, which the live service fills (it owns the server and the store client); a batch
run has none, so they write nothing there. Sinks that write files write nothing in a run
with no folder (a live run without ``--output``).

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
    AnnotationsSinkConfig,
    JournalSinkConfig,
    JsonLogSinkConfig,
    ParquetSinkConfig,
    SinkConfig,
    StoreSinkConfig,
    WebSocketSinkConfig,
)
from framewise.core.events import LogMetadata
from framewise.events.annotations import AnnotationsSink
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
        services: Sink kind → the sink of a running service (``websocket``, ``store``).
    """

    out_dir: Path | None
    metadata: LogMetadata
    journal_keep: Sequence[JournalEntry] = field(default_factory=tuple)
    source_id: str = ""
    services: Mapping[str, Sink] = field(default_factory=dict)


class JournalSink:
    """Appends every processed frame's detections to the journal; checkpoints on flush."""

    def __init__(self, path: Path, keep: Sequence[JournalEntry] = ()) -> None:
        self.writer = JournalWriter(path, keep=keep)

    def write(self, result: RunResult) -> None:
        """Journal a processed frame (not a replayed or pre-roll one)."""
        if result.frame is not None and result.output is not None:
            entry = JournalEntry(result.index, result.seconds, result.output, result.repeated_from)
            self.writer.write(entry)
            self.writer.hand_off()

    def flush(self) -> None:
        """Make the journal durable (fsync)."""
        self.writer.checkpoint()

    def close(self) -> None:
        """Checkpoint and close."""
        self.writer.close()


def _json_log(config: JsonLogSinkConfig, context: SinkContext) -> list[Sink]:
    if context.out_dir is None:
        return []
    out = context.out_dir
    sinks: list[Sink] = []
    if config.thumbnails:
        thumbnails = ThumbnailSink(
            out, max_side=config.thumbnail_max_side, quality=config.jpeg_quality
        )
        sinks.append(thumbnails)
    sinks.append(JsonLogSink(out, context.metadata))
    return sinks


def _journal(config: JournalSinkConfig, context: SinkContext) -> list[Sink]:
    if context.out_dir is None:
        return []
    return [JournalSink(context.out_dir / JOURNAL_NAME, context.journal_keep)]


def _parquet(config: ParquetSinkConfig, context: SinkContext) -> list[Sink]:
    if context.out_dir is None:
        return []
    path = context.out_dir / config.path
    return [
        ParquetSink(path, source_id=context.source_id, row_group_frames=config.row_group_frames)
    ]


def _annotations(config: AnnotationsSinkConfig, context: SinkContext) -> list[Sink]:
    if context.out_dir is None:
        return []
    return [AnnotationsSink(context.out_dir, context.metadata)]


def _served(config: WebSocketSinkConfig | StoreSinkConfig, context: SinkContext) -> list[Sink]:
    service = context.services.get(config.kind)
    return [service] if service is not None else []


SinkFactory = Callable[[Any, SinkContext], list[Sink]]

SINKS: Mapping[str, SinkFactory] = MappingProxyType(
    {
        "json_log": _json_log,
        "journal": _journal,
        "parquet": _parquet,
        "annotations": _annotations,
        "websocket": _served,
        "store": _served,
    }
)
"""Sink kind (``kind:`` in the YAML) → factory of the sinks it stands for."""


def build_sinks(configs: Sequence[SinkConfig], context: SinkContext, *, batch: bool) -> list[Sink]:
    """The sinks of ``configs``, in order, for one run.

    Batch runs always get a journal (their checkpoint) and, when the YAML names no
    ``json_log``, the default event log with thumbnails, as before sinks were configurable.
    A service in the context that the YAML does not name is added at the end (the live
    service's WebSocket is always on; ``--store`` turns the store on from the command line).

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
        sinks.extend(service for kind, service in context.services.items() if kind not in kinds)
    except BaseException:
        for sink in sinks:
            sink.close()
        raise
    return sinks
