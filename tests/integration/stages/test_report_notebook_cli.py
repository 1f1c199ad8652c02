"""``framewise stages run --report notebook``; folds that cannot train fail in one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

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


def test_report_notebook_beside_the_report(tmp_path: Path) -> None:
    pytest.importorskip("nbformat")
    videos = tmp_path / "videos"
    videos.mkdir()
    lines = ["path,label,group"]
    for name, source in SOURCES.items():
        lavfi_clip(videos / f"{name}.mp4", source, seconds=0.5)
        lines.append(f"{name}.mp4,{'real' if name in 'ab' else 'fake'},{name}")
    (tmp_path / "labels.csv").write_text("\n".join(lines) + "\n")
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
