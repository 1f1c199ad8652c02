"""The job table on a real SQLite file: claiming, dependencies, progress, restart recovery."""

from __future__ import annotations

from pathlib import Path

from framewise.studio.jobs import RESTART_ERROR, JobStore


def test_jobs_run_in_order_after_what_they_need(tmp_path: Path) -> None:
    jobs = JobStore(tmp_path / "jobs.sqlite3")
    extract = jobs.create("extract", {"video": "a"}, output="a.parquet")
    dataset = jobs.create("dataset", {}, output="dataset_1", depends_on=[extract.id])
    assert jobs.active_for("a.parquet") == extract
    first = jobs.claim("w1")
    assert first is not None and first.id == extract.id and first.state == "running"
    # The dataset waits for the extraction; a second worker finds nothing to do.
    assert jobs.claim("w2") is None
    jobs.progress(extract.id, "w1", 0.5, "half")
    jobs.progress(extract.id, "w2", 0.9, "not my job")  # ignored: another worker's job
    assert (jobs.get(extract.id) or first).progress == 0.5
    assert jobs.finish(extract.id, "w1", {"frames": 3}, "3 frames")
    done = jobs.get_required(extract.id)
    assert (done.state, done.progress, done.result) == ("done", 1.0, {"frames": 3})
    second = jobs.claim("w2")
    assert second is not None and second.id == dataset.id


def test_a_job_whose_dependency_failed_fails_with_its_reason(tmp_path: Path) -> None:
    jobs = JobStore(tmp_path / "jobs.sqlite3")
    extract = jobs.create("extract", {})
    train = jobs.create("train", {}, depends_on=[extract.id])
    claimed = jobs.claim("w")
    assert claimed is not None
    jobs.fail(extract.id, "v.mp4: no person found\nanywhere", "w")
    assert jobs.claim("w") is None
    failed = jobs.get_required(train.id)
    assert failed.state == "failed"
    assert failed.error == f"needs job {extract.id}, which failed: v.mp4: no person found anywhere"


def test_a_restart_fails_running_jobs_and_keeps_queued_ones(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite3"
    jobs = JobStore(path)
    running = jobs.create("extract", {})
    queued = jobs.create("extract", {})
    assert jobs.claim("old-worker") is not None
    again = JobStore(path)  # the next server opens the same file
    assert again.recover() == [running.id]
    after = again.get_required(running.id)
    assert (after.state, after.error) == ("failed", RESTART_ERROR)
    # The old worker, if it still ran, could not finish the job the new server failed.
    assert not again.finish(running.id, "old-worker", {}, "late")
    assert again.get_required(running.id).state == "failed"
    resumed = again.claim("new-worker")
    assert resumed is not None and resumed.id == queued.id
    assert [j.id for j in again.recent(state="failed")] == [running.id]
