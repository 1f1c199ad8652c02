"""A server killed mid-job: its worker leaves, the next server fails the job, runs the queue.

The real server runs a long extraction while a short one waits in the queue and a dataset
waits for the long one; the server is then ``kill -9``-ed. Its worker notices and exits (it
cannot finish a job the next server will mark failed), nothing half-written is listed, and
the next server on the same data folder fails the interrupted job with the reason, fails the
dataset that needed it, sweeps the leftovers and runs the queued extraction to the end.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from framewise.studio.jobs import RESTART_ERROR
from tests.integration.studio.studio_live import LiveStudio

pytestmark = pytest.mark.slow
pytest.importorskip("mediapipe")

LONG = "intel-sample-videos/one-by-one-person-detection.mp4"
SHORT = "intel-sample-videos/asl_gestures_walk.mkv"


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found += [int(c) for c in text]
    return found


def _workers(pid: int) -> list[int]:
    """The server's spawned workers (not multiprocessing's resource tracker)."""
    return [c for c in _children(pid) if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def _upload(studio: LiveStudio, video: Path, detector: str) -> dict[str, str]:
    with video.open("rb") as handle:
        answer = studio.post(
            "/backend/upload_and_extract_features",
            files={"video": (video.name, handle, "video/mp4")},
            data={"detector_type": detector},
        )
    assert answer.status_code == 202, answer.text
    result: dict[str, str] = answer.json()
    return result


def test_a_killed_server_leaves_no_half_written_file_and_the_next_resumes(
    real_data: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    first = LiveStudio(data, "--sample-fps", "2")
    with first:
        long = _upload(first, real_data / LONG, "fusion")
        short = _upload(first, real_data / SHORT, "pose")
        dataset = first.post(
            "/backend/build_task_dataset", data={"feature_files": long["feature_name"]}
        ).json()
        assert dataset["depends_on"] == [long["job_id"]]
        deadline = time.monotonic() + 120
        while (job := first.job(long["job_id"]))["progress"] < 0.1:
            assert job["state"] in ("queued", "running") and time.monotonic() < deadline, job
            time.sleep(0.1)
        assert first.job(short["job_id"])["state"] == "queued"
        assert first.process is not None
        workers = _children(first.process.pid)
        assert workers
        first.kill()
        deadline = time.monotonic() + 10
        while any(_alive(w) for w in workers):
            assert time.monotonic() < deadline, "a worker outlived its killed server"
            time.sleep(0.1)
    assert not (data / "features" / long["feature_name"]).exists()
    assert list((data / "tmp").iterdir()), "the interrupted job's work folder is left"

    with LiveStudio(data, "--sample-fps", "2") as second:
        interrupted = second.job(long["job_id"])
        assert (interrupted["state"], interrupted["error"]) == ("failed", RESTART_ERROR)
        resumed = second.done(short["job_id"])
        assert 6 <= resumed["result"]["frames"] <= 7  # 3 s at 2 fps
        blocked = second.wait(dataset["job_id"])
        assert blocked["state"] == "failed"
        assert blocked["error"] == f"needs job {long['job_id']}, which failed: {RESTART_ERROR}"
        features = sorted(p.name for p in (data / "features").iterdir())
        assert features == [short["feature_name"]]
        assert not list((data / "tmp").iterdir())
        listed = second.get("/backend/features").json()["features"]
        assert [f["filename"] for f in listed] == [short["feature_name"]]


def test_a_worker_that_dies_under_a_job_fails_it_and_is_replaced(
    real_data: Path, tmp_path: Path
) -> None:
    with LiveStudio(tmp_path / "data", "--sample-fps", "2") as studio:
        long = _upload(studio, real_data / LONG, "fusion")
        deadline = time.monotonic() + 120
        while studio.job(long["job_id"])["progress"] < 0.05:
            assert time.monotonic() < deadline
            time.sleep(0.1)
        assert studio.process is not None
        (worker,) = _workers(studio.process.pid)
        os.kill(worker, signal.SIGKILL)
        failed = studio.wait(long["job_id"])
        assert failed["state"] == "failed"
        assert failed["error"] == "the worker running it died (exit code -9)"
        assert not list((studio.data / "tmp").iterdir())
        # A new worker runs what comes next.
        short = _upload(studio, real_data / SHORT, "pose")
        assert studio.done(short["job_id"])["result"]["frames"] > 0
        (replacement,) = _workers(studio.process.pid)
        assert replacement != worker
