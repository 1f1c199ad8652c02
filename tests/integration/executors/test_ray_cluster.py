"""``--executor ray`` on a real two-node cluster: the same outputs as a local run, and faults.

The cluster (``ray start --head`` plus a second ``ray start --address``, one CPU each) is
started once for the module; every command runs as a user would run it, through
``python -m framewise``, against its address.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from framewise.testing.ray_cluster import LocalRayCluster
from tests.integration.executors.conftest import REPO, framewise
from tests.integration.stages.conftest import lavfi_clip

pytestmark = pytest.mark.slow


def _workdir(root: Path, colours: Path, videos: str = "videos") -> Path:
    """A working folder whose ``videos`` is the shared clips (same relative paths in both runs)."""
    root.mkdir(parents=True)
    (root / "videos").symlink_to(colours / videos, target_is_directory=True)
    return root


def _events(path: Path, resumed: bool = False) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(path.read_text())
    payload["metadata"].pop("processed_at")  # when it ran: the one field that must differ
    if resumed:
        # The decoder's counters of a leg killed before its first checkpoint are lost with it
        # (a resumed run counts what it decoded itself), as in any resumed local run.
        payload["metadata"].pop("source_stats")
    return payload


def _same_run_folder(local: Path, ray: Path, resumed: bool = False) -> None:
    assert _events(ray / "events.json", resumed) == _events(local / "events.json", resumed)
    assert (ray / "journal.jsonl").read_bytes() == (local / "journal.jsonl").read_bytes()
    thumbs = sorted(p.name for p in (local / "thumbnails").iterdir())
    assert thumbs and thumbs == sorted(p.name for p in (ray / "thumbnails").iterdir())
    for name in thumbs:
        assert (ray / "thumbnails" / name).read_bytes() == (
            local / "thumbnails" / name
        ).read_bytes()


@pytest.fixture(scope="module")
def process_runs(
    colours: Path, ray_cluster: LocalRayCluster, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path, subprocess.CompletedProcess[str]]:
    """``process --video-dir`` locally and on the cluster, each in its own folder."""
    root = tmp_path_factory.mktemp("process")
    local = _workdir(root / "local", colours)
    ray = _workdir(root / "ray", colours)
    config = colours / "pipeline.yaml"
    done = framewise("process", "--video-dir", "videos", "--config", config, "-o", "out", cwd=local)
    assert done.returncode == 0, done.stderr
    on_ray = framewise(
        "process", "--video-dir", "videos", "--config", config, "-o", "out",
        "--executor", "ray", "--address", ray_cluster.address,
        cwd=ray, env=ray_cluster.env,
    )  # fmt: skip
    return local / "out", ray / "out", on_ray


def test_process_on_ray_writes_what_a_local_run_writes(
    process_runs: tuple[Path, Path, subprocess.CompletedProcess[str]],
) -> None:
    local, ray, done = process_runs
    for video in ("a", "b"):
        _same_run_folder(local / video, ray / video)
    # Two actors, one per node (each offers one CPU): both took videos.
    assert "3 videos on 2 workers, 2 ok, 1 failed" in done.stderr, done.stderr
    local_summary = json.loads((local / "summary.json").read_text())
    ray_summary = json.loads((ray / "summary.json").read_text())
    assert ray_summary["by_type"] == local_summary["by_type"]
    assert ray_summary["events"] == local_summary["events"] > 0


def test_a_file_that_is_not_a_video_fails_its_own_task(
    process_runs: tuple[Path, Path, subprocess.CompletedProcess[str]],
) -> None:
    _, ray, done = process_runs
    assert done.returncode == 3, done.stderr
    summary = json.loads((ray / "summary.json").read_text())
    assert [v["video"] for v in summary["videos"]] == ["videos/a.mkv", "videos/b.mkv"]
    [failed] = summary["failed"]
    assert failed["video"] == "videos/notes.mp4"
    assert "not a video file FFmpeg can read" in failed["error"]
    assert "failed: videos/notes.mp4: " in done.stderr
    assert not (ray / "notes").exists() or not (ray / "notes" / "events.json").exists()


def _stages_yaml(folder: Path, videos: Path) -> Path:
    path = folder / "w4.yaml"
    path.write_text(
        f"root: out\nseed: 5\nchunk_rows: 2\nstages:\n"
        f"  - kind: index\n    videos: {videos}\n    labels: {videos.parent / 'labels.csv'}\n"
        "  - kind: augment\n    count: 1\n    kinds: [flip, reverse]\n"
        "  - {kind: features, frames: 3}\n"
    )
    return path


def _stage_outputs(root: Path) -> dict[str, Any]:
    from framewise.pipeline.stages import read_rows

    out: dict[str, Any] = {}
    for stage in sorted(p for p in root.iterdir() if p.is_dir()):
        out[stage.name] = read_rows(stage)
        files = stage / "files"
        if files.is_dir():
            out[f"{stage.name}/files"] = {
                str(p.relative_to(files)): p.read_bytes() for p in files.rglob("*") if p.is_file()
            }
    return out


def test_stages_run_on_ray_writes_the_tables_and_files_of_a_local_run(
    tmp_path: Path, ray_cluster: LocalRayCluster
) -> None:
    videos = tmp_path / "set" / "videos"
    videos.mkdir(parents=True)
    lavfi_clip(videos / "a.mp4", "testsrc2")
    lavfi_clip(videos / "b.mp4", "smptebars")
    (videos.parent / "labels.csv").write_text("path,label,group\na.mp4,real,a\nb.mp4,fake,b\n")
    local, ray = tmp_path / "local", tmp_path / "ray"
    local.mkdir()
    ray.mkdir()
    done = framewise("stages", "run", _stages_yaml(local, videos), cwd=local)
    assert done.returncode == 0, done.stderr
    on_ray = framewise(
        "stages", "run", _stages_yaml(ray, videos),
        "--executor", "ray", "--address", ray_cluster.address,
        cwd=ray, env=ray_cluster.env,
    )  # fmt: skip
    assert on_ray.returncode == 0, on_ray.stderr
    expected = _stage_outputs(local / "out")
    assert len(expected["01_augment"]) == 4 and len(expected["02_features"]) == 4
    assert _stage_outputs(ray / "out") == expected


@pytest.fixture(scope="module")
def long_local(colours: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The one-minute clip processed locally: the run folder a Ray run must equal."""
    work = _workdir(tmp_path_factory.mktemp("long") / "local", colours, "long")
    done = framewise(*_long_args(colours), cwd=work)
    assert done.returncode == 0, done.stderr
    return work / "out" / "long"


def _long_args(colours: Path, *more: str) -> list[str | Path]:
    return [
        "process", "--video-dir", "videos", "--config", colours / "pipeline.yaml",
        "-o", "out", "--detection-fps", "25", *more,
    ]  # fmt: skip


def _start_mid_video(
    colours: Path, work: Path, cluster: LocalRayCluster
) -> tuple[subprocess.Popen[str], Path]:
    """The Ray run of the long clip, returned once its worker has journaled some frames."""
    args = _long_args(colours, "--executor", "ray", "--address", cluster.address, "--workers", "1")
    child = subprocess.Popen(
        [sys.executable, "-m", "framewise", *map(str, args)],
        cwd=work,
        env=cluster.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    journal = work / "out" / "long" / "journal.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and child.poll() is None:
        if journal.exists() and journal.read_text().count("\n") > 20:
            return child, journal
        time.sleep(0.01)
    child.kill()
    pytest.fail(f"the worker journaled nothing: {child.communicate()}")


def test_a_worker_killed_mid_video_is_retried_by_ray(
    colours: Path, ray_cluster: LocalRayCluster, long_local: Path, tmp_path: Path
) -> None:
    work = _workdir(tmp_path / "ray", colours, "long")
    child, _ = _start_mid_video(colours, work, ray_cluster)
    [pid] = ray_cluster.worker_pids("SpecActor")
    os.kill(pid, signal.SIGKILL)
    assert not (work / "out" / "long" / "events.json").exists(), "killed after the video ended"
    out, err = child.communicate(timeout=180)
    assert child.returncode == 0, err
    # Ray restarted the actor in a new process, which resumed the run folder.
    assert f":{pid}:" not in err and "1 videos on 1 workers, 1 ok, 0 failed" in err, err
    assert "resumed at" in out, out
    _same_run_folder(long_local, work / "out" / "long", resumed=True)


def test_a_driver_killed_mid_video_resumes_from_disk(
    colours: Path, ray_cluster: LocalRayCluster, long_local: Path, tmp_path: Path
) -> None:
    work = _workdir(tmp_path / "ray", colours, "long")
    child, _ = _start_mid_video(colours, work, ray_cluster)
    child.send_signal(signal.SIGKILL)  # the driver: its actors go with it
    child.communicate()
    again = framewise(
        *_long_args(colours, "--executor", "ray", "--address", ray_cluster.address),
        cwd=work,
        env=ray_cluster.env,
    )
    assert again.returncode == 0, again.stderr
    assert "resumed at" in again.stdout, again.stdout
    _same_run_folder(long_local, work / "out" / "long", resumed=True)


PEOPLE = REPO / "src" / "framewise" / "cli" / "demo_data" / "people.mp4"
ANNOTATE = PEOPLE.with_name("annotate.yaml")


def _people_folder(root: Path) -> Path:
    """``clips/`` holding the bundled 10 s clip of people (CC BY 4.0)."""
    clips = root / "clips"
    clips.mkdir(parents=True)
    (clips / "people.mp4").symlink_to(PEOPLE)
    return root


def _detections(path: Path) -> tuple[Any, list[Any]]:
    """The summary, and each frame's detections as a set.

    Their order within a frame (and so their ``id``, ``frame:position``) is the HOG detector's,
    which follows OpenCV's threads: a worker process may list two people the other way round.
    """
    payload = json.loads(path.read_text())
    frames = [
        (
            f["frame_number"],
            sorted(
                json.dumps({k: v for k, v in d.items() if k != "id"}, sort_keys=True)
                for d in f["detections"]
            ),
        )
        for f in payload["frames"]
    ]
    return payload["summary"], frames


def test_annotate_on_ray_annotates_as_a_local_run(
    tmp_path: Path, ray_cluster: LocalRayCluster
) -> None:
    args: list[str | Path] = ["annotate", "--config", ANNOTATE, "--video-dir", "clips"]
    args += ["-o", "out", "--sample-fps", "0.5"]
    local = _people_folder(tmp_path / "local")
    ray = _people_folder(tmp_path / "ray")
    done = framewise(*args, cwd=local)
    assert done.returncode == 0, done.stderr
    on_ray = framewise(
        *args, "--executor", "ray", "--address", ray_cluster.address, cwd=ray, env=ray_cluster.env
    )
    assert on_ray.returncode == 0, on_ray.stderr
    assert "1 videos on 1 workers, 1 ok, 0 failed" in on_ray.stderr
    expected = _detections(local / "out" / "people" / "annotations.json")
    assert expected[0]["objects"] > 0
    assert _detections(ray / "out" / "people" / "annotations.json") == expected


def test_features_extract_on_ray_writes_the_local_tables(
    tmp_path: Path, ray_cluster: LocalRayCluster, real_data: Path
) -> None:
    pytest.importorskip("mediapipe", reason="the pose extra is not installed")
    args = ["features", "extract", "--video-dir", "clips", "-o", "out", "--sample-fps", "2"]
    local = _people_folder(tmp_path / "local")
    ray = _people_folder(tmp_path / "ray")
    walk = real_data / "intel-sample-videos" / "asl_gestures_walk.mkv"
    for root in (local, ray):
        (root / "clips" / walk.name).symlink_to(walk)
    done = framewise(*args, cwd=local)
    assert done.returncode == 0, done.stderr
    on_ray = framewise(
        *args, "--executor", "ray", "--address", ray_cluster.address, cwd=ray, env=ray_cluster.env
    )
    assert on_ray.returncode == 0, on_ray.stderr
    assert "2 videos on 2 workers, 2 ok, 0 failed" in on_ray.stderr
    for name in ("people.parquet", "asl_gestures_walk.parquet"):
        assert (ray / "out" / name).read_bytes() == (local / "out" / name).read_bytes()
