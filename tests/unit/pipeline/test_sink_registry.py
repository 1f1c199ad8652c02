"""The sink registry: what each ``sinks:`` entry builds for a batch run, a live run with a
folder, and a live run without one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from framewise.config.pipeline import (
    JsonLogSinkConfig,
    ParquetSinkConfig,
    SinkConfig,
    StoreSinkConfig,
    WebSocketSinkConfig,
)
from framewise.core.events import LogMetadata
from framewise.events.sinks import JsonLogSink, RunResult, ThumbnailSink
from framewise.pipeline.parquet import ParquetSink
from framewise.pipeline.sinks import JournalSink, SinkContext, build_sinks

WHEN = datetime(2026, 1, 15, 18, tzinfo=UTC)
META = LogMetadata(
    video_path="v.mkv",
    session_start_time=WHEN,
    video_duration_seconds=1.0,
    total_frames=10,
    detection_fps=10,
    processed_at=WHEN,
)


class Service:
    """A service's sink: remembers what it was given."""

    def __init__(self) -> None:
        self.seen: list[RunResult] = []

    def write(self, result: RunResult) -> None:
        self.seen.append(result)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass


def _kinds(sinks: Sequence[object]) -> list[type]:
    return [type(s) for s in sinks]


def test_a_batch_run_gets_a_journal_and_a_log_and_ignores_services(tmp_path: Path) -> None:
    sinks = build_sinks([], SinkContext(tmp_path, META), batch=True)
    assert _kinds(sinks) == [JournalSink, ThumbnailSink, JsonLogSink]
    for sink in sinks:
        sink.close()
    configs: list[SinkConfig] = [
        JsonLogSinkConfig(kind="json_log", thumbnails=False),
        WebSocketSinkConfig(kind="websocket"),
        StoreSinkConfig(kind="store", api_url="http://127.0.0.1:9"),
        ParquetSinkConfig(kind="parquet"),
    ]
    sinks = build_sinks(configs, SinkContext(tmp_path, META), batch=True)
    assert _kinds(sinks) == [JournalSink, JsonLogSink, ParquetSink]
    for sink in sinks:
        sink.close()


def test_services_take_their_place_in_the_yaml_or_come_last(tmp_path: Path) -> None:
    socket, store = Service(), Service()
    configs: list[SinkConfig] = [
        WebSocketSinkConfig(kind="websocket"),
        JsonLogSinkConfig(kind="json_log"),
    ]
    context = SinkContext(None, META, services={"websocket": socket, "store": store})
    sinks = build_sinks(configs, context, batch=False)
    assert sinks == [socket, store]  # no folder: the log writes nothing; store not in YAML
    with_folder = SinkContext(tmp_path, META, services={"websocket": socket})
    sinks = build_sinks(configs, with_folder, batch=True)
    assert _kinds(sinks) == [JournalSink, Service, ThumbnailSink, JsonLogSink]
    for sink in sinks:
        sink.close()
