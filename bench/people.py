"""People profile on the corpus's MOT15 files: HOG vs MediaPipe Pose, each tracked by ByteTrack.

For each file (``vtest.avi`` = PETS09-S2L1 at 480×360, ``TUD-Campus.mp4``) the profile's
stages run over every ``--every``-th frame (``person_detect`` with ``method: hog``, then with
``method: pose``; ``people_track`` after each) and TrackEval scores the tracks against the
MOT15 ground truth on those frames: MOTA, IDF1, HOTA. Speed is frames analysed per second of
stage time (decoding excluded), with its ratio to decoding alone, timed in the same process
before and after the runs (the machine is shared: the ratio is the figure to read).

``--model person.onnx`` puts your own YOLO ONNX person model (a ``yolo_onnx`` stage, class
``person``) in place of ``person_detect`` and compares it with HOG (pose is left out);
``--start`` skips the frames before it (e.g. ``--start 477``: vtest's last 40 %, the frames
``scripts/train_person_model.sh`` keeps out of training) and ``--only`` runs one sequence.

    .venv/bin/python bench/people.py [--data ../shared/data/real] [--every 1] [--limit N]
        [--model person.onnx [--activation 0.7]] [--start N] [--only vtest]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from framewise.cli.options import load_pipeline_option
from framewise.config.detectors import StageConfig, YoloOnnxConfig
from framewise.eval.mot import MOT_CORPUS, read_mot, score_tracks, track_video
from framewise.sources.file import FileSource

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"
METHODS = ("hog", "pose")


def decode_fps(video: Path, limit: int | None) -> float:
    """Frames per second decoding ``video`` alone (the first ``limit`` frames)."""
    start = time.perf_counter()
    count = 0
    with FileSource(video, sample_fps=None) as source:
        for frame in source.read():
            if limit is not None and frame.index >= limit:
                break
            count += 1
    return count / (time.perf_counter() - start)


def stages_for(method: str) -> list[StageConfig]:
    """The people profile's stages with ``method`` as the detector."""
    config = load_pipeline_option("people", None, None, None)
    detect, track = config.detectors
    return [detect.model_copy(update={"method": method}), track]


def model_stages(model: Path, activation: float | None) -> list[StageConfig]:
    """The people profile's stages with the YOLO ONNX person ``model`` as the detector."""
    config = load_pipeline_option("people", None, None, None)
    _, track = config.detectors
    if activation is not None:
        track = track.model_copy(update={"activation": activation})
    detect = YoloOnnxConfig(kind="yolo_onnx", model=model.resolve(), classes=["person"])
    return [detect, track]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--every", type=int, default=1, help="analyse every N-th frame")
    parser.add_argument("--limit", type=int, default=None, help="stop before this frame")
    parser.add_argument("--start", type=int, default=0, help="first frame analysed")
    parser.add_argument("--model", type=Path, default=None, help="a YOLO ONNX person model")
    parser.add_argument(
        "--activation", type=float, default=None, help="the model's track start score"
    )
    parser.add_argument("--only", choices=sorted(MOT_CORPUS), default=None)
    args = parser.parse_args()
    configs = {m: stages_for(m) for m in METHODS}
    if args.model is not None:
        configs = {"hog": configs["hog"], "yolo": model_stages(args.model, args.activation)}
    for name, (video_name, truth_name) in MOT_CORPUS.items():
        if args.only is not None and name != args.only:
            continue
        video = args.data / video_name
        truth = read_mot(args.data / truth_name)
        before = decode_fps(video, args.limit)
        runs = {
            m: track_video(stages, video, every=args.every, limit=args.limit, first=args.start)
            for m, stages in configs.items()
        }
        decode = (before + decode_fps(video, args.limit)) / 2
        print(f"{name}: decoding alone {decode:.0f} frames/s")
        for method, run in runs.items():
            scores = score_tracks(truth, run.tracks, run.frames)
            fps = len(run.frames) / run.seconds
            print(
                f"  {method:<5} {scores.line()}  {fps:.1f} frames/s ({fps / decode:.3f}x decoding)"
            )


if __name__ == "__main__":
    main()
