"""Worker processes: claim a job from the SQLite table, run it, record how it ended.

The server starts :class:`WorkerPool` when it starts and stops it when it stops. Workers are
spawned (never forked from the server's threads) and each runs one job at a time, so a
request never waits for extraction or training. A worker whose server died (``kill -9``)
exits within a second: it watches its parent, so it cannot finish a job the next server
has already marked failed. A worker that is stopped mid-job leaves its output only in
``DATA/tmp``, which the next start sweeps.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import shutil
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess
from pathlib import Path

from framewise.core.errors import FramewiseError
from framewise.studio.jobs import JobStore
from framewise.studio.paths import DataRoot
from framewise.studio.tasks import RUNNERS, Progress

log = logging.getLogger(__name__)

POLL_S = 0.2
"""How often an idle worker looks for a runnable job."""


def _watch_parent(parent: int) -> None:
    # Orphaned (the server was killed): leave at once, mid-job or not.
    while True:
        if os.getppid() != parent:
            os._exit(1)
        time.sleep(0.5)


def run_one(root: DataRoot, jobs: JobStore, worker: str) -> bool:
    """Claim and run one job; ``False`` when none was runnable."""
    job = jobs.claim(worker)
    if job is None:
        return False
    runner = RUNNERS.get(job.kind)
    work = root.scratch(job.id)
    try:
        if runner is None:
            jobs.fail(job.id, f"unknown job kind {job.kind!r}", worker)
            return True
        outcome = runner(root, job, work, Progress(jobs, job.id, worker))
        jobs.finish(job.id, worker, outcome.result, outcome.message)
    except FramewiseError as error:
        jobs.fail(job.id, error.one_line(), worker)
    except Exception as error:  # a job's failure must never stop the worker
        log.warning("job %s (%s) failed unexpectedly", job.id, job.kind, exc_info=error)
        jobs.fail(job.id, f"internal error: {type(error).__name__}: {error}", worker)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return True


def worker_main(data_dir: str, worker: str, parent: int) -> None:
    """A worker process's loop (the spawn target)."""
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    root = DataRoot(Path(data_dir))
    jobs = JobStore(root.jobs_db)
    while True:
        if not run_one(root, jobs, worker):
            time.sleep(POLL_S)


@dataclass
class WorkerPool:
    """The server's worker processes, watched: a worker that dies is replaced.

    A worker can die under a job (a native crash in a model library, the kernel's OOM
    killer); its job is then failed with the exit code, so it is never left ``running``
    while the server lives, and a new worker takes its place.

    Args:
        root: The data root (its job table and folders).
        size: How many workers.
        watch_s: How often the pool looks for dead workers.
    """

    root: DataRoot
    size: int = 1
    watch_s: float = 1.0
    workers: dict[str, BaseProcess] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _watcher: threading.Thread | None = None

    def _spawn(self, slot: int) -> None:
        name = f"w{os.getpid()}-{slot}-{time.time_ns()}"
        process = multiprocessing.get_context("spawn").Process(
            target=worker_main,
            args=(str(self.root.root), name, os.getpid()),
            name=f"studio-worker-{slot}",
            daemon=True,
        )
        process.start()
        self.workers[name] = process

    def start(self) -> WorkerPool:
        """Spawn the workers and their watcher; returns ``self``."""
        for slot in range(self.size):
            self._spawn(slot)
        self._stop.clear()
        self._watcher = threading.Thread(target=self._watch, name="studio-pool", daemon=True)
        self._watcher.start()
        return self

    def _watch(self) -> None:
        jobs = JobStore(self.root.jobs_db)
        while not self._stop.wait(self.watch_s):
            for name, process in list(self.workers.items()):
                if process.is_alive() or self._stop.is_set():
                    continue
                process.join()
                del self.workers[name]
                failed = jobs.fail_worker(
                    name, f"the worker running it died (exit code {process.exitcode})"
                )
                log.warning("studio worker %s died (%s); failed %s", name, process.exitcode, failed)
                for job_id in failed:
                    for leftover in self.root.folder("tmp").glob(f"{job_id}-*"):
                        shutil.rmtree(leftover, ignore_errors=True)
                self._spawn(len(self.workers))

    def stop(self, timeout_s: float = 5.0) -> None:
        """Stop every worker (a job in progress is abandoned; see the module docstring)."""
        self._stop.set()
        if self._watcher is not None:
            self._watcher.join(timeout_s)
        processes = list(self.workers.values())
        for process in processes:
            process.terminate()
        for process in processes:
            process.join(timeout_s)
            if process.is_alive():
                process.kill()
                process.join(timeout_s)
        self.workers.clear()

    def alive(self) -> int:
        """How many workers are running."""
        return sum(p.is_alive() for p in self.workers.values())
