"""A real single-node SLURM cluster for the tests: munged, slurmctld and slurmd in a tmp folder.

Debian's ``slurm-wlm`` and ``munge`` (``make tools`` installs them). The daemons run as
processes of this session on free ports, with a generated ``slurm.conf`` (no cgroups, no
accounting database: ``sacct`` is off and job states come from ``scontrol``, which keeps
finished jobs for ``MinJobAge``) and a fresh munge key; the fixture cancels every job and
stops every daemon when the session ends. Missing packages skip the tests (and fail them
under ``CI=true``).
"""

from __future__ import annotations

import getpass
import os
import secrets
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from framewise.core.net import free_port

SBIN = ("/usr/sbin", "/usr/local/sbin")
PROGRAMS = ("munged", "slurmctld", "slurmd", "sbatch", "squeue", "scontrol", "scancel", "sinfo")


def _which(name: str) -> str | None:
    path = os.pathsep.join([os.environ.get("PATH", ""), *SBIN])
    return shutil.which(name, path=path)


def _config(folder: Path, socket_path: Path) -> str:
    user = getpass.getuser()
    lines = {
        "ClusterName": "framewise-test",
        "SlurmctldHost": "localhost",
        "SlurmctldPort": free_port(),
        "SlurmdPort": free_port(),
        "AuthType": "auth/munge",
        "CredType": "cred/munge",
        "AuthInfo": f"socket={socket_path}",
        "SlurmUser": user,
        "SlurmdUser": user,
        "StateSaveLocation": folder / "state",
        "SlurmdSpoolDir": folder / "spool",
        "SlurmctldPidFile": folder / "slurmctld.pid",
        "SlurmdPidFile": folder / "slurmd.pid",
        "SlurmctldLogFile": folder / "slurmctld.log",
        "SlurmdLogFile": folder / "slurmd.log",
        # No cgroups in a container: track processes by /proc, no task binding, no accounting.
        "ProctrackType": "proctrack/linuxproc",
        "TaskPlugin": "task/none",
        "JobAcctGatherType": "jobacct_gather/none",
        "AccountingStorageType": "accounting_storage/none",
        "SelectType": "select/cons_tres",
        "SelectTypeParameters": "CR_Core",
        "SlurmdParameters": "config_overrides",  # the node is what this file says it is
        "MpiDefault": "none",
        "ReturnToService": 2,
        "MinJobAge": 600,
        "SchedulerParameters": "sched_interval=2",
    }
    text = "".join(f"{key}={value}\n" for key, value in lines.items())
    return (
        text + "NodeName=localhost CPUs=2 RealMemory=2048 State=UNKNOWN\n"
        "PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP\n"
    )


def _wait(check: Callable[[], bool], seconds: float, what: str, logs: list[Path]) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    tails = "\n".join(f"{p}: {p.read_text()[-1500:]}" for p in logs if p.exists())
    pytest.fail(f"the test SLURM cluster did not come up: {what}\n{tails}")


@pytest.fixture(scope="session")
def slurm_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """``{"SLURM_CONF": ...}`` of a running one-node cluster (partition ``debug``, 2 CPUs)."""
    missing = [name for name in PROGRAMS if _which(name) is None]
    if missing:
        reason = (
            f"SLURM is not installed ({', '.join(missing)} missing): `make tools` installs "
            "Debian's slurm-wlm and munge"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("slurm")
    for name in ("state", "spool", "munge"):
        (folder / name).mkdir()
    key = folder / "munge" / "munge.key"
    key.write_bytes(secrets.token_bytes(1024))
    key.chmod(0o600)
    socket_path = folder / "munge" / "munge.sock"
    conf = folder / "slurm.conf"
    conf.write_text(_config(folder, socket_path))
    env = {**os.environ, "SLURM_CONF": str(conf)}
    logs = [folder / "munged.log", folder / "slurmctld.log", folder / "slurmd.log"]
    daemons: list[subprocess.Popen[bytes]] = []

    def start(command: list[str], log: Path) -> None:
        with log.open("ab") as out:
            daemons.append(subprocess.Popen(command, env=env, stdout=out, stderr=out))

    try:
        munge = [
            str(_which("munged")),
            "-F",
            "--force",  # tmp folders are not munge's own: take them as they are
            f"--key-file={key}",
            f"--socket={socket_path}",
            f"--pid-file={folder / 'munge' / 'munged.pid'}",
            f"--seed-file={folder / 'munge' / 'seed'}",
            f"--log-file={folder / 'munged.log'}",
        ]
        start(munge, folder / "munged.out")
        _wait(socket_path.exists, 20, "munged's socket", logs)
        start([str(_which("slurmctld")), "-D", "-i"], folder / "slurmctld.out")
        start([str(_which("slurmd")), "-D", "-N", "localhost"], folder / "slurmd.out")

        def idle() -> bool:
            done = subprocess.run(
                [str(_which("sinfo")), "-h", "-o", "%T"],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            return done.stdout.strip() == "idle"

        _wait(idle, 60, "the node never became idle", logs)
        yield {"SLURM_CONF": str(conf)}
    finally:
        _stop(daemons, env)


def _stop(daemons: list[subprocess.Popen[bytes]], env: dict[str, str]) -> None:
    """Cancel every job, then stop the daemons (slurmd, slurmctld, munged) and wait for them."""
    scancel, squeue = _which("scancel"), _which("squeue")
    if daemons and scancel and squeue:
        subprocess.run([scancel, "--full", "--user", getpass.getuser()], env=env, check=False)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            queue = subprocess.run(
                [squeue, "-h"], env=env, capture_output=True, text=True, check=False
            )
            if queue.returncode != 0 or not queue.stdout.strip():
                break
            time.sleep(0.5)
    for daemon in reversed(daemons):
        daemon.terminate()
        try:
            daemon.wait(timeout=20)
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.wait()
