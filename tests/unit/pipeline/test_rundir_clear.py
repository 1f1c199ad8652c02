"""``--overwrite`` clears everything a run wrote, time shards included, and nothing else."""

from __future__ import annotations

from pathlib import Path

from framewise.pipeline.rundir import OUTPUTS, SHARDS_DIR, RunDir


def test_clear_removes_the_runs_outputs_and_its_shards_only(tmp_path: Path) -> None:
    (tmp_path / SHARDS_DIR / "00001").mkdir(parents=True)
    (tmp_path / SHARDS_DIR / "00001" / "journal.jsonl").write_text("{}\n")
    (tmp_path / "events.json").write_text("{}")
    (tmp_path / "notes.txt").write_text("the user's own file")
    RunDir(tmp_path).clear()
    assert SHARDS_DIR in OUTPUTS
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
