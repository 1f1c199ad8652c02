"""The malformed-input corpus, generated once per test session and shared by every command."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from framewise.synth import RenderSettings, render_session
from tests.integration.corpus.corpus_files import (
    make_configs,
    make_frame_indexes,
    make_logs,
    make_videos,
)
from tests.integration.corpus.corpus_run import accepted, run


@dataclass(frozen=True)
class Corpus:
    """Every generated input by file name."""

    root: Path
    videos: dict[str, Path]
    configs: dict[str, Path]
    logs: dict[str, Path]
    frame_indexes: dict[str, Path]

    def out(self, name: str) -> Path:
        """A fresh output folder for one run (never shared, so no run resumes another's)."""
        folder = self.root / "out" / name
        if folder.exists():
            shutil.rmtree(folder)
        return folder


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory, ffmpeg: str) -> Corpus:
    """Damaged videos, bad YAML, bad event logs, bad frame indexes, made with ffmpeg."""
    root = tmp_path_factory.mktemp("corpus")
    return Corpus(
        root=root,
        videos=make_videos(ffmpeg, root / "videos"),
        configs=make_configs(root / "configs"),
        logs=make_logs(root / "logs"),
        frame_indexes=make_frame_indexes(root / "frame-indexes"),
    )


@pytest.fixture(scope="session")
def run_log(corpus: Corpus) -> Path:
    """The event log of a real ``process`` run folder (log + journal), to export from.

    The run reads a short rendered session that opens in a raid, so the log has kept events
    whatever the shipped model makes of a test pattern.
    """
    runs = corpus.root / "runs"
    session = corpus.root / "session.mkv"
    render_session(session, RenderSettings(seconds=12.0, seed=24, width=640, height=360,
                                           start_in_raid=True))  # fmt: skip
    accepted(run("process", "--video", session, "--profile", "tarkov",
                 "--output", runs, "--detection-fps", "2"))  # fmt: skip
    log = runs / "session" / "events.json"
    assert json.loads(log.read_text())["events"], "the rendered session gave no events"
    return log
