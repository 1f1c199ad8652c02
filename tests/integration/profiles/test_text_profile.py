"""The text profile on the corpus's subtitled clips: every subtitle line found and read (CER
against the curated ground truth), only the frames whose picture changed read again, and
`framewise srt` (and `export --format srt`) writes the subtitles."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from framewise.cli.options import load_pipeline_option
from framewise.events.journal import read_journal
from framewise.events.log import read_event_log
from framewise.pipeline.runner import Pipeline
from framewise.profiles.text.subtitles import score_subtitles, text_events, true_lines
from tests.integration.cli.cli_run import framewise

pytest.importorskip("rapidocr")

MEASURED = {
    # clip: (subtitle band's first row, CER, start/end error in s, frames read of sampled)
    "2.mp4": (600.0, 0.0, 0.1, (8, 13)),
    "1.mp4": (200.0, 0.0, 0.15, (35, 52)),
}
"""bench/text.py when this test was written (3.mp4 too: 12/12 lines, CER 0.011, 75/165 read)."""


def _run(real_data: Path, name: str, out: Path) -> Path:
    pipeline = Pipeline(load_pipeline_option("text", None, None, None))
    try:
        pipeline.process_video(real_data / "rapidvideocr" / name, out)
    finally:
        pipeline.close()
    return out


def _check(real_data: Path, name: str, out: Path) -> None:
    min_y, cer, seconds, (reads, sampled) = MEASURED[name]
    truth = true_lines(
        json.loads((real_data / "rapidvideocr" / f"{name}.groundtruth.json").read_text())
    )
    score = score_subtitles(text_events(read_event_log(out / "events.json"), min_y), truth)
    assert score.found == score.lines and score.cer <= cer, score
    assert score.start_error <= seconds and score.end_error <= seconds, score
    entries = read_journal(out / "journal.jsonl")
    read = sum(int(e.output.feature("text_read")) for e in entries)
    assert len(entries) == sampled and read <= reads + 2, read


def test_the_short_clip_reads_its_three_subtitles(real_data: Path, tmp_path: Path) -> None:
    out = _run(real_data, "2.mp4", tmp_path / "run")
    _check(real_data, "2.mp4", out)
    done = framewise("srt", out / "events.json", "--out", tmp_path / "2.srt", "--min-y", "600")
    assert done.returncode == 0, done.stderr
    blocks = (tmp_path / "2.srt").read_text(encoding="utf-8").split("\n\n")
    assert len(blocks) == 3 and blocks[-1].strip().endswith("你们接着善后")
    # `export --format srt` writes what `srt` writes (the same code), byte for byte.
    exported = framewise(
        "export", out / "events.json", "--format", "srt", "--out", tmp_path / "e.srt"
    )
    assert exported.returncode == 0, exported.stderr
    plain = framewise("srt", out / "events.json", "--out", tmp_path / "s.srt")
    assert plain.returncode == 0, plain.stderr
    assert (tmp_path / "e.srt").read_bytes() == (tmp_path / "s.srt").read_bytes()
    assert "-->" in (tmp_path / "e.srt").read_text(encoding="utf-8")


@pytest.mark.slow
def test_the_bilingual_clip_reads_both_lines(real_data: Path, tmp_path: Path) -> None:
    out = _run(real_data, "1.mp4", tmp_path / "run")
    _check(real_data, "1.mp4", out)
