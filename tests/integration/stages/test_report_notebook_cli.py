"""`stages run --report notebook`; folds that cannot train fail in one line; kill -9 in training."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from framewise.pipeline.stages import read_rows
from tests.integration.stages.conftest import PASSWORD, lavfi_clip

SOURCES = {"a": "testsrc2", "b": "smptebars", "c": "testsrc", "d": "rgbtestsrc"}


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "framewise", "stages", "run", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "W4_TEST_PASSWORD": PASSWORD},
        timeout=300,
        check=False,
    )


def _pipeline(folder: Path, videos: Path, labels: Path) -> Path:
    path = folder / "w4.yaml"
    path.write_text(
        f"root: out\nseed: 3\nstages:\n"
        f"  - kind: index\n    videos: {videos}\n    labels: {labels}\n"
        "    password_env: W4_TEST_PASSWORD\n"
        "  - {kind: features, frames: 3}\n"
        "  - {kind: train, folds: 2, models: [logistic_regression_stage2]}\n"
    )
    return path


def _four_videos(folder: Path) -> Path:
    """``videos/`` with two real and two fake originals, and ``labels.csv`` beside it."""
    videos = folder / "videos"
    videos.mkdir()
    lines = ["path,label,group"]
    for name, source in SOURCES.items():
        lavfi_clip(videos / f"{name}.mp4", source, seconds=0.5)
        lines.append(f"{name}.mp4,{'real' if name in 'ab' else 'fake'},{name}")
    (folder / "labels.csv").write_text("\n".join(lines) + "\n")
    return videos


def test_report_notebook_beside_the_report(tmp_path: Path) -> None:
    pytest.importorskip("nbformat")
    videos = _four_videos(tmp_path)
    pipeline = _pipeline(tmp_path, videos, tmp_path / "labels.csv")
    bad = _run(str(pipeline), "--report", "pdf")
    assert bad.returncode == 2 and "--report" in bad.stderr
    done = _run(str(pipeline), "--report", "notebook")
    assert done.returncode == 0, done.stderr
    folder = tmp_path / "out" / "02_train" / "files"
    assert f"notebook: {folder / 'report.ipynb'}" in done.stdout
    notebook = json.loads((folder / "report.ipynb").read_text(encoding="utf-8"))
    assert notebook["nbformat"] == 4
    tagged = [c for c in notebook["cells"] if "parameters" in c["metadata"].get("tags", [])]
    assert len(tagged) == 1 and "folder" in "".join(tagged[0]["source"])
    assert (folder / "report.md").exists() and (folder / "leakage_audit.json").exists()


def test_folds_that_would_train_on_one_class_fail_in_one_line(
    video_set: Path, tmp_path: Path
) -> None:
    # Groups a (real and fake), b (real), d (fake): every 2-fold split leaves a fold whose
    # training part holds one class; sklearn's traceback used to reach the user.
    pipeline = _pipeline(tmp_path, video_set / "videos", video_set / "labels.csv")
    failed = _run(str(pipeline))
    assert failed.returncode != 0
    assert "would train on class" in failed.stderr and "Traceback" not in failed.stderr


def test_kill_9_inside_training_then_resume_gives_the_same_table(tmp_path: Path) -> None:
    videos = _four_videos(tmp_path)
    runs = {}
    for kind in ("clean", "killed"):
        folder = tmp_path / kind
        folder.mkdir()
        pipeline = _pipeline(folder, videos, tmp_path / "labels.csv")
        text = pipeline.read_text().replace(
            "[logistic_regression_stage2]", "[logistic_regression_stage2, svm_stage2]"
        )
        pipeline.write_text(text)
        if kind == "killed":
            command = [sys.executable, "-m", "framewise", "stages", "run", str(pipeline)]
            child = subprocess.Popen(command, stderr=subprocess.DEVNULL)
            started = folder / "out" / "02_train" / "files" / "folds.json"
            deadline = time.monotonic() + 120
            while not started.exists() and time.monotonic() < deadline and child.poll() is None:
                time.sleep(0.01)
            child.send_signal(signal.SIGKILL)
            assert child.wait() == -signal.SIGKILL, "the run ended before the kill"
            assert not (folder / "out" / "02_train" / "table.parquet").exists()
        done = _run(str(pipeline))
        assert done.returncode == 0, done.stderr
        runs[kind] = read_rows(folder / "out" / "02_train")
    assert runs["killed"] == runs["clean"] and len(runs["clean"]) == 2 * 3
