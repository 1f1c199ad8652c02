"""A two-stage W4 pipeline on a real one-node SLURM: submitted, a task killed, resubmitted.

``stages submit`` sends the index as one job and the augment stage as an array of 2 chunks
with a finish job; chunk 1 is cancelled after its first row; ``stages status`` names the
failure, its log and the command to resubmit; that command reruns chunk 1 (its missing rows
only) and the finish job; the tables equal a local run's.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from framewise.pipeline.stages import load_pipeline, pipeline_status, read_rows, run_pipeline
from framewise.pipeline.stages.chunks import Chunk, marker
from framewise.pipeline.stages.slurm_status import query_states
from tests.integration.stages.conftest import lavfi_clip

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[3]
NAMES = ("00_index", "01_augment")
SOURCES = (
    "testsrc2",
    "smptebars",
    "testsrc",
    "rgbtestsrc",
    "yuvtestsrc",
    "smptehdbars",
    "pal75bars",
    "pal100bars",
)


def _pipeline(folder: Path, root: str, videos: Path) -> Path:
    path = folder / f"{root}.yaml"
    path.write_text(
        f"root: {root}\nseed: 3\nchunk_rows: 1\nstages:\n"
        f"  - {{kind: index, videos: {videos / 'videos'}, labels: {videos / 'labels.csv'}}}\n"
        "  - kind: augment\n    count: 2\n    kinds: [flip, reverse, blur]\n"
        "    resources: {cpus: 1, mem: 256M}\n"
    )
    return path


def _clips(folder: Path) -> Path:
    (folder / "videos").mkdir(parents=True)
    lines = ["path,label,group"]
    for i, source in enumerate(SOURCES):
        lavfi_clip(folder / "videos" / f"v{i}.mp4", source, seconds=2.0)
        lines.append(f"v{i}.mp4,{'real' if i % 2 else 'fake'},g{i}")
    (folder / "labels.csv").write_text("\n".join(lines) + "\n")
    return folder


def _cli(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "framewise", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _until(check: Callable[[], bool], seconds: float, what: str, every: float = 0.2) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(every)


def _tables(root: Path) -> dict[str, list[dict[str, Any]]]:
    return {name: read_rows(root / name) for name in NAMES}


def test_a_killed_array_task_resubmitted_gives_the_tables_of_a_local_run(
    tmp_path: Path, slurm_cluster: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLURM_CONF", slurm_cluster["SLURM_CONF"])
    videos = _clips(tmp_path / "set")
    env = {**os.environ, **slurm_cluster}
    spec_path = _pipeline(tmp_path, "cluster", videos)
    submitted = _cli(["stages", "submit", str(spec_path), "--array-chunk", "2"], env)
    jobs = {line.split()[1]: line.split() for line in submitted.splitlines() if line[:1].isdigit()}
    assert set(jobs) == {"fw-00_index", "fw-01_augment", "fw-01_augment-finish"}
    array, finish = jobs["fw-01_augment"][0], jobs["fw-01_augment-finish"][0]
    assert jobs["fw-01_augment"][2:] == ["array", "0,1", "after", jobs["fw-00_index"][0]]

    # Kill chunk 1 once its first row is written (one row per chunk file).
    folder = tmp_path / "cluster" / "01_augment"
    _until(lambda: any(folder.glob("rows/chunk-c0001of0002-*.parquet")), 240, "chunk 1's row", 0.01)
    subprocess.run(["scancel", f"{array}_1"], env=env, check=True)

    def settled() -> bool:
        states = query_states([array])
        return states.get((array, 0), ("",))[0] == "COMPLETED" and states.get((array, 1), ("",))[
            0
        ] in {"CANCELLED", "FAILED"}

    _until(settled, 240, "chunk 0 done and chunk 1 cancelled")
    assert not marker(folder, Chunk(1, 2)).exists(), "chunk 1 finished before it was killed"
    kept = {row["input_key"] for row in read_rows(folder)} - {
        str(row["key"]) for row in Chunk(0, 2).select(read_rows(tmp_path / "cluster" / "00_index"))
    }
    assert 1 <= len(kept) < 4  # chunk 1 has 4 of the 8 videos

    # slurmctld gives the finish job its reason on a later scheduling pass, not at the cancel.
    shown: list[str] = []

    def finish_stuck() -> bool:
        shown[:] = [_cli(["stages", "status", str(spec_path)], env)]
        return "DependencyNeverSatisfied" in shown[0]  # the finish job waits for ever

    _until(finish_stuck, 120, "the finish job's DependencyNeverSatisfied", 1.0)
    status = shown[0]
    log = tmp_path / "cluster" / "slurm" / f"fw-01_augment-{array}_1.out"
    assert f"failed: 01_augment chunk 1/2 (job {array}_1, CANCELLED): log {log}" in status
    assert log.is_file()
    command = status.split("resubmit the failed chunks")[1].splitlines()[1].strip()
    words = shlex.split(command)
    assert words[:3] == ["framewise", "stages", "submit"] and words[-1] == "--resubmit"

    again = _cli(words[1:], env)
    assert f"cancelled waiting jobs {finish}" in again
    redo = next(line.split() for line in again.splitlines() if " fw-01_augment " in f"{line} ")
    assert redo[2:4] == ["array", "1"]  # only the killed chunk
    local = load_pipeline(_pipeline(tmp_path, "local", videos))
    run_pipeline(local)  # meanwhile, the same pipeline here
    spec = load_pipeline(spec_path)
    _until(lambda: pipeline_status(spec)[1].state == "complete", 240, "the resubmitted stage")

    assert _tables(spec.root) == _tables(local.root)
    done = json.loads(marker(folder, Chunk(1, 2)).read_text())
    assert done["input_rows"] == 4 and done["ran_rows"] == 4 - len(kept)
    final = _cli(["stages", "status", str(spec_path)], env)
    assert "failed:" not in final and "complete" in final

    # A partition the cluster does not have: sbatch's own reason, one line, exit 2.
    bad = _pipeline(tmp_path, "refused", videos)
    refused = subprocess.run(
        [sys.executable, "-m", "framewise", "stages", "submit", str(bad), "--partition", "nosuch"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        check=False,
    )
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "sbatch failed" in refused.stderr and "partition" in refused.stderr.lower()
