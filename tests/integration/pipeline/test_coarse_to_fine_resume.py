"""Coarse-to-fine on a clip whose events are known exactly: the dense run's events, and a
resume that ends as the uninterrupted run does.

The clip is plain-colour segments (H.264, 1 s GOPs) seen by the colour model of
``framewise.testing.models``: long unchanged stretches (repeated ticks) between colour changes
(decoded). A run stopped 10 s in (after a checkpoint) resumes from its journal, repeated ticks
included, and finishes with the same events, journal marks and dense spans.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from framewise.config.pipeline import StrategyConfig, load_pipeline
from framewise.core.errors import FramewiseError
from framewise.events.journal import read_journal
from framewise.events.log import read_event_log
from framewise.pipeline.runner import Pipeline
from framewise.pipeline.strategy import _Opened
from framewise.sources.file import FileSource
from framewise.testing.ffmpeg import colour_segments_clip
from framewise.testing.models import colour_model
from tests.integration.pipeline.test_process import PIPELINE

SEGMENTS = (("red", 6), ("black", 3), ("lime", 4), ("black", 2), ("red", 1.5), ("black", 4))
"""Red 0-6 s, green 9-13 s, red 15-16.5 s; black between and after (20.5 s)."""


class StopRunError(Exception):
    """Stands in for a crash after a checkpoint."""


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory, ffmpeg: str) -> Path:
    root = tmp_path_factory.mktemp("c2f")
    colour_model(root / "colour.onnx")
    (root / "pipeline.yaml").write_text(PIPELINE)
    colour_segments_clip(ffmpeg, root / "colours.mkv", SEGMENTS)
    return root


def events(path: Path) -> list[tuple[str, float, int]]:
    """Type, video time and frame number of every event in a log."""
    log = read_event_log(path)
    return [(e.type, e.video_offset_seconds, e.frame_number) for e in log.events]


def test_coarse_to_fine_gives_the_dense_events_and_resumes_to_the_same_run(
    workspace: Path, tmp_path: Path
) -> None:
    dense_config = load_pipeline(workspace / "pipeline.yaml")
    fine_config = dense_config.model_copy(
        update={"strategy": StrategyConfig(kind="coarse-to-fine")}
    )
    video = workspace / "colours.mkv"
    dense = Pipeline(dense_config)
    fine = Pipeline(fine_config, checkpoint_seconds=0.0)
    try:
        reference = dense.process_video(video, tmp_path / "dense")
        whole = fine.process_video(video, tmp_path / "whole")
        figures = fine.strategy_figures["strategy"]

        def stop_at_10s(seconds: float) -> None:
            if seconds >= 10.0:
                raise StopRunError

        with pytest.raises(StopRunError):
            fine.process_video(video, tmp_path / "cut", on_progress=stop_at_10s)
        manifest = json.loads((tmp_path / "cut" / "manifest.json").read_text())
        resumed = fine.process_video(video, tmp_path / "cut")
    finally:
        dense.close()
        fine.close()

    expected = events(reference.log_path)
    assert len(expected) >= 3  # an episode per colour segment at least
    assert events(whole.log_path) == expected
    assert whole.frames == reference.frames  # one result per tick, as dense
    assert whole.stats.decoded < reference.stats.decoded
    assert figures["repeated_ticks"] >= 60 and figures["dense_ticks"] >= 30, figures

    assert resumed.resumed_at is not None and resumed.resumed_at >= 9.9
    # The checkpoint kept what the first leg decoded, so the resumed run's totals hold it.
    first_leg = manifest["legs"][-1]["source_stats"]
    assert first_leg["decoded"] > 0 and first_leg["kept"] > 0, first_leg
    assert resumed.stats.decoded > first_leg["decoded"]
    assert events(resumed.log_path) == expected
    marks = [
        (e.seconds, e.repeated_from) for e in read_journal(tmp_path / "whole" / "journal.jsonl")
    ]
    again = [(e.seconds, e.repeated_from) for e in read_journal(tmp_path / "cut" / "journal.jsonl")]
    assert again == marks and sum(r is not None for _, r in marks) == figures["repeated_ticks"]
    spans = json.loads(whole.log_path.read_text())["metadata"]["strategy"]["dense_spans"]
    assert len(spans) >= 4 and all(b > a for a, b in spans[:-1]), spans  # each colour change


def test_a_span_read_ahead_that_fails_raises_in_the_runs_thread(
    workspace: Path, tmp_path: Path
) -> None:
    """The read-ahead's error reaches the run as the source raised it; no thread is left."""
    video = tmp_path / "gone.mkv"
    video.write_bytes((workspace / "colours.mkv").read_bytes())
    span = FileSource(video, sample_fps=5.0).span(9.0, 13.0)
    video.write_bytes(b"not a video any more")  # replaced between the plan and the read
    before = threading.active_count()
    opened = _Opened(span, 4)
    with pytest.raises(FramewiseError, match=r"gone\.mkv"):
        next(opened.batches())
    opened.close()
    assert threading.active_count() == before
    good = _Opened(FileSource(workspace / "colours.mkv", sample_fps=5.0).span(9.0, 12.9), 4)
    frames = [frame for batch in good.batches() for frame in batch]
    good.close()
    assert [round(f.seconds, 1) for f in frames] == [round(9.0 + k / 5, 1) for k in range(20)]
    assert threading.active_count() == before
