"""The stage runner: resume after kill -9, failures per row, params changes re-run downstream."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from framewise.core.errors import ConfigError
from framewise.pipeline.stages import (
    LocalExecutor,
    load_pipeline,
    pipeline_status,
    read_rows,
    run_pipeline,
)
from framewise.pipeline.stages.table import chunk_files
from tests.unit.stages.stage_kinds import TEST_KINDS

REPO = Path(__file__).resolve().parents[3]


def _yaml(folder: Path, square: str = "n: 10", add: str = "offset: 1") -> Path:
    path = folder / "pipeline.yaml"
    path.write_text(
        "root: out\nseed: 7\nchunk_rows: 3\nstages:\n"
        f"  - {{kind: square, {square}}}\n"
        f"  - {{kind: add, {add}, copies: 2}}\n"
        "  - {kind: total}\n"
    )
    return path


def _tables(root: Path) -> dict[str, list[dict[str, Any]]]:
    return {name: read_rows(root / name) for name in ("00_square", "01_add", "02_total")}


def _mtimes(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in chunk_files(folder)}


def test_resume_after_kill_9_gives_the_tables_of_an_uninterrupted_run(tmp_path: Path) -> None:
    clean, killed = tmp_path / "clean", tmp_path / "killed"
    clean.mkdir()
    killed.mkdir()
    marker = killed / "killed.flag"
    run_pipeline(load_pipeline(_yaml(clean, f"n: 10, marker: '{clean / 'never'}'"), TEST_KINDS))
    # The clean run names another marker: params differ only there, so compare row values.
    spec_path = _yaml(killed, f"n: 10, kill_at: 7, marker: '{marker}'")
    code = (
        "import sys; from framewise.pipeline.stages import load_pipeline, run_pipeline;"
        "from tests.unit.stages.stage_kinds import TEST_KINDS;"
        "run_pipeline(load_pipeline(sys.argv[1], TEST_KINDS))"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    child = subprocess.run([sys.executable, "-c", code, str(spec_path)], env=env, check=False)
    assert child.returncode == -9
    assert marker.exists()
    # Rows 0-5 were in two chunks, row 6 was in flight (buffered) and is lost; no table yet.
    before = read_rows(killed / "out" / "00_square")
    assert [row["key"] for row in before] == [f"r{i:03d}" for i in range(6)]
    assert not (killed / "out" / "00_square" / "table.parquet").exists()
    assert [s.state for s in pipeline_status(load_pipeline(spec_path, TEST_KINDS))] == [
        "partial",
        "not started",
        "not started",
    ]
    summaries = run_pipeline(load_pipeline(spec_path, TEST_KINDS))
    assert [(s.state, s.ran_rows) for s in summaries] == [("resumed", 4), ("ran", 10), ("ran", 1)]
    want, got = _tables(clean / "out"), _tables(killed / "out")
    assert got == want
    assert got["02_total"][0]["total"] == sum(i * i + 1 + i * i + 2 for i in range(10))
    files = sorted(p.name for p in (killed / "out" / "00_square" / "files").iterdir())
    assert len(files) == 10 and not any(name.startswith(".") for name in files)


def test_a_failing_row_is_recorded_and_the_others_finish(tmp_path: Path) -> None:
    spec = load_pipeline(_yaml(tmp_path, "n: 5, fail_keys: [r002]"), TEST_KINDS)
    summaries = run_pipeline(spec)
    assert (summaries[0].rows, summaries[0].failed) == (4, 1)
    assert summaries[0].errors == ["r002: ValueError: bad row 2"]
    rows = read_rows(tmp_path / "out" / "00_square")
    assert [row["error"] is None for row in rows] == [True, True, False, True, True]
    assert len(read_rows(tmp_path / "out" / "01_add")) == 8  # the failed row has no copies
    again = run_pipeline(spec)
    assert [s.state for s in again] == ["skipped", "skipped", "skipped"]


def test_a_params_change_reruns_that_stage_and_the_ones_after_only(tmp_path: Path) -> None:
    run_pipeline(load_pipeline(_yaml(tmp_path), TEST_KINDS))
    root = tmp_path / "out"
    square_chunks = _mtimes(root / "00_square")
    spec = load_pipeline(_yaml(tmp_path, add="offset: 5"), TEST_KINDS)
    assert [s.state for s in pipeline_status(spec)] == ["complete", "stale", "stale"]
    summaries = run_pipeline(spec)
    assert [s.state for s in summaries] == ["skipped", "ran", "ran"]
    assert _mtimes(root / "00_square") == square_chunks
    assert read_rows(root / "02_total")[0]["total"] == sum(2 * i * i + 11 for i in range(10))


def test_csv_on_request(tmp_path: Path) -> None:
    path = _yaml(tmp_path, "n: 3")
    path.write_text(path.read_text().replace("chunk_rows: 3\n", "chunk_rows: 3\ncsv: true\n"))
    run_pipeline(load_pipeline(path, TEST_KINDS))
    lines = (tmp_path / "out" / "01_add" / "table.csv").read_text().splitlines()
    assert len(lines) == 7 and "added" in lines[0].split(",")


def test_only_stage_refuses_when_its_input_is_unfinished(tmp_path: Path) -> None:
    spec = load_pipeline(_yaml(tmp_path), TEST_KINDS)
    with pytest.raises(ConfigError, match="has not finished"):
        run_pipeline(spec, only_stage=1)
    run_pipeline(spec, only_stage=0)
    assert [s.state for s in run_pipeline(spec, from_stage=1)] == ["ran", "ran"]


def test_rows_are_seeded_by_key_not_by_order(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    run_pipeline(load_pipeline(_yaml(first, "n: 4"), TEST_KINDS))
    run_pipeline(load_pipeline(_yaml(second, "n: 6"), TEST_KINDS))
    draws_a = {r["key"]: r["draw"] for r in read_rows(first / "out" / "00_square")}
    draws_b = {r["key"]: r["draw"] for r in read_rows(second / "out" / "00_square")}
    assert all(draws_b[key] == draw for key, draw in draws_a.items())
    assert len(set(draws_b.values())) == 6


def test_a_bad_stage_entry_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("root: out\nstages:\n  - kind: square\n    n: 3\n  - kind: add\n    ofset: 2\n")
    with pytest.raises(ConfigError, match=r"p\.yaml:6"):
        load_pipeline(path, TEST_KINDS)


def test_a_pool_of_worker_processes_writes_the_same_tables(tmp_path: Path) -> None:
    serial, pooled = tmp_path / "serial", tmp_path / "pooled"
    serial.mkdir()
    pooled.mkdir()
    run_pipeline(load_pipeline(_yaml(serial, "n: 9"), TEST_KINDS))
    run_pipeline(load_pipeline(_yaml(pooled, "n: 9"), TEST_KINDS), executor=LocalExecutor(2))
    assert _tables(pooled / "out") == _tables(serial / "out")


def test_cli_status_and_an_unknown_executor(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("root: out\nstages:\n  - {kind: index, videos: v, labels: l.csv}\n")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    status = subprocess.run(
        [sys.executable, "-m", "framewise", "stages", "status", str(path)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert status.returncode == 0 and "not started" in status.stdout
    refused = subprocess.run(
        [sys.executable, "-m", "framewise", "stages", "run", str(path), "--executor", "spark"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert refused.returncode == 2 and "unknown executor 'spark'" in refused.stderr
