"""Build a YOLO ``person`` dataset from the first 60 % of vtest.avi (PETS09-S2L1, 480x360).

The frames 0..``--train-end``-1 (0-based; MOT frames 1..477 by default) are the user's "own
footage" the model learns from; the last 40 % (477..794) stay unseen for the held-out score
(``bench/people.py --model``). Every ``--every``-th frame of the training range is written;
every ``--val-every``-th of those goes to ``val`` (still inside the first 60 %: the held-out
frames are never looked at). Boxes come from the corpus's MOT ground truth (``conf`` 0 rows
dropped, as eval/mot.py reads it), clipped to the frame.

    .venv/bin/python scripts/train_person_model.py --out /tmp/p22d/ds
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np

from framewise.core.atomic import write_bytes, write_text
from framewise.eval.mot import MOT_CORPUS, read_mot

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"
TRAIN_END = 477
"""First held-out frame (0-based): 60 % of vtest's 795 frames."""


def label_lines(xyxy: np.ndarray, width: int, height: int) -> list[str]:
    """YOLO ``class cx cy w h`` lines (normalised) for boxes clipped to the frame."""
    lines = []
    for box in xyxy:
        x1, x2 = np.clip(box[[0, 2]], 0, width)
        y1, y2 = np.clip(box[[1, 3]], 0, height)
        # A box mostly outside the frame leaves a sliver no detector can be asked to find.
        if x2 - x1 < 2 or y2 - y1 < 4:
            continue
        cx, cy = (x1 + x2) / 2 / width, (y1 + y2) / 2 / height
        w, h = (x2 - x1) / width, (y2 - y1) / height
        lines.append(f"0 {cx:.6f} {cy:.6f} {w:.6f} {h:.6f}")
    return lines


def build(data: Path, out: Path, every: int, val_every: int, train_end: int) -> dict[str, int]:
    """Write ``images/{train,val}``, ``labels/{train,val}`` and ``data.yaml`` under ``out``."""
    video_name, truth_name = MOT_CORPUS["vtest"]
    truth = read_mot(data / truth_name)
    counts = {"train": 0, "val": 0}
    capture = cv2.VideoCapture(str(data / video_name))
    try:
        for index in range(train_end):
            ok, frame = capture.read()
            if not ok:
                break
            if index % every:
                continue
            split = "val" if (index // every) % val_every == val_every - 1 else "train"
            height, width = frame.shape[:2]
            boxes = truth.get(index)
            lines = label_lines(boxes.xyxy, width, height) if boxes is not None else []
            ok, png = cv2.imencode(".png", frame)
            if not ok:
                raise RuntimeError(f"cannot encode frame {index}")
            write_bytes(out / "images" / split / f"vtest_{index:04d}.png", png.tobytes())
            write_text(
                out / "labels" / split / f"vtest_{index:04d}.txt",
                "".join(line + "\n" for line in lines),
            )
            counts[split] += 1
    finally:
        capture.release()
    write_text(
        out / "data.yaml",
        f"path: {out.resolve()}\ntrain: images/train\nval: images/val\nnames:\n  0: person\n",
    )
    return counts


def main() -> None:
    """Parse the arguments and build the dataset."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--every", type=int, default=2)
    parser.add_argument("--val-every", type=int, default=8)
    parser.add_argument("--train-end", type=int, default=TRAIN_END)
    args = parser.parse_args()
    counts = build(args.data, args.out, args.every, args.val_every, args.train_end)
    print(f"{args.out}: {counts['train']} train, {counts['val']} val images")


if __name__ == "__main__":
    main()
