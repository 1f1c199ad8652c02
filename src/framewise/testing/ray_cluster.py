"""A real Ray cluster on this machine for tests and benchmarks: a head and more nodes.

Each node is its own ``ray start`` (its own raylet, object store and CPUs), so a task on the
second node really runs in another node's worker process. Everything lives under a private
``--temp-dir`` with a token of its own, and :meth:`LocalRayCluster.stop` ends only this
cluster's processes (found by that token or folder, then their children) — never another Ray
on the machine, which ``ray stop`` would take down too.

Example:
    >>> with LocalRayCluster(nodes=2) as cluster:  # doctest: +SKIP
    ...     subprocess.run(["framewise", "process", "--executor", "ray",
    ...                     "--address", cluster.address, ...])
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Self

import psutil

# The ray command beside this interpreter (the venv's), so nodes run our Python and packages.
_RAY = Path(sys.executable).with_name("ray")


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class LocalRayCluster:
    """``ray start --head`` plus ``nodes - 1`` more nodes, one CPU each (by default).

    Args:
        nodes: Nodes, the head included.
        cpus: CPUs each node offers.
        env: Extra environment for the nodes (their workers inherit it; e.g. PYTHONPATH).

    Attributes:
        address: ``127.0.0.1:<port>``, for ``--address``.
        env: The environment a driver needs to join (the cluster's token): run drivers with it.
    """

    def __init__(self, nodes: int = 2, cpus: int = 1, env: dict[str, str] | None = None) -> None:
        self.nodes = nodes
        self.cpus = cpus
        # Short: Ray's unix sockets live under it and a socket path has ~107 characters.
        self.temp_dir = Path(tempfile.mkdtemp(prefix="fwray", dir="/tmp"))
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        # Token authentication, with a token of this cluster's own in the environment: Ray
        # would otherwise write one to ~/.ray/auth_token, outside the temp dir.
        self.env = {
            **os.environ,
            **(env or {}),
            "RAY_USAGE_STATS_ENABLED": "0",
            "RAY_AUTH_MODE": "token",
            "RAY_AUTH_TOKEN": secrets.token_hex(32),
        }
        self.env.pop("RAY_ADDRESS", None)

    def _ray(self, *args: str) -> None:
        done = subprocess.run(
            [
                str(_RAY),
                "start",
                *args,
                "--num-cpus",
                str(self.cpus),
                "--disable-usage-stats",
                "--node-ip-address",
                "127.0.0.1",
                "--temp-dir",
                str(self.temp_dir),
            ],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        if done.returncode != 0:
            self.stop()
            raise RuntimeError(f"ray start {' '.join(args)} failed:\n{done.stderr[-3000:]}")

    def start(self) -> Self:
        """Start the head, then the other nodes; wait until every node has joined."""
        self._ray("--head", "--port", str(self.port), "--include-dashboard=false")
        for _ in range(self.nodes - 1):
            self._ray("--address", self.address)
        self._wait_for_nodes()
        return self

    def _wait_for_nodes(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self._raylets()) >= self.nodes:
                return
            time.sleep(0.2)
        raise RuntimeError(f"{self.nodes} Ray nodes did not start within {timeout:.0f} s")

    def _own(self) -> list[psutil.Process]:
        """This cluster's processes: those naming its temp dir or holding its token.

        Every daemon and worker inherits the environment of ``ray start`` (the client server
        is no raylet's child and names no temp dir, so the token is what finds it).
        """
        mine = []
        marker = str(self.temp_dir)
        token = self.env["RAY_AUTH_TOKEN"]
        for process in psutil.process_iter(["cmdline"]):
            if process.pid == os.getpid():
                continue
            try:
                if any(marker in part for part in process.info["cmdline"] or []) or (
                    process.environ().get("RAY_AUTH_TOKEN") == token
                ):
                    mine.append(process)
            except psutil.Error:
                continue
        return mine

    def _raylets(self) -> list[psutil.Process]:
        return [p for p in self._own() if "raylet" in Path(_first(p)).name]

    def worker_pids(self, name: str) -> list[int]:
        """Pids of this cluster's worker processes whose title starts ``ray::<name>``."""
        pids = []
        for raylet in self._raylets():
            try:
                children = raylet.children(recursive=True)
            except psutil.Error:
                continue
            for child in children:
                try:
                    if _first(child).startswith(f"ray::{name}"):
                        pids.append(child.pid)
                except psutil.Error:
                    continue
        return pids

    def stop(self) -> None:
        """End this cluster's processes (and their children), then remove its temp dir."""
        processes = self._own()
        for process in list(processes):
            try:
                processes.extend(process.children(recursive=True))
            except psutil.Error:
                continue
        for process in processes:
            try:
                process.terminate()
            except psutil.Error:
                continue
        _, alive = psutil.wait_procs(processes, timeout=5)
        for process in alive:
            try:
                process.kill()
            except psutil.Error:
                continue
        shutil.rmtree(self.temp_dir, ignore_errors=True)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()


def _first(process: psutil.Process) -> str:
    """A process's title (argv[0]; Ray workers set theirs to ``ray::Class.method``)."""
    cmdline = process.cmdline()
    return cmdline[0] if cmdline else ""
