"""Text profile on the corpus's rapidvideocr clips: character error rate, time error, frames read.

Each clip is processed by `framewise process --profile text` (RapidOCR's bundled models on
whole frames, 4 a second, read again only when the picture changed); its `text_shown` events
in the subtitle band (the lower part of the frame, ``--min-y``) are paired with the true
subtitle lines (see framewise.profiles.text.subtitles). Prints per clip and in all: CER, mean
start and end error, lines found, frames read of frames sampled, and seconds.

    .venv/bin/python bench/text.py [--data ../shared/data/real]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from framewise.cli.options import load_pipeline_option
from framewise.events.journal import read_journal
from framewise.events.log import read_event_log
from framewise.pipeline.runner import Pipeline
from framewise.profiles.text.subtitles import (
    SubtitleScore,
    score_subtitles,
    text_events,
    true_lines,
)

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"
CLIPS = {"1.mp4": 200.0, "2.mp4": 600.0, "3.mp4": 600.0}
"""Clip → the pixel row the subtitle band starts at (1.mp4 is 360 high, the others 800)."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    pipeline = Pipeline(load_pipeline_option("text", None, None, None))
    total = SubtitleScore(0, 0, 0, 0, 0.0, 0.0)
    starts: list[float] = []
    ends: list[float] = []
    read = sampled = 0
    seconds = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for name, min_y in CLIPS.items():
            video = args.data / "rapidvideocr" / name
            out = Path(tmp) / name
            began = time.perf_counter()
            pipeline.process_video(video, out)
            took = time.perf_counter() - began
            seconds += took
            truth = true_lines(json.loads(Path(f"{video}.groundtruth.json").read_text()))
            score = score_subtitles(text_events(read_event_log(out / "events.json"), min_y), truth)
            entries = read_journal(out / "journal.jsonl")
            reads = sum(int(e.output.feature("text_read")) for e in entries)
            read, sampled = read + reads, sampled + len(entries)
            starts += [score.start_error] * score.found
            ends += [score.end_error] * score.found
            total = SubtitleScore(
                total.lines + score.lines,
                total.found + score.found,
                total.edits + score.edits,
                total.chars + score.chars,
                0.0,
                0.0,
            )
            print(
                f"{name:<6} lines {score.found}/{score.lines}  CER {score.cer:.3f}"
                f"  start error {score.start_error:.3f} s  end error {score.end_error:.3f} s"
                f"  frames read {reads}/{len(entries)}  {took:.1f} s"
            )
    pipeline.close()
    start_error = sum(starts) / len(starts) if starts else 0.0
    end_error = sum(ends) / len(ends) if ends else 0.0
    print(
        f"all    lines {total.found}/{total.lines}  CER {total.cer:.3f}"
        f"  start error {start_error:.3f} s  end error {end_error:.3f} s"
        f"  frames read {read}/{sampled}  {seconds:.1f} s"
    )


if __name__ == "__main__":
    main()
