"""Chunked stage runs (``--chunk i/n``) and the SLURM job plan, without a scheduler.

The chunks of a stage, run one after another in one folder (a killed one resumed), then the
plain finish, give the tables of a local run; the plan chains stages by afterok, makes row
stages arrays with a finish job, leaves done chunks and complete stages out, and takes each
stage's ``resources:`` over the flags.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from framewise.core.errors import ConfigError
from framewise.pipeline.stages import (
    PipelineSpec,
    load_pipeline,
    pipeline_status,
    read_rows,
    run_pipeline,
)
from framewise.pipeline.stages.chunks import Chunk, done_chunks, run_chunk
from framewise.pipeline.stages.resources import StageResources
from framewise.pipeline.stages.runner import stage_hashes
from framewise.pipeline.stages.slurm import plan_jobs, submit_script
from framewise.pipeline.stages.slurm_status import array_tasks
from framewise.pipeline.stages.table import chunk_files
from tests.unit.stages.stage_kinds import TEST_KINDS

REPO = Path(__file__).resolve().parents[4]
NAMES = ("00_square", "01_add", "02_total")


def _yaml(folder: Path, root: str, resources: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{root}.yaml"
    add = ", resources: {mem: 2G, chunks: 3}" if resources else ""
    total = ", resources: {gpus: 1, partition: gpu, time: '1:00:00'}" if resources else ""
    path.write_text(
        f"root: {root}\nseed: 5\nchunk_rows: 1\nstages:\n"
        "  - {kind: square, n: 11}\n"
        f"  - {{kind: add, offset: 3, copies: 2{add}}}\n"
        f"  - {{kind: total{total}}}\n"
    )
    return path


def _tables(root: Path) -> dict[str, list[dict[str, Any]]]:
    return {name: read_rows(root / name) for name in NAMES}


def test_chunks_then_finish_give_the_local_tables_and_a_rerun_redoes_only_missing_rows(
    tmp_path: Path,
) -> None:
    local = load_pipeline(_yaml(tmp_path, "local", resources=False), TEST_KINDS)
    run_pipeline(local)
    spec = load_pipeline(_yaml(tmp_path, "cluster"), TEST_KINDS)
    assert stage_hashes(spec) == stage_hashes(local)  # resources never change a stage's hash
    run_pipeline(spec, only_stage=0)
    digest = stage_hashes(spec)[1]
    folder = spec.root / "01_add"
    summaries = [run_chunk(spec, 1, Chunk(i, 3)) for i in (2, 0)]
    assert [s.ran_rows for s in summaries] == [3, 4]  # 11 rows: chunks of 4, 4 and 3
    assert done_chunks(folder, 3, digest) == {0, 2}
    # Chunk 1 "killed" after its first row: its own chunk file alone is left, no marker.
    first = run_chunk(spec, 1, Chunk(1, 3))
    assert first.ran_rows == 4
    own = sorted(folder.glob("rows/chunk-c0001of0003-*.parquet"))
    assert len(own) == 4
    for path in own[1:]:
        path.unlink()
    (folder / "chunks" / "0001of0003.json").unlink()
    again = run_chunk(spec, 1, Chunk(1, 3))
    assert (again.state, again.ran_rows, again.rows) == ("resumed", 3, 8)
    assert all(name.startswith("chunk-c") for name in (p.name for p in chunk_files(folder)))
    assert pipeline_state(spec) == "partial"  # no chunk marks the stage complete
    finish = run_pipeline(spec, from_stage=1)
    assert [(s.name, s.ran_rows) for s in finish] == [("01_add", 0), ("02_total", 1)]
    assert _tables(spec.root) == _tables(local.root)
    assert (folder / "table.parquet").read_bytes() == (
        local.root / "01_add" / "table.parquet"
    ).read_bytes()


def pipeline_state(spec: PipelineSpec) -> str:
    return pipeline_status(spec)[1].state


def test_chunk_is_refused_for_bad_specs_and_table_stages(tmp_path: Path) -> None:
    spec = load_pipeline(_yaml(tmp_path, "cluster"), TEST_KINDS)
    for text in ("3/3", "a/2", "1"):
        with pytest.raises(ConfigError, match="--chunk"):
            Chunk.parse(text)
    with pytest.raises(ConfigError, match="has not finished"):
        run_chunk(spec, 1, Chunk(0, 2))
    run_pipeline(spec, from_stage=0)
    with pytest.raises(ConfigError, match="takes whole tables") as error:
        # A finished stage is skipped; a stale one (other params) would run: clear 02 first.
        (spec.root / "02_total" / "manifest.json").unlink()
        run_chunk(spec, 2, Chunk(0, 2))
    assert "--chunk" in error.value.one_line()


def test_plan_chains_stages_with_arrays_finish_jobs_and_per_stage_resources(
    tmp_path: Path,
) -> None:
    path = _yaml(tmp_path, "cluster")
    spec = load_pipeline(path, TEST_KINDS)
    defaults = StageResources(mem="1G", time="00:30:00", partition="cpu")
    jobs = plan_jobs(spec, path, defaults, chunks=2, python="/venv/bin/python")
    assert [(j.name, j.role, j.tasks, j.after) for j in jobs] == [
        ("fw-00_square", "stage", (), ()),  # lists its own rows: one job
        ("fw-01_add", "chunks", (0, 1, 2), ("fw-00_square",)),  # resources.chunks: 3 wins
        ("fw-01_add-finish", "finish", (), ("fw-01_add",)),
        ("fw-02_total", "stage", (), ("fw-01_add-finish",)),  # a table stage: one job
    ]
    array, total = jobs[1].script, jobs[3].script
    assert "#SBATCH --array=0-2" in array
    assert "#SBATCH --mem=2G" in array and "#SBATCH --partition=cpu" in array
    assert '--only-stage 1 --chunk "${SLURM_ARRAY_TASK_ID}/3"' in array
    assert f"#SBATCH --output={spec.root.resolve()}/slurm/fw-01_add-%A_%a.out" in array
    assert "#SBATCH --gres=gpu:1" in total and "#SBATCH --partition=gpu" in total
    assert "#SBATCH --time=1:00:00" in total and "--chunk" not in total
    chain = submit_script(jobs)
    assert "job1=$(sbatch --parsable --dependency=afterok:${job0%%;*} fw-01_add.sh)" in chain
    # Stage 0 complete, chunk 1 of stage 1 done: neither is submitted again.
    run_pipeline(spec, only_stage=0)
    run_chunk(spec, 1, Chunk(1, 3))
    again = plan_jobs(spec, path, defaults, chunks=2)
    assert [(j.name, j.tasks, j.after) for j in again][:2] == [
        ("fw-01_add", (0, 2), ()),
        ("fw-01_add-finish", (), ("fw-01_add",)),
    ]
    assert again[0].array_option() == "--array=0,2"
    # How squeue and sacct write an array's tasks (a pending range, a throttle, a list).
    assert [array_tasks(t) for t in ("3", "[4-7%2]", "1,3-5")] == [[3], [4, 5, 6, 7], [1, 3, 4, 5]]


def test_submit_dry_run_prints_scripts_and_needs_no_scheduler(tmp_path: Path) -> None:
    path = tmp_path / "w4.yaml"
    path.write_text(
        "root: out\nstages:\n  - {kind: index, videos: v, labels: l.csv}\n"
        "  - {kind: augment, count: 1, resources: {cpus: 2, mem: 3G}}\n"
    )
    env = {**os.environ, "PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin"}
    command = [sys.executable, "-m", "framewise", "stages", "submit", str(path)]
    done = subprocess.run(
        [*command, "--dry-run", "--time", "2:00:00", "--array-chunk", "5", "--gpus", "1"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "#SBATCH --array=0-4" in done.stdout
    assert "#SBATCH --cpus-per-task=2" in done.stdout and "#SBATCH --mem=3G" in done.stdout
    assert done.stdout.count("#SBATCH --time=2:00:00") == 3  # index, array, finish
    assert done.stdout.count("#SBATCH --gres=gpu:1") == 2  # not the finish job
    assert "--dependency=afterok:${job1%%;*} fw-01_augment-finish.sh" in done.stdout
    bad = subprocess.run(
        [*command, "--mem", "lots"], capture_output=True, text=True, cwd=REPO, check=False
    )
    assert bad.returncode == 2
    assert "--mem" in bad.stderr and "4G" in bad.stderr and "Traceback" not in bad.stderr
