"""Motion profile vs DVR-Scan on vtest.avi (PETS09-S2L1), same region: events, time error, speed.

Ground truth: the MOT15 boxes of the corpus (scaled to the video): a person whose box reaches into
the region (the left strip, x < 120 of 480) moves there; frames less than a second
apart are one span. Both tools watch that region with MOG2, DVR-Scan with its defaults and
framewise with the motion profile's (every frame, 0.2 s to open, 1 s before, 2 s after).
An event matches the true span it overlaps most; the time error is how far its unpadded
start (the first moving frame) is from the span's first frame.

    .venv/bin/python bench/motion.py [--data ../shared/data/real]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from framewise.cli.options import load_pipeline_option
from framewise.events.log import read_event_log
from framewise.pipeline.runner import Pipeline
from framewise.sources.file import FileSource

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"
VIDEO = "opencvtutorial-vtest/vtest.avi"
GT = "opencvtutorial-vtest/vtest.avi.gt.mot_scaled_480x360.txt"
REGION = [(0, 0), (120, 0), (120, 360), (0, 360)]
GAP_FRAMES = 10


def true_spans(data: Path, times: list[float]) -> list[tuple[float, float]]:
    rows = np.loadtxt(data / GT, delimiter=",")
    frames = sorted({int(r[0]) - 1 for r in rows if r[2] < REGION[1][0] and r[0] - 1 < len(times)})
    spans: list[list[int]] = []
    for f in frames:
        if spans and f - spans[-1][1] <= GAP_FRAMES:
            spans[-1][1] = f
        else:
            spans.append([f, f])
    return [(times[a], times[b]) for a, b in spans]


def framewise_events(video: Path, out: Path) -> list[tuple[float, float]]:
    config = load_pipeline_option("motion", None, None, None)
    stage = config.detectors[0].model_copy(update={"roi": [REGION]})
    source = config.source.model_copy(update={"read": "all"})
    pipeline = Pipeline(config.model_copy(update={"detectors": [stage], "source": source}))
    try:
        pipeline.process_video(video, out, force=True)
    finally:
        pipeline.close()
    events = read_event_log(out / "events.json").events
    return [(float(e.data["start"]), float(e.data["end"])) for e in events]  # type: ignore[arg-type]


def dvr_scan_events(video: Path) -> list[tuple[float, float]]:
    from dvr_scan.region import Point  # type: ignore[import-untyped]
    from dvr_scan.scanner import MotionScanner  # type: ignore[import-untyped]

    scanner = MotionScanner([video])
    scanner.set_regions(regions=[[Point(x, y) for x, y in REGION]])
    result = scanner.scan()
    assert result is not None
    return [(e.start.get_seconds(), e.end.get_seconds()) for e in result.event_list]


def score(
    name: str, found: list[tuple[float, float]], truth: list[tuple[float, float]], pre: float
) -> None:
    matched, errors = set(), []
    for start, end in found:
        overlaps = [(min(end, b) - max(start, a), i) for i, (a, b) in enumerate(truth)]
        best = max(overlaps, default=(0.0, -1))
        if best[0] > 0 and best[1] not in matched:
            matched.add(best[1])
            errors.append(abs(start + pre - truth[best[1]][0]))
    error = f"{np.mean(errors):.2f} s" if errors else "-"
    print(
        f"{name:<10} events {len(found):>2}  true spans found {len(matched)}/{len(truth)}"
        f"  extra {len(found) - len(matched)}  mean start error {error}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    video = args.data / VIDEO
    with FileSource(video, sample_fps=None) as source:
        times = [f.seconds for f in source.read()]
    truth = true_spans(args.data, times)
    print("true spans:", [(round(a, 1), round(b, 1)) for a, b in truth])
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        ours = framewise_events(video, Path(tmp) / "run")
        ours_s = time.perf_counter() - start
    start = time.perf_counter()
    theirs = dvr_scan_events(video)
    theirs_s = time.perf_counter() - start
    print("framewise:", [(round(a, 1), round(b, 1)) for a, b in ours])
    print("dvr-scan: ", [(round(a, 1), round(b, 1)) for a, b in theirs])
    score("framewise", ours, truth, 1.0)
    score("dvr-scan", theirs, truth, 1.5)
    print(f"speed: framewise {ours_s:.2f} s, dvr-scan {theirs_s:.2f} s: {theirs_s / ours_s:.2f}x")


if __name__ == "__main__":
    main()
