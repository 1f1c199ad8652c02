"""Export rendered sessions to a YOLO dataset, split by session (``framewise dataset yolo``).

Layout (what Ultralytics reads)::

    DIR/images/{train,val}/<session>_<frame>.jpg
    DIR/labels/{train,val}/<session>_<frame>.txt   # "class cx cy w h", normalised
    DIR/data.yaml                                   # path, train, val, names
    DIR/manifest.json                               # which session went where, counts

Frames are sampled by time (``fps`` per second of video, each the frame on screen at the tick)
and labelled from the session's ground truth. Frames with no labelled element (blank gaps
between screens) are *negatives*: they are kept up to ``negative_share`` of the images, so the
model also learns when nothing is there. Whole sessions go to ``train`` or ``val``, never both.

With ``balance`` the training images are thinned by how common their classes are, after the
repeat-factor sampling of LVIS (Gupta et al., 2019) turned into subsampling: an image is kept
with probability ``min(1, sqrt(balance / f))``, where ``f`` is the share of sampled images
showing its rarest class. Rare screens (a death screen, a transfer) are all kept; frames of the
raid, which fill most of a session, are kept at a lower rate. Validation images are not thinned.

This is the renderer's side of the dataset seam: it reads the sessions' ground truth and writes
through :mod:`framewise.datasets` (the label lines, ``data.yaml`` and the split), so the
datasets package never imports ``synth``.
"""

from __future__ import annotations

import math
import random
import shutil
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import cv2

from framewise.core.atomic import write_bytes, write_json, write_text
from framewise.core.errors import ConfigError, OutputError
from framewise.core.frames import Frame
from framewise.datasets.formats.yolo_format import yolo_line
from framewise.datasets.spec import DatasetSpec
from framewise.datasets.split import SPLITS, split_sessions
from framewise.sources.file import DecodeOptions, FileSource
from framewise.synth.groundtruth import GroundTruth, groundtruth_path

Progress = Callable[[int, int], None]


@dataclass
class YoloExportReport:
    """What :func:`export_yolo` wrote.

    Attributes:
        out_dir: The dataset folder.
        data_yaml: Its ``data.yaml``.
        split_of: Session (video path) → ``train`` or ``val``.
        images: Images written per split.
        boxes: Boxes written per split.
        negatives: Images without boxes per split.
    """

    out_dir: Path
    data_yaml: Path
    split_of: dict[str, str] = field(default_factory=dict)
    images: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SPLITS, 0))
    boxes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SPLITS, 0))
    negatives: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SPLITS, 0))


def export_yolo(
    sessions: Sequence[str | Path],
    out_dir: str | Path,
    *,
    fps: float = 2.0,
    val_share: float = 0.2,
    negative_share: float = 0.1,
    balance: float | None = None,
    seed: int = 0,
    quality: int = 92,
    overwrite: bool = False,
    progress: Progress | None = None,
) -> YoloExportReport:
    """Write a YOLO dataset from rendered sessions (videos with their ground truth beside them).

    Args:
        sessions: The rendered videos.
        out_dir: The dataset folder (created; files of the same names are replaced).
        fps: Frames sampled per second of video.
        val_share: Share of sessions kept for validation.
        negative_share: Largest share of images that may have no boxes.
        balance: Thin common training images (see the module docstring); ``None`` keeps all.
        seed: Seed of the split and of the choice of negatives.
        quality: JPEG quality.
        overwrite: Replace a dataset already in ``out_dir`` (else refuse: a stale image from
            an earlier split could put a session in both splits).
        progress: Called with (sessions done, sessions in all).

    Raises:
        ConfigError: Bad arguments, two sessions with the same file name, or ``out_dir``
            already holds a dataset and ``overwrite`` is false.
        InputError: A session's ground truth is missing or unreadable.
    """
    if not fps > 0:
        raise ConfigError(f"--fps must be positive, got {fps}", hint="2 samples twice a second")
    if not 0.0 <= negative_share < 1.0:
        raise ConfigError(f"negative share must be in [0, 1), got {negative_share}")
    if balance is not None and not 0.0 < balance <= 1.0:
        raise ConfigError(f"--balance must be in (0, 1], got {balance}", hint="e.g. --balance 0.05")
    paths = [Path(s) for s in sessions]
    stems = [p.stem for p in paths]
    if len(set(stems)) != len(stems):
        raise ConfigError(
            "two sessions have the same file name", hint="rename them; image names use it"
        )
    truths = {p: GroundTruth.load(groundtruth_path(p)) for p in paths}
    classes = _classes(truths)
    class_ids = {name: n for n, name in enumerate(classes)}
    out = Path(out_dir)
    _clear(out, overwrite)
    report = YoloExportReport(out_dir=out, data_yaml=out / "data.yaml")
    rng = random.Random(seed)
    split_of = split_sessions(paths, val_share, seed)
    shares = _class_shares([truths[p] for p in paths if split_of[p] == "train"], fps)
    for done, path in enumerate(sorted(paths), start=1):
        split = split_of[path]
        report.split_of[str(path)] = split
        keep = _Thinning(shares, balance if split == "train" else None, rng)
        _export_session(
            path, truths[path], split, out, class_ids, fps, negative_share, keep, quality, report
        )
        if progress is not None:
            progress(done, len(paths))
    splits = {split: (f"images/{split}",) for split in SPLITS}
    DatasetSpec(kind="yolo", root=out, splits=splits, names=tuple(classes)).write_data_yaml()
    write_json(
        out / "manifest.json",
        {
            "sessions": report.split_of,
            "fps": fps,
            "negative_share": negative_share,
            "balance": balance,
            "seed": seed,
            "images": report.images,
            "boxes": report.boxes,
            "negatives": report.negatives,
        },
    )
    return report


def _clear(out: Path, overwrite: bool) -> None:
    """Make sure no earlier dataset's files remain in ``out``."""
    held = [out / name for name in ("images", "labels") if (out / name).exists()]
    if not held:
        return
    if not overwrite:
        raise ConfigError(
            "the folder already holds a YOLO dataset",
            subject=out,
            hint="choose an empty --out folder, or pass --overwrite to replace it",
        )
    for folder in held:
        shutil.rmtree(folder)
    for name in ("data.yaml", "manifest.json"):
        (out / name).unlink(missing_ok=True)


def _classes(truths: dict[Path, GroundTruth]) -> list[str]:
    """The sessions' class list (they must agree, or ids would mean different things)."""
    lists = {tuple(t.classes) for t in truths.values()}
    if len(lists) > 1:
        raise ConfigError(
            "the sessions were rendered with different class lists",
            hint="re-render them with the same framewise version",
        )
    return list(next(iter(lists))) if lists else []


def _class_shares(truths: Sequence[GroundTruth], fps: float) -> dict[str, float]:
    """Share of the sampled, labelled frames that show each class."""
    shown: Counter[str] = Counter()
    labelled = 0
    for truth in truths:
        duration = truth.metadata.duration_seconds
        frames = [truth.frame_at(k / fps) for k in range(int(duration * fps) + 1)]
        for boxes in truth.boxes_at(frames).values():
            if boxes:
                labelled += 1
                shown.update({b.cls for b in boxes})
    return {name: count / labelled for name, count in shown.items()}


@dataclass
class _Thinning:
    """Decides which labelled images to keep (all of them without ``balance``)."""

    shares: dict[str, float]
    balance: float | None
    rng: random.Random

    def keep(self, classes: set[str]) -> bool:
        if self.balance is None or not classes:
            return True
        rarest = min(self.shares.get(name, 0.0) for name in classes)
        if rarest <= self.balance:
            return True
        return self.rng.random() < math.sqrt(self.balance / rarest)


def _export_session(
    path: Path,
    truth: GroundTruth,
    split: str,
    out: Path,
    class_ids: dict[str, int],
    fps: float,
    negative_share: float,
    thinning: _Thinning,
    quality: int,
    report: YoloExportReport,
) -> None:
    """Sample, label and write one session's frames."""
    width, height = truth.metadata.width, truth.metadata.height
    # Positives are written as they come; negatives (rare: blank gaps) wait as JPEG bytes
    # until the positives are counted, since they may make up only negative_share of them.
    negatives: list[tuple[str, bytes]] = []
    positives = 0
    # Dropping non-reference frames speeds decoding up; every kept frame is still an exact
    # picture, labelled by its own time, so the labels stay exact.
    decode = DecodeOptions(skip_nonref=True)
    with FileSource(path, sample_fps=fps, prefetch=0, decode=decode) as source:
        for frame in source.read():
            index = truth.frame_at(frame.seconds)
            boxes = truth.boxes_at([index])[index]
            name = f"{path.stem}_{index:07d}"
            if boxes and not thinning.keep({b.cls for b in boxes}):
                continue
            jpeg = _jpeg(frame, path, quality)
            if not boxes:
                negatives.append((name, jpeg))
                continue
            lines = "".join(yolo_line(class_ids[b.cls], b.box, width, height) for b in boxes)
            _write(out, split, name, jpeg, lines)
            positives += 1
            report.boxes[split] += len(boxes)
    room = int(positives * negative_share / (1.0 - negative_share))
    for name, jpeg in thinning.rng.sample(negatives, min(room, len(negatives))):
        _write(out, split, name, jpeg, "")
        report.negatives[split] += 1
    report.images[split] += positives + min(room, len(negatives))


def _jpeg(frame: Frame, path: Path, quality: int) -> bytes:
    ok, buffer = cv2.imencode(".jpg", frame.image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise OutputError(f"could not encode frame {frame.index} as JPEG", subject=path)
    return bytes(buffer.tobytes())


def _write(out: Path, split: str, name: str, jpeg: bytes, labels: str) -> None:
    write_bytes(out / "images" / split / f"{name}.jpg", jpeg)
    write_text(out / "labels" / split / f"{name}.txt", labels)
