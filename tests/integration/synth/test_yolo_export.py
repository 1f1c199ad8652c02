"""YOLO export of rendered sessions: labels match the ground truth, sessions never straddle."""

from __future__ import annotations

from pathlib import Path

import cv2
import pytest
import yaml

from framewise.core.errors import ConfigError
from framewise.datasets.split import split_sessions
from framewise.synth import GroundTruth, RenderSettings, render_session
from framewise.synth.yolo_export import export_yolo


@pytest.fixture(scope="module")
def sessions(tmp_path_factory: pytest.TempPathFactory) -> dict[Path, GroundTruth]:
    folder = tmp_path_factory.mktemp("sessions")
    rendered = {}
    # These seeds fade through a blank (nothing labelled) after their opening raid.
    for seed, vfr in ((24, False), (27, True), (28, False)):
        path = folder / f"session{seed}.mkv"
        settings = RenderSettings(
            seconds=24.0, seed=seed, width=320, height=180, vfr=vfr, start_in_raid=True
        )
        rendered[path] = render_session(path, settings)
    return rendered


def read_labels(path: Path, width: int, height: int) -> list[tuple[int, tuple[int, ...]]]:
    rows = []
    for line in path.read_text().splitlines():
        cls, cx, cy, w, h = line.split()
        x1 = (float(cx) - float(w) / 2) * width
        y1 = (float(cy) - float(h) / 2) * height
        x2, y2 = x1 + float(w) * width, y1 + float(h) * height
        rows.append((int(cls), tuple(round(v) for v in (x1, y1, x2, y2))))
    return sorted(rows)


def test_export_labels_match_ground_truth(
    sessions: dict[Path, GroundTruth], tmp_path: Path
) -> None:
    out = tmp_path / "dataset"
    report = export_yolo(list(sessions), out, fps=2.0, val_share=0.34, negative_share=0.2)
    data = yaml.safe_load((out / "data.yaml").read_text())
    truth0 = next(iter(sessions.values()))
    assert data["names"] == dict(enumerate(truth0.classes))
    assert (data["train"], data["val"]) == ("images/train", "images/val")
    by_stem = {p.stem: (p, t) for p, t in sessions.items()}
    splits_of_stem: dict[str, set[str]] = {}
    checked_boxes = 0
    for split in ("train", "val"):
        labels = sorted((out / "labels" / split).glob("*.txt"))
        images = sorted((out / "images" / split).glob("*.jpg"))
        assert [p.stem for p in labels] == [p.stem for p in images]
        assert len(labels) == report.images[split] > 0
        negatives = 0
        for label in labels:
            stem, frame = label.stem.rsplit("_", 1)
            splits_of_stem.setdefault(stem, set()).add(split)
            _, truth = by_stem[stem]
            index = int(frame)
            expected = sorted(
                (truth.classes.index(b.cls), b.box) for b in truth.boxes_at([index])[index]
            )
            got = read_labels(label, truth.metadata.width, truth.metadata.height)
            assert got == expected, label.name
            checked_boxes += len(got)
            negatives += not got
        assert negatives == report.negatives[split]
        assert negatives <= 0.2 * len(labels) + 1
        image = cv2.imread(str(images[0]))
        assert image is not None and image.shape == (180, 320, 3)
    assert checked_boxes == sum(report.boxes.values()) > 0
    assert all(len(where) == 1 for where in splits_of_stem.values())
    assert {s for where in splits_of_stem.values() for s in where} == {"train", "val"}
    assert sum(report.negatives.values()) > 0  # blank gaps give negatives
    with pytest.raises(ConfigError, match="already holds"):
        export_yolo(list(sessions), out, fps=0.5, val_share=0.34)
    again = export_yolo(list(sessions), out, fps=0.5, val_share=0.34, seed=5, overwrite=True)
    written = {p.stem for p in (out / "labels").rglob("*.txt")}
    assert len(written) == sum(again.images.values()) < sum(report.images.values())


def test_split_is_by_whole_sessions_and_reproducible() -> None:
    paths = [Path(f"s{n}.mkv") for n in range(10)]
    split = split_sessions(paths, 0.2, seed=3)
    assert sorted(split.values()).count("val") == 2
    assert split == split_sessions(list(reversed(paths)), 0.2, seed=3)
    assert split_sessions(paths, 0.0, seed=3) == dict.fromkeys(paths, "train")


def test_bad_exports_are_refused(sessions: dict[Path, GroundTruth], tmp_path: Path) -> None:
    one = next(iter(sessions))
    with pytest.raises(ConfigError, match="at least two sessions"):
        export_yolo([one], tmp_path / "d", val_share=0.2)
    with pytest.raises(ConfigError, match="val-share"):
        split_sessions([one], 1.0, seed=0)
    with pytest.raises(ConfigError, match="fps"):
        export_yolo([one], tmp_path / "d", fps=0.0)


def test_balance_thins_common_training_images_and_keeps_rare_ones(
    sessions: dict[Path, GroundTruth], tmp_path: Path
) -> None:
    kwargs = {"fps": 4.0, "val_share": 0.34, "negative_share": 0.0}
    full = export_yolo(list(sessions), tmp_path / "full", **kwargs)  # type: ignore[arg-type]
    thin = export_yolo(list(sessions), tmp_path / "thin", balance=0.05, **kwargs)  # type: ignore[arg-type]

    def classes_per_image(root: Path, split: str) -> dict[str, set[int]]:
        return {
            p.stem: {int(line.split()[0]) for line in p.read_text().splitlines()}
            for p in (root / "labels" / split).glob("*.txt")
        }

    full_train = classes_per_image(tmp_path / "full", "train")
    thin_train = classes_per_image(tmp_path / "thin", "train")
    assert set(thin_train) < set(full_train)
    assert thin.images["train"] < full.images["train"]
    assert thin.images["val"] == full.images["val"]  # validation keeps the true mix
    shown = [c for classes in full_train.values() for c in classes]
    share = {c: shown.count(c) / len(full_train) for c in set(shown)}
    rare = {c for c, s in share.items() if s <= 0.05}
    common = max(share, key=share.__getitem__)
    assert rare, share
    # Every image showing a rare class is kept; images of only the commonest are thinned.
    assert {s for s, c in full_train.items() if c & rare} <= set(thin_train)
    only_common = [s for s, c in full_train.items() if c == {common}]
    assert sum(s in thin_train for s in only_common) < len(only_common)
    with pytest.raises(ConfigError, match="balance"):
        export_yolo(list(sessions), tmp_path / "bad", balance=2.0)
