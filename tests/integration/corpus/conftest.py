"""The malformed-input corpus, generated once per test session and shared by every command."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

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
    """The event log of a real ``process`` run folder (log + journal), to export from."""
    runs = corpus.root / "runs"
    accepted(run("process", "--video", corpus.videos["whole.mp4"], "--profile", "tarkov",
                 "--output", runs, "--detection-fps", "2"))  # fmt: skip
    return runs / "whole" / "events.json"
