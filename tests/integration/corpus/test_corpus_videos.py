"""Damaged and odd videos through ``probe``, ``frames`` and ``process`` (issue 14, item 12).

Each command meets every corpus video (and ``process`` every broken YAML, ``frames`` every
damaged resume index) through the real entry point: a refusal is one line naming the file
with the documented exit code; an accepted file is read, and what was read is checked.
"""

from __future__ import annotations

import csv
import json
import shutil

import cv2
import pytest

from tests.integration.corpus.conftest import Corpus
from tests.integration.corpus.corpus_cases import (
    CONFIG_REFUSALS,
    FRAME_INDEX_REFUSALS,
    VIDEO_ACCEPTED,
    VIDEO_REFUSALS,
    VIDEO_SECONDS,
)
from tests.integration.corpus.corpus_run import accepted, refused, run

VIDEOS = sorted([*VIDEO_REFUSALS, *VIDEO_ACCEPTED])
FPS = 2
"""Sampling rate of ``frames`` and ``process``: a few frames per clip keeps the module fast."""


def _samples(name: str) -> int:
    """Frames a 2 fps sampling keeps: one per tick from 0 s to the last picture."""
    return int(VIDEO_SECONDS.get(name, 4.0) * FPS) + 1


@pytest.mark.parametrize("name", VIDEOS)
def test_probe(corpus: Corpus, name: str) -> None:
    video = corpus.videos[name]
    done = run("probe", "--json", video)
    if name in VIDEO_REFUSALS:
        refused(done, video, VIDEO_REFUSALS[name])
        assert done.stdout == ""
        return
    accepted(done)
    info = json.loads(done.stdout)
    assert {key: info[key] for key in VIDEO_ACCEPTED[name]} == VIDEO_ACCEPTED[name]
    if info["truncated"]:
        assert "truncated?" in done.stderr  # said, not only in the JSON


@pytest.mark.slow
@pytest.mark.parametrize(
    "case",
    [*(f"video:{name}" for name in VIDEOS), *(f"index:{name}" for name in FRAME_INDEX_REFUSALS)],
)
def test_frames(corpus: Corpus, case: str) -> None:
    kind, name = case.split(":")
    out = corpus.out(f"frames-{name}")
    video = corpus.videos[name if kind == "video" else "whole.mp4"]
    if kind == "index":  # an interrupted extraction whose index was damaged since
        out.mkdir(parents=True)
        index = out / ".frames.csv.partial"
        shutil.copyfile(corpus.frame_indexes[name], index)
        shutil.copyfile(corpus.videos["png.mkv"], out / "whole_0000000.jpg")
        done = run("frames", video, "--out", out, "--fps", str(FPS))
        refused(done, index, FRAME_INDEX_REFUSALS[name])
        assert index.read_bytes() == corpus.frame_indexes[name].read_bytes()  # left as found
        return
    done = run("frames", video, "--out", out, "--fps", str(FPS))
    if name in VIDEO_REFUSALS:
        refused(done, video, VIDEO_REFUSALS[name])
        assert not any(out.glob("*.jpg"))
        return
    accepted(done)
    with (out / "frames.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == _samples(name), rows
    assert sorted(row["file"] for row in rows) == sorted(p.name for p in out.glob("*.jpg"))
    image = cv2.imread(str(out / rows[0]["file"]))
    assert image is not None
    info = VIDEO_ACCEPTED[name]
    if "width" in info:  # upright: the rotated clip's frames are portrait
        assert image.shape[:2] == (info["height"], info["width"])


@pytest.mark.slow
@pytest.mark.parametrize(
    "case",
    [*(f"video:{name}" for name in VIDEOS), *(f"config:{name}" for name in CONFIG_REFUSALS)],
)
def test_process(corpus: Corpus, case: str) -> None:
    kind, name = case.split(":")
    out = corpus.out(f"process-{name}")
    if kind == "config":
        config = corpus.configs[name]
        done = run("process", "--video", corpus.videos["whole.mp4"], "--config", config,
                   "--output", out)  # fmt: skip
        refused(done, config, CONFIG_REFUSALS[name])
        assert not out.exists()
        return
    video = corpus.videos[name]
    done = run("process", "--video", video, "--profile", "tarkov", "--output", out,
               "--detection-fps", str(FPS))  # fmt: skip
    if name in VIDEO_REFUSALS:
        refused(done, video, VIDEO_REFUSALS[name])
        assert not any(out.glob("*/events.json")) if out.exists() else True
        return
    accepted(done)
    (log,) = out.glob("*/events.json")
    metadata = json.loads(log.read_text())["metadata"]
    stats = metadata["source_stats"]
    assert metadata["complete"] is True
    assert metadata["frames_processed"] == stats["kept"] == _samples(name)
    assert stats["truncated"] is VIDEO_ACCEPTED[name].get("truncated", False)
    if name == "flipped.mp4":  # damaged frames that decode are kept and counted
        assert stats["corrupt_frames"] > 0
    if name == "noise-middle.mp4":
        assert stats["corrupt_packets"] > 0


def test_the_valid_config_is_accepted(corpus: Corpus) -> None:
    """The YAMLs above differ from this one in one fault each, so each refusal is that fault."""
    out = corpus.out("process-valid")
    done = run("process", "--video", corpus.videos["whole.mp4"], "--config",
               corpus.configs["valid.yaml"], "--output", out)  # fmt: skip
    accepted(done)
    assert (out / "whole" / "events.json").is_file()
