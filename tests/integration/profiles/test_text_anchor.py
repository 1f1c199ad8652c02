"""bench/text.py's anchor path: RapidVideOCR on an oracle VideoSubFinder folder of 2.mp4.

The folder's file names must parse, in RapidVideOCR's own code, to the true spans they carry
(else its SRT times, and the pairing with true lines, would be wrong), and its SRT, scored by
our code, must read the clip's 3 lines as bench/text.py measured (CER 0 on 2.mp4).
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

from framewise.profiles.text.subtitles import score_subtitles, true_lines

pytest.importorskip("rapid_videocr")

BENCH = Path(__file__).resolve().parents[3] / "bench" / "text.py"


def _bench() -> ModuleType:
    # bench/ is scripts, not a package: load the file as the bench runs it.
    spec = importlib.util.spec_from_file_location("bench_text", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_rapidvideocr_reads_oracle_frames_of_2mp4(real_data: Path, tmp_path: Path) -> None:
    from rapid_videocr import RapidVideOCR, RapidVideOCRInput  # type: ignore[import-untyped]
    from rapid_videocr.ocr_processor import OCRProcessor  # type: ignore[import-untyped]

    bench = _bench()
    video = real_data / "rapidvideocr" / "2.mp4"
    groundtruth = json.loads(Path(f"{video}.groundtruth.json").read_text())
    folder = tmp_path / "RGBImages"
    assert bench.oracle_rgb_images(video, groundtruth["subtitles"], 600.0, folder) == 3

    names = sorted(folder.iterdir())
    first = groundtruth["subtitles"][0]
    assert first["start_s"] == 0.041 and first["end_s"] == 0.416
    assert OCRProcessor._get_srt_timestamp(names[0]) == "00:00:00,041 --> 00:00:00,416"
    assert OCRProcessor._get_ass_timestamp(names[0]) == "0:00:00.04,0:00:00.41"

    RapidVideOCR(RapidVideOCRInput())(folder, tmp_path, "result")
    events = bench.srt_events(tmp_path / "result.srt")
    score = score_subtitles(events, true_lines(groundtruth))
    assert (score.found, score.lines, score.edits) == (3, 3, 0)
    assert score.start_error < 0.002 and score.end_error < 0.002
