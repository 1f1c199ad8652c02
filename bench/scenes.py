"""Scenes profile vs PySceneDetect on the corpus's pyscenedetect folder: cut F1 and speed.

Each video is processed by `framewise process --profile scenes` (the Python API, whole run:
decode, stages, events, thumbnails, log) and by PySceneDetect's ContentDetector and
AdaptiveDetector with their defaults (PyAV backend, the same decoder), in the same process;
cuts are matched to the ground truth within 0.1 s. Each run is repeated (``--repeat``, the
tools taking turns) and the fastest counts, so other work on the machine weighs less. The
folder's totals are the figure; the rapidvideocr clips follow, outside the totals (their ground
truth lists curated peaks only: `3.mp4`'s names 2 cuts where a look at the frames finds 6).

    .venv/bin/python bench/scenes.py [--data ../shared/data/real] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from framewise.cli.options import load_pipeline_option
from framewise.events.log import read_event_log
from framewise.pipeline.runner import Pipeline
from framewise.profiles.scenes.accuracy import CutScore, match_cuts, truth_cuts

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"


def framewise_cuts(pipeline: Pipeline, video: Path, out: Path) -> list[float]:
    pipeline.process_video(video, out, force=True)
    log = read_event_log(out / "events.json")
    return [e.video_offset_seconds for e in log.events if e.type == "scene_cut"]


def scenedetect_cuts(detector: str) -> Callable[[Path], list[float]]:
    import scenedetect  # type: ignore[import-untyped]

    kinds = {"content": scenedetect.ContentDetector, "adaptive": scenedetect.AdaptiveDetector}

    def run(video: Path) -> list[float]:
        stream = scenedetect.open_video(str(video), backend="pyav")
        manager = scenedetect.SceneManager()
        manager.add_detector(kinds[detector]())
        manager.detect_scenes(stream)
        return [start.get_seconds() for start, _ in manager.get_scene_list()[1:]]

    return run


def print_totals(
    tools: tuple[str, ...], totals: dict[str, CutScore], seconds: dict[str, float]
) -> None:
    print()
    for tool in tools:
        t = totals[tool]
        print(
            f"{tool:<10} F1 {t.f1:.3f}  precision {t.precision:.3f}  recall {t.recall:.3f}"
            f"  mean time error {t.time_error * 1000:.1f} ms  {seconds[tool]:.2f} s"
        )
    for tool in ("content", "adaptive"):
        ratio = seconds[tool] / seconds["framewise"]
        print(f"speed: framewise is {ratio:.2f}x PySceneDetect {tool} (whole run, same files)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    folder = args.data / "pyscenedetect"
    videos = sorted(p for p in folder.iterdir() if p.suffix in {".mp4", ".mkv"})
    others = [args.data / "rapidvideocr" / name for name in ("1.mp4", "3.mp4")]
    pipeline = Pipeline(load_pipeline_option("scenes", None, None, None))
    tools = ("framewise", "content", "adaptive")
    totals = {tool: CutScore(0, 0, 0, 0.0) for tool in tools}
    seconds = dict.fromkeys(tools, 0.0)
    runners = {"content": scenedetect_cuts("content"), "adaptive": scenedetect_cuts("adaptive")}
    print(f"{'video':<28} {'truth':>5} " + " ".join(f"{t:>16}" for t in tools))
    with tempfile.TemporaryDirectory() as tmp:
        for video in [*videos, *others]:
            if video == others[0]:
                print_totals(tools, totals, seconds)
                print("\nrapidvideocr (curated peaks only; not in the totals above)")
            truth = truth_cuts(json.loads(Path(f"{video}.groundtruth.json").read_text()))
            cells = []
            for tool in tools:
                best = float("inf")
                for _ in range(args.repeat):
                    start = time.perf_counter()
                    if tool == "framewise":
                        found = framewise_cuts(pipeline, video, Path(tmp) / video.name)
                    else:
                        found = runners[tool](video)
                    best = min(best, time.perf_counter() - start)
                score = match_cuts(found, truth)
                if video in videos:
                    seconds[tool] += best
                    totals[tool] += score
                cells.append(f"{score.hits}/{len(truth)} +{score.false_cuts} F1 {score.f1:.2f}")
            print(f"{video.name:<28} {len(truth):>5} " + " ".join(f"{c:>16}" for c in cells))
    pipeline.close()


if __name__ == "__main__":
    main()
