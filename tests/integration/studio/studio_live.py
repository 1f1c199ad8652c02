"""``framewise studio`` in a subprocess on a free loopback port, for the studio's API tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from framewise.core.net import free_port

JOB_TIMEOUT_S = 180.0  # a job on a busy 2-core CI machine; they take seconds here


class LiveStudio:
    """The real server (``python -m framewise studio``) over a data folder.

    Args:
        data: The data root (kept between two servers to test a restart).
        args: Extra command-line options (``--token``, ``--max-upload-mb``, ...).
    """

    def __init__(self, data: Path, *args: str) -> None:
        self.data = data
        self.args = list(args)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = data.parent / f"{data.name}-studio-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> LiveStudio:
        command = [sys.executable, "-m", "framewise", "studio", "--data", str(self.data)]
        command += ["--port", str(self.port), "--log-level", "warning", *self.args]
        with self.log.open("ab") as sink:
            self.process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            assert self.process.poll() is None, f"studio exited: {self.output()}"
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "studio did not answer in 60 s"
            time.sleep(0.1)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    def output(self) -> str:
        """The tail of the server's log."""
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""

    def stop(self) -> None:
        """Stop the server the way Ctrl+C does (its workers stop with it)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=30)

    def kill(self) -> None:
        """``kill -9`` the server alone (its workers must notice and exit)."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        """GET ``path`` on the server."""
        return httpx.get(self.url + path, timeout=30, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        """POST to ``path`` on the server."""
        return httpx.post(self.url + path, timeout=60, **kwargs)

    def job(self, job_id: str) -> dict[str, Any]:
        """The job as the API shows it."""
        answer = self.get(f"/backend/jobs/{job_id}")
        assert answer.status_code == 200, answer.text
        job: dict[str, Any] = answer.json()
        return job

    def wait(self, job_id: str, *, until: tuple[str, ...] = ("done", "failed")) -> dict[str, Any]:
        """Poll a job until it reaches one of ``until``; returns it."""
        deadline = time.monotonic() + JOB_TIMEOUT_S
        while True:
            job = self.job(job_id)
            if job["state"] in until:
                return job
            assert time.monotonic() < deadline, f"job stuck: {job}\n{self.output()}"
            time.sleep(0.2)

    def done(self, job_id: str) -> dict[str, Any]:
        """Wait for a job and require it done."""
        job = self.wait(job_id)
        assert job["state"] == "done", f"{job}\n{self.output()}"
        return job
