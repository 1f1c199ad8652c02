"""The training loop end to end: weak model → review → export → retrain → a better model.

A weakened model (the shipped one fine-tuned on a session whose kill-feed labels were taken
away, so it learns to overlook kills) processes two sessions; a reviewer who knows the
ground truth corrects both logs through the review API (false positives deleted, missed
events added with their boxes, fields fixed); the logs are exported as a YOLO dataset; a
short fine-tune from the weak model makes version v1 in a models folder; `framewise eval`
runs both models over a held-back session and the new one must score better.

Slow (a few minutes on two cores: two short trainings, five processing runs); CI runs it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from framewise.synth.render import RenderSettings, render_session
from framewise.synth.yolo_export import export_yolo
from framewise.testing.reviewer import review_from_truth

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("ultralytics_installed")]

TRAIN_SEEDS = (70, 72)
HELD_OUT_SEED = 74


def _framewise(*args: str | Path) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "framewise", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


def _render(root: Path, seed: int) -> Path:
    video = root / f"k{seed}.mkv"
    render_session(video, RenderSettings(seconds=90, seed=seed, width=640, height=360, fps=10))
    return video


def _without_kills(dataset: Path) -> Path:
    """A ground-truth dataset of one session with every kill-feed box taken out."""
    data_yaml = dataset / "data.yaml"
    spec = yaml.safe_load(data_yaml.read_text())
    kill = next(k for k, name in spec["names"].items() if name == "kill_notification")
    for labels in (dataset / "labels" / "train").glob("*.txt"):
        kept = [line for line in labels.read_text().splitlines() if int(line.split()[0]) != kill]
        labels.write_text("".join(f"{line}\n" for line in kept))
    spec["val"] = "images/train"
    data_yaml.write_text(yaml.safe_dump(spec, sort_keys=False))
    return data_yaml


def test_reviewed_corrections_make_a_better_model(tmp_path: Path) -> None:
    train = [_render(tmp_path, seed) for seed in TRAIN_SEEDS]
    held_out = _render(tmp_path, HELD_OUT_SEED)

    weak_data = export_yolo(train[:1], tmp_path / "weak_data", fps=1.0, val_share=0.0)
    weak = tmp_path / "weak"
    _framewise(
        "train", "yolo", "--data", _without_kills(weak_data.out_dir), "--from", "tarkov",
        "--out", weak, "--epochs", "3", "--imgsz", "320", "--batch", "8", "--workers", "0",
    )  # fmt: skip

    runs = tmp_path / "runs"
    corrections = []
    for video in train:
        _framewise(
            "process", "--video", video, "--profile", "tarkov",
            "--model", weak / "model.onnx", "-o", runs,
        )  # fmt: skip
        log = runs / video.stem / "events.json"
        corrections.append(
            review_from_truth(log, video.with_name(f"{video.stem}.groundtruth.json"))
        )
    assert sum(c.added for c in corrections) > 0  # the weak model missed events
    assert sum(c.boxes_drawn for c in corrections) > 0

    dataset = tmp_path / "reviewed"
    summary = _framewise("export", runs, "--out", dataset, "--val-share", "0", "--context", "2")
    assert "train" in summary
    manifest = json.loads((dataset / "manifest.json").read_text())
    origins = {info["origin"] for info in manifest["image_info"].values()}
    assert "reviewer" in origins  # the boxes drawn on missed events are training data
    names = yaml.safe_load((dataset / "data.yaml").read_text())["names"]
    weak_names = yaml.safe_load((weak_data.out_dir / "data.yaml").read_text())["names"]
    assert names == weak_names  # class ids keep their meaning for the fine-tune

    models = tmp_path / "models"
    _framewise(
        "train", "yolo", "--data", dataset / "data.yaml", "--from", weak / "model.pt",
        "--models", models, "--epochs", "8", "--imgsz", "320", "--batch", "8",
        "--workers", "0",
    )  # fmt: skip
    index = json.loads((models / "versions.json").read_text())["versions"]
    assert [v["version"] for v in index] == ["v1"]
    assert index[0]["parent"] == str(weak / "model.pt")
    assert (models / "v1" / "MODEL_CARD.md").is_file()

    printed = _framewise(
        "eval", "--model", weak / "model.onnx", "--model", models / "v1" / "model.onnx",
        "--session", held_out, "--out", tmp_path / "compare", "--json",
    )  # fmt: skip
    report = json.loads(printed)
    scores = {m["label"]: m for m in report["models"]}
    assert report["best"] == "v1", report["verdict"]
    assert scores["v1"]["f1"] > scores["weak"]["f1"]
