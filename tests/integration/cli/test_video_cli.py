"""The ``framewise probe`` and ``framewise frames`` commands, run as a user runs them."""

from __future__ import annotations

import csv
import json
import random
import subprocess
from pathlib import Path

import pytest

from framewise.datasets.frames import CSV_NAME, extract_frames
from framewise.sources.file import FileSource
from tests.integration.cli.cli_run import framewise


def read_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.read_text().splitlines()))


def test_probe_json(real_data: Path) -> None:
    done = framewise(
        "probe",
        real_data / "pyscenedetect/goldeneye-vfr-drop3.mp4",
        "--json",
        "--start-time",
        "2026-01-15T18:00:00Z",
    )
    assert done.returncode == 0, done.stderr
    info = json.loads(done.stdout)
    assert info["vfr"] is True
    assert info["frame_count"] == 160
    assert info["session_start"] == "2026-01-15T18:00:00Z"
    assert info["session_start_origin"] == "user"
    assert {"duration_seconds", "avg_fps", "codec", "width", "height", "rotation"} <= set(info)


@pytest.fixture
def bad_inputs(tmp_path: Path, real_data: Path, ffmpeg: str) -> dict[str, Path]:
    mkv = real_data / "intel-sample-videos/asl_gestures_walk.mkv"
    truncated = tmp_path / "truncated.mkv"
    data = mkv.read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    noise = tmp_path / "noise.mkv"
    noise.write_bytes(random.Random(0).randbytes(200_000))  # fixed: random bytes can parse
    empty = tmp_path / "empty.mkv"
    empty.write_bytes(b"")
    text = tmp_path / "notes.mp4"
    text.write_text("these are my notes, not a video\n" * 50)
    audio = tmp_path / "voice.m4a"
    subprocess.run(
        [
            ffmpeg,
            "-hide_banner",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "sine=duration=1",
            "-c:a",
            "aac",
            str(audio),
        ],
        check=True,
    )
    return {
        "truncated": truncated,
        "noise": noise,
        "empty": empty,
        "text": text,
        "audio": audio,
        "missing": tmp_path / "nowhere.mkv",
    }


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("noise", "not a video file"),
        ("empty", "empty"),
        ("text", "not a video file"),
        ("audio", "no video stream"),
        ("missing", "no such file"),
    ],
)
@pytest.mark.parametrize("command", ["probe", "frames"])
def test_bad_input_gets_one_line_and_an_exit_code(
    bad_inputs: dict[str, Path], tmp_path: Path, case: str, message: str, command: str
) -> None:
    path = bad_inputs[case]
    extra = ["--out", str(tmp_path / "out")] if command == "frames" else []
    done = framewise(command, path, *extra)
    assert done.returncode == 3
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert str(path) in lines[0]
    assert message in lines[0]
    assert " — " in lines[0]  # and what to do about it


def test_truncated_mkv_still_gives_the_frames_before_the_cut(
    bad_inputs: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "frames"
    done = framewise("frames", bad_inputs["truncated"], "--fps", "30", "--out", out)
    assert done.returncode == 0, done.stderr
    rows = read_rows(out / CSV_NAME)
    assert 30 < len(rows) < 89  # the whole file has 89 frames
    assert "file truncated" in done.stdout
    probe = framewise("probe", bad_inputs["truncated"], "--json")
    assert probe.returncode == 0
    assert json.loads(probe.stdout)["frame_count"] == len(rows)


def test_bad_flag_values_exit_2(real_data: Path, tmp_path: Path) -> None:
    video = real_data / "pyscenedetect/counter.mp4"
    for args in (["--size", "big"], ["--start-time", "noon"]):
        done = framewise("frames", video, "--out", tmp_path, *args)
        assert done.returncode == 2
        assert "Traceback" not in done.stderr
    assert framewise("frames", video).returncode == 2  # --out is required


def test_frames_writes_images_and_a_csv(real_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "frames"
    done = framewise(
        "frames",
        real_data / "pyscenedetect/counter.mp4",
        "--fps",
        "5",
        "--size",
        "320x180",
        "--out",
        out,
        "--start-time",
        "2026-01-15T18:00:00Z",
    )
    assert done.returncode == 0, done.stderr
    rows = read_rows(out / CSV_NAME)
    assert [float(r["video_seconds"]) for r in rows] == pytest.approx([i * 0.2 for i in range(15)])
    assert [int(r["frame_index"]) for r in rows] == list(range(0, 30, 2))
    assert rows[5]["wall_time"] == "2026-01-15T18:00:01Z"
    assert sorted(p.name for p in out.glob("*.jpg")) == sorted(r["file"] for r in rows)
    import cv2

    picture = cv2.imread(str(out / rows[0]["file"]))
    assert picture is not None and picture.shape == (180, 320, 3)


def test_interrupted_extraction_resumes_without_duplicates(real_data: Path, tmp_path: Path) -> None:
    video = real_data / "pyscenedetect/counter.mp4"
    whole = extract_frames(FileSource(video, sample_fps=10), tmp_path / "whole")
    out = tmp_path / "resumed"
    extract_frames(FileSource(video, sample_fps=10, end=1.25), out)
    (out / CSV_NAME).rename(out / f".{CSV_NAME}.partial")  # as if killed at 1.25 s
    report = extract_frames(FileSource(video, sample_fps=10), out)
    assert report.resumed_from == 13
    assert report.written == 30 - 13
    rows = (out / CSV_NAME).read_text().splitlines()
    assert rows == whole.csv_path.read_text().splitlines()
    assert len(list(out.glob("*.jpg"))) == 30
