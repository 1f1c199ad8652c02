"""``framewise features dataset``: feature tables → time windows → grouped splits → arrays.

A window covers ``window_sec`` seconds of one video and starts every ``step_sec`` seconds,
measured on the frames' presentation times (not frame counts). Its frames are resampled onto
``steps`` evenly spaced instants (the nearest frame to each), so every window is a
``steps × features`` array whatever the frame rate. Its label is the majority label of its
frames when that label covers at least ``purity`` of them; other windows are "mixed" and
dropped (or kept with ``keep_mixed``), and counted either way.

Splits are by group — a video, or a ``group_sec`` chunk of one — so no group feeds two
splits, and groups are dealt to the splits so each split's class mix comes as close to the
whole's as the groups allow (:mod:`framewise.datasets.window_splits`). The z-score scaler is
fitted and the classes are balanced on the training split only.

Example:
    >>> spec = WindowSpec(window_sec=2.0, step_sec=0.5)
    >>> build_dataset([Path("a.parquet")], Path("datasets/d1"), spec)  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from framewise.core.errors import ConfigError, InputError
from framewise.datasets.task_table import read_feature_table
from framewise.datasets.window_files import write_dataset
from framewise.datasets.window_splits import assign_folds, assign_splits, balance
from framewise.features.task import MODEL_FEATURES
from framewise.features.task_live import resample_window

FEATURES: tuple[str, ...] = MODEL_FEATURES
"""Per-step features of a window: the numeric ones, then the presence flags as 0/1."""

Balance = Literal["none", "downsample", "upsample"]


@dataclass(frozen=True)
class WindowSpec:
    """How windows are cut, labelled, split and balanced (stored in ``metadata.json``).

    Attributes:
        window_sec: Window length in seconds.
        step_sec: Seconds between window starts.
        steps: Instants a window is resampled on (``None``: window length × the median
            frame rate of the inputs).
        purity: Smallest share of a window's frames its label must cover.
        keep_mixed: Keep windows below ``purity`` (labelled by their majority).
        balance: Balance the training split's classes.
        train_ratio: Share of windows aimed at training; so are ``val_ratio``, ``test_ratio``.
        group_sec: Split videos into groups of this many seconds (``None``: a whole video
            is one group); windows that cross a group border are dropped.
        folds: Also assign ``StratifiedGroupKFold`` folds by group (0: none).
        seed: Seeds the split and the balancing.
    """

    window_sec: float = 2.0
    step_sec: float = 0.5
    steps: int | None = None
    purity: float = 0.8
    keep_mixed: bool = False
    balance: Balance = "none"
    train_ratio: float = 0.7
    val_ratio: float = 0.15
    test_ratio: float = 0.15
    group_sec: float | None = None
    folds: int = 0
    seed: int = 0

    def __post_init__(self) -> None:
        if not (self.window_sec > 0 and self.step_sec > 0):
            raise ConfigError(
                "window and step must be > 0 seconds", subject="--window-sec", hint="e.g. 2.0"
            )
        ratios = (self.train_ratio, self.val_ratio, self.test_ratio)
        if min(ratios) < 0 or not math.isclose(sum(ratios), 1.0, abs_tol=1e-6):
            raise ConfigError(
                f"split ratios {ratios} must be >= 0 and add up to 1",
                subject="--train-ratio",
                hint="e.g. --train-ratio .7 --val-ratio .15 --test-ratio .15",
            )
        if not 0 < self.purity <= 1:
            raise ConfigError("purity must be in (0, 1]", subject="--purity", hint="e.g. 0.8")


@dataclass
class Window:
    """One window of one video: where it is, its label and its frames' rows."""

    video: str
    group: str
    t_start: float
    t_end: float
    label: str
    purity: float
    rows: NDArray[np.int64]


@dataclass
class VideoFrames:
    """One feature table as arrays."""

    video: str
    path: Path
    sha256: str
    t: NDArray[np.float64]
    x: NDArray[np.float32]
    labels: list[str | None]


@dataclass
class Counts:
    """What happened to the candidate windows."""

    candidates: int = 0
    unlabelled: int = 0
    mixed: int = 0
    mixed_kept: int = 0
    cross_group: int = 0
    by_split: dict[str, dict[str, int]] = field(default_factory=dict)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def load_video(path: Path) -> VideoFrames:
    """Read one feature table (refusing other schema versions and empty tables)."""
    table = read_feature_table(path)
    if table.num_rows == 0:
        raise InputError(f"{path} has no frames", subject=path, hint="extract it again")
    columns = []
    for name in FEATURES:
        values = table.column(name).to_numpy(zero_copy_only=False)
        columns.append(np.array([np.nan if v is None else float(v) for v in values], np.float64))
    t = np.asarray(table.column("t").to_numpy(zero_copy_only=False), np.float64)
    order = np.argsort(t, kind="stable")
    labels = table.column("label").to_pylist()
    return VideoFrames(
        str(table.column("video_id")[0].as_py()),
        path,
        _sha256(path),
        t[order],
        np.stack(columns, axis=1).astype(np.float32)[order],
        [labels[i] for i in order],
    )


def cut_windows(video: VideoFrames, spec: WindowSpec, counts: Counts) -> list[Window]:
    """The labelled windows of one video (see the module docstring)."""
    windows: list[Window] = []
    if len(video.t) == 0:
        return windows
    start, last = float(video.t[0]), float(video.t[-1])
    k = 0
    while start + k * spec.step_sec + spec.window_sec <= last + 1e-9 or k == 0:
        t0 = start + k * spec.step_sec
        t1 = t0 + spec.window_sec
        k += 1
        if t1 > last + 1e-9 and k > 1:
            break
        rows = np.flatnonzero((video.t >= t0) & (video.t < t1))
        counts.candidates += 1
        if spec.group_sec is not None:
            g0, g1 = int(t0 // spec.group_sec), int((t1 - 1e-9) // spec.group_sec)
            if g0 != g1:
                counts.cross_group += 1
                continue
        group = (
            video.video if spec.group_sec is None else f"{video.video}#{int(t0 // spec.group_sec)}"
        )
        named = Counter(video.labels[i] for i in rows if video.labels[i] is not None)
        if not rows.size or not named:
            counts.unlabelled += 1
            continue
        label, hits = named.most_common(1)[0]
        purity = hits / rows.size
        if purity < spec.purity:
            counts.mixed += 1
            if not spec.keep_mixed:
                continue
            counts.mixed_kept += 1
        windows.append(Window(video.video, group, t0, t1, str(label), purity, rows))
    return windows


def resample(video: VideoFrames, window: Window, steps: int) -> NDArray[np.float32]:
    """The window's frames on ``steps`` evenly spaced instants (the nearest frame to each)."""
    # The live predictor resamples its buffer with the same function, so a model sees the
    # same numbers on a recording and on a camera.
    rows = window.rows
    return resample_window(video.t[rows], video.x[rows], window.t_start, window.t_end, steps)


def scaler(rows: NDArray[np.float32]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Per-column mean and standard deviation ignoring NaN (a column never seen: 0 and 1)."""
    seen = ~np.isnan(rows)
    count = seen.sum(axis=0)
    values = np.where(seen, rows, 0.0).astype(np.float64)
    mean = values.sum(axis=0) / np.maximum(count, 1)
    var = (np.where(seen, values - mean, 0.0) ** 2).sum(axis=0) / np.maximum(count, 1)
    std = np.sqrt(var)
    return mean, np.where(std > 1e-12, std, 1.0)


def _steps(videos: Sequence[VideoFrames], spec: WindowSpec) -> int:
    if spec.steps is not None:
        return spec.steps
    gaps = np.concatenate([np.diff(v.t) for v in videos if len(v.t) > 1] or [np.ones(1)])
    gaps = gaps[gaps > 0]
    rate = 1.0 / float(np.median(gaps)) if gaps.size else 1.0
    return max(1, round(spec.window_sec * rate))


def build_dataset(inputs: Sequence[Path], output: Path, spec: WindowSpec) -> dict[str, Any]:
    """Cut, split, scale and balance; write the dataset folder; return its metadata.

    Raises:
        InputError: A table is missing, of another schema or empty; the same video is given
            twice; fewer than two classes remain; or a split ratio > 0 gets no group.
    """
    videos = [load_video(Path(p)) for p in inputs]
    names = Counter(v.video for v in videos)
    twice = sorted(n for n, c in names.items() if c > 1)
    if twice:
        raise InputError(
            f"video {twice[0]!r} is given twice", subject=twice[0], hint="give each once"
        )
    counts = Counts()
    steps = _steps(videos, spec)
    windows: list[Window] = []
    arrays: list[NDArray[np.float32]] = []
    for video in videos:
        for window in cut_windows(video, spec, counts):
            windows.append(window)
            arrays.append(resample(video, window, steps))
    classes = sorted({w.label for w in windows})
    if len(classes) < 2:
        found = classes[0] if classes else "none"
        raise InputError(
            f"the windows have {len(classes)} class ({found}); a classifier needs two or more",
            subject=", ".join(str(p) for p in inputs),
            hint="add videos or labels of another task, or lower --purity",
        )
    label_map = {name: i for i, name in enumerate(classes)}
    y = np.array([label_map[w.label] for w in windows], np.int64)
    groups = [w.group for w in windows]
    split_of = assign_splits(groups, y, spec, len(classes))
    folds = assign_folds(groups, y, spec.folds, spec.seed) if spec.folds else None
    x = np.stack(arrays).astype(np.float32)
    train = np.flatnonzero(np.array([split_of[g] == "train" for g in groups]))
    flat = x[train].reshape(-1, x.shape[2])
    mean, std = scaler(flat)
    # Missing values become the training mean (0 after scaling); the presence flags tell
    # the model that the person or hand was not there.
    scaled = np.nan_to_num((x - mean) / std, nan=0.0).astype(np.float32)
    rng = np.random.default_rng(spec.seed)
    picks: dict[str, NDArray[np.int64]] = {}
    for name in ("train", "val", "test"):
        rows = np.flatnonzero(np.array([split_of[g] == name for g in groups]))
        picks[name] = balance(rows, y, spec.balance, rng) if name == "train" else rows
        counts.by_split[name] = {c: int((y[picks[name]] == i).sum()) for c, i in label_map.items()}
    metadata = {
        "feature_names": list(FEATURES),
        "steps": steps,
        "scaler": {"mean": mean.tolist(), "std": std.tolist()},
        "label_map": label_map,
        "splits": {
            n: sorted({g for g in groups if split_of[g] == n}) for n in ("train", "val", "test")
        },
        "window": asdict(spec),
        "inputs": [{"path": str(v.path), "video_id": v.video, "sha256": v.sha256} for v in videos],
        "counts": asdict(counts),
    }
    write_dataset(output, scaled, y, picks, windows, split_of, folds, metadata)
    return metadata
