"""``--store``: a replay through live mode fills a real event store (SQLite, HTTP on
127.0.0.1) with the rows that importing the batch log of the same file creates."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import httpx

from framewise.config.pipeline import PipelineConfig
from framewise.importer.runner import Importer
from framewise.live.service import LiveService, ServiceOptions
from framewise.live.sources import parse_source
from framewise.pipeline.runner import Pipeline
from framewise.store.client import StoreClient
from framewise.store.local import BackgroundStore
from framewise.store.settings import StoreSettings

Rows = dict[str, list[tuple[object, ...]]]

QUERIES = {
    "sessions": "SELECT session_type, started_at, ended_at FROM stream_sessions",
    "raids": "SELECT map_name, character_type, game_mode, started_at, ended_at, current_state, "
    "extract_location FROM raids ORDER BY started_at",
    "transitions": "SELECT to_state, transitioned_at FROM raid_state_transitions "
    "ORDER BY transitioned_at, transition_id",
    "kills": "SELECT enemy_type, weapon_used, headshot, killed_at FROM kills ORDER BY killed_at",
}


def dump(data_dir: Path) -> Rows:
    with sqlite3.connect(data_dir / "events.sqlite3") as db:
        return {name: list(db.execute(sql).fetchall()) for name, sql in QUERIES.items()}


def seconds(value: object) -> float:
    return datetime.fromisoformat(str(value)).timestamp()


def test_live_store_rows_equal_the_imported_batch_log(
    workspace: Path, pipeline: PipelineConfig, tmp_path: Path
) -> None:
    clip = workspace / "colours.mkv"
    with BackgroundStore(StoreSettings(data_dir=tmp_path / "live", port=0)) as store:
        options = ServiceOptions(port=0, store_url=store.url, session_type="practice")
        # Every frame paced, none dropped: a dropped frame (a busy machine) moves an episode's
        # end by a sample or two, and how many are dropped is not repeatable.
        spec = replace(parse_source(str(clip), replay=True, speed=4), keep_newest=False)
        with LiveService(pipeline, spec, options) as svc:
            svc.start_pipeline()
            assert svc.runner.join(30)
            writer = httpx.get(f"{svc.url}/stats").json()["store"]
        live = dump(tmp_path / "live")
    # 2 raids, 3 transitions in raids (raid→killed, and the raid_end's own), 2 kills.
    assert writer["failed"] == 0, writer["last_error"]
    assert writer["sent"] == 6  # raid, transition, kill, end, raid, kill
    assert writer["skipped"] == 2  # the transitions into each raid come before its raid_start

    batch = Pipeline(pipeline)
    try:
        run = batch.process_video(clip, tmp_path / "batch", session_type="practice")
    finally:
        batch.close()
    with BackgroundStore(StoreSettings(data_dir=tmp_path / "imported", port=0)) as store:
        with StoreClient(store.url) as client:
            summary = Importer(client, mode="single", echo=lambda _: None).run([run.log_path])
        assert summary.ok, summary.failures
        imported = dump(tmp_path / "imported")

    assert [r[:3] for r in live["raids"]] == [("customs", "pmc", "pve")] * 2
    assert [r[5] for r in live["raids"]] == ["killed", "unknown"]  # the 2nd is open at the end
    for name in QUERIES:
        assert len(live[name]) == len(imported[name]), name
        for ours, theirs in zip(live[name], imported[name], strict=True):
            for a, b in zip(ours, theirs, strict=True):
                if isinstance(a, str) and a[:2] == "20" and isinstance(b, str):
                    assert abs(seconds(a) - seconds(b)) <= 0.1, (name, ours, theirs)
                else:
                    assert a == b, (name, ours, theirs)
