"""Multi-object tracking scores against MOTChallenge ground truth: MOTA, IDF1 and HOTA.

The figures come from TrackEval (``trackeval`` 1.3.0 on the registry: Luiten's TrackEval,
kept up by its maintainers for numpy 2), the code the MOTChallenge leaderboards run. It was
chosen over ``motmetrics`` 1.4.0, whose last release calls ``np.asfarray`` (gone in numpy 2)
and has no HOTA; only TrackEval's metric classes are used (its dataset readers want the
MOTChallenge folder tree and pycocotools, which a MOT text file does not need).

Ground truth is a MOTChallenge CSV (``frame`` 1-based, ``id``, ``left``, ``top``, ``width``,
``height``, ``conf``, …); rows with ``conf`` 0 are "ignore" rows and are dropped. Tracker
output is the same mapping: 0-based frame index → (ids, ``xyxy`` boxes). Only the frames
listed in ``frames`` are scored, so a run that analysed every second frame is scored on
those frames (a tracker is not charged for frames it never saw).

Example:
    >>> truth = {0: FrameBoxes((1,), [[0, 0, 10, 20]])}
    >>> score_tracks(truth, {0: FrameBoxes((5,), [[0, 0, 10, 20]])}, [0]).mota
    1.0
"""

from __future__ import annotations

import contextlib
import io
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from framewise.config.detectors import StageConfig
from framewise.core.atomic import write_text
from framewise.core.boxes import pairwise_iou
from framewise.core.errors import ConfigError, InputError
from framewise.core.results import FrameOutput


@dataclass(frozen=True, init=False)
class FrameBoxes:
    """The tracked boxes of one frame.

    Attributes:
        ids: Track (or ground-truth) ids, one per box.
        xyxy: N×4 float64 boxes ``(x1, y1, x2, y2)`` in pixels.
    """

    ids: tuple[int, ...]
    xyxy: NDArray[np.float64]

    def __init__(self, ids: Sequence[int], xyxy: Any) -> None:
        boxes = np.asarray(xyxy, np.float64).reshape(-1, 4)
        if len(boxes) != len(ids):
            raise ValueError(f"{len(ids)} ids for {len(boxes)} boxes")
        object.__setattr__(self, "ids", tuple(int(i) for i in ids))
        object.__setattr__(self, "xyxy", boxes)


EMPTY = FrameBoxes((), np.zeros((0, 4)))


@dataclass(frozen=True)
class MotScores:
    """One sequence's scores (fractions 0–1; MOTA may be negative).

    Attributes:
        mota: CLEAR MOT accuracy: 1 − (misses + false boxes + id switches) / true boxes.
        idf1: Identity F1: how much of each true track one tracker id follows.
        hota: Higher Order Tracking Accuracy (the mean over IoU thresholds 0.05–0.95).
        recall: Detection recall at IoU 0.5.
        precision: Detection precision at IoU 0.5.
        id_switches: Times a true track changed tracker id.
        frames: Frames scored.
        true_boxes: Ground-truth boxes in those frames.
    """

    mota: float
    idf1: float
    hota: float
    recall: float
    precision: float
    id_switches: int
    frames: int
    true_boxes: int

    def line(self) -> str:
        """The scores as one printable line."""
        return (
            f"MOTA {self.mota:.3f}  IDF1 {self.idf1:.3f}  HOTA {self.hota:.3f}  "
            f"recall {self.recall:.3f}  precision {self.precision:.3f}  "
            f"IDsw {self.id_switches}  ({self.frames} frames, {self.true_boxes} true boxes)"
        )


def read_mot(path: Path) -> dict[int, FrameBoxes]:
    """A MOTChallenge CSV as 0-based frame index → boxes (``conf`` 0 rows dropped).

    Raises:
        InputError: The file is missing or is not MOT CSV.
    """
    try:
        rows = np.loadtxt(path, delimiter=",", ndmin=2)
    except (OSError, ValueError) as err:
        raise InputError(
            f"cannot read MOT ground truth: {err}",
            subject=path,
            hint="give a MOTChallenge CSV: frame,id,left,top,width,height,conf,...",
        ) from None
    if rows.size and rows.shape[1] < 6:
        raise InputError(
            f"MOT rows need at least 6 columns, found {rows.shape[1]}",
            subject=path,
            hint="give a MOTChallenge CSV: frame,id,left,top,width,height,conf,...",
        )
    if rows.size and rows.shape[1] >= 7:
        rows = rows[rows[:, 6] != 0]
    out: dict[int, FrameBoxes] = {}
    for frame in np.unique(rows[:, 0]).astype(int) if rows.size else []:
        chosen = rows[rows[:, 0] == frame]
        xywh = chosen[:, 2:6]
        xyxy = np.concatenate([xywh[:, :2], xywh[:, :2] + xywh[:, 2:]], axis=1)
        out[int(frame) - 1] = FrameBoxes(chosen[:, 1].astype(int).tolist(), xyxy)
    return out


def write_mot(tracks: Mapping[int, FrameBoxes], path: Path) -> None:
    """Write ``tracks`` as a MOTChallenge result file (the format TrackEval's scripts read)."""
    lines = []
    for frame in sorted(tracks):
        boxes = tracks[frame]
        for track, (x1, y1, x2, y2) in zip(boxes.ids, boxes.xyxy, strict=True):
            lines.append(
                f"{frame + 1},{track},{x1:.2f},{y1:.2f},{x2 - x1:.2f},{y2 - y1:.2f},1,-1,-1,-1"
            )
    write_text(path, "".join(line + "\n" for line in lines))


def _dense(ids: Iterable[int]) -> dict[int, int]:
    """Ids → 0..n-1 (TrackEval indexes its accumulators by id)."""
    return {track: i for i, track in enumerate(sorted(set(ids)))}


def sequence_data(
    truth: Mapping[int, FrameBoxes], tracked: Mapping[int, FrameBoxes], frames: Sequence[int]
) -> dict[str, Any]:
    """The per-sequence dict TrackEval's metrics read (its preprocessed-sequence shape)."""
    gt = [truth.get(f, EMPTY) for f in frames]
    tr = [tracked.get(f, EMPTY) for f in frames]
    gt_index = _dense(i for boxes in gt for i in boxes.ids)
    tr_index = _dense(i for boxes in tr for i in boxes.ids)
    return {
        "num_timesteps": len(frames),
        "num_gt_ids": len(gt_index),
        "num_tracker_ids": len(tr_index),
        "num_gt_dets": sum(len(b.ids) for b in gt),
        "num_tracker_dets": sum(len(b.ids) for b in tr),
        "gt_ids": [np.array([gt_index[i] for i in b.ids], int) for b in gt],
        "tracker_ids": [np.array([tr_index[i] for i in b.ids], int) for b in tr],
        "similarity_scores": [pairwise_iou(g.xyxy, t.xyxy) for g, t in zip(gt, tr, strict=True)],
    }


def score_tracks(
    truth: Mapping[int, FrameBoxes], tracked: Mapping[int, FrameBoxes], frames: Sequence[int]
) -> MotScores:
    """MOTA, IDF1 and HOTA of ``tracked`` against ``truth`` over ``frames`` (0-based).

    Raises:
        ConfigError: TrackEval is not installed.
    """
    try:
        from trackeval.metrics import CLEAR, HOTA, Identity  # type: ignore[import-untyped]
    except ImportError:
        raise ConfigError(
            "MOT scoring needs trackeval, which is not installed",
            subject="trackeval",
            hint="install framewise with the people extra: pip install 'framewise[people]' "
            "(then trackeval==1.3.0 with --no-deps, as `make install` does)",
        ) from None
    data = sequence_data(truth, tracked, frames)
    quiet = {"PRINT_CONFIG": False}
    # TrackEval prints as it goes; the caller prints what it wants.
    with contextlib.redirect_stdout(io.StringIO()):
        clear = CLEAR(quiet).eval_sequence(data)
        identity = Identity(quiet).eval_sequence(data)
        hota = HOTA().eval_sequence(data)
    return MotScores(
        mota=float(clear["MOTA"]),
        idf1=float(identity["IDF1"]),
        hota=float(np.mean(hota["HOTA"])),
        recall=float(clear["CLR_Re"]),
        precision=float(clear["CLR_Pr"]),
        id_switches=int(clear["IDSW"]),
        frames=len(frames),
        true_boxes=int(data["num_gt_dets"]),
    )


MOT_CORPUS: Mapping[str, tuple[str, str]] = {
    "vtest": (
        "opencvtutorial-vtest/vtest.avi",
        "opencvtutorial-vtest/vtest.avi.gt.mot_scaled_480x360.txt",
    ),
    "TUD-Campus": ("masa-oa-mot15/TUD-Campus.mp4", "masa-oa-mot15/TUD-Campus.gt.txt"),
}
"""The corpus's MOT15 sequences (under ``shared/data/real``): name → (video, ground truth).
A video's frame *i* (0-based, decode order) is MOT frame *i* + 1 in both."""


@dataclass(frozen=True)
class TrackRun:
    """What a tracking run over one video produced.

    Attributes:
        tracks: 0-based frame index → the tracked boxes (rows with a track id only).
        frames: The frame indices analysed.
        seconds: Time spent in the stages (decoding excluded).
    """

    tracks: dict[int, FrameBoxes]
    frames: list[int]
    seconds: float


def track_video(
    stages: Sequence[StageConfig],
    video: Path,
    *,
    every: int = 1,
    limit: int | None = None,
    classes: Sequence[str] = ("person",),
    first: int = 0,
) -> TrackRun:
    """Run ``stages`` (detector(s), then ``people_track``) over every ``every``-th frame.

    Frames are read in decode order with their presentation times, as the pipeline reads
    them; ``first`` is the first frame index analysed (earlier ones are decoded, not run) and
    ``limit`` stops before that frame index.
    """
    from framewise.pipeline.chain import build_stage
    from framewise.sources.file import FileSource

    built = [build_stage(config) for config in stages]
    tracks: dict[int, FrameBoxes] = {}
    frames: list[int] = []
    spent = 0.0
    try:
        with FileSource(video, sample_fps=None) as source:
            for batch in source.read_batches(8):
                chosen = [
                    f
                    for f in batch
                    if f.index >= first
                    and f.index % every == 0
                    and (limit is None or f.index < limit)
                ]
                if not chosen:
                    continue
                start = time.perf_counter()
                results = [FrameOutput.empty(f.source_id) for f in chosen]
                for stage in built:
                    results = stage.detect(chosen, results)
                spent += time.perf_counter() - start
                for frame, result in zip(chosen, results, strict=True):
                    found = result.detections
                    ids = found.track_id if found.track_id is not None else np.zeros(0, int)
                    keep = (ids >= 0) & np.isin(np.asarray(found.class_name), list(classes))
                    tracks[frame.index] = FrameBoxes(ids[keep].tolist(), found.xyxy[keep])
                    frames.append(frame.index)
    finally:
        for stage in built:
            stage.close()
    return TrackRun(tracks, frames, spent)
