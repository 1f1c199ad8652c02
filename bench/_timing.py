"""Timing for benchmarks: wall and CPU time, memory, best of N, the machine, and a results table."""

from __future__ import annotations

import contextlib
import os
import platform
import resource
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np


@dataclass(frozen=True)
class Measurement:
    """One timed run.

    Attributes:
        name: Short key (JSON).
        label: What ran, for the table.
        wall_s: Wall-clock seconds.
        cpu_s: CPU seconds of this process and of the child processes it waited for.
        frames: Frames the reader handed out.
        video_s: Seconds of video the run covered.
    """

    name: str
    label: str
    wall_s: float
    cpu_s: float
    frames: int
    video_s: float

    @property
    def speed(self) -> float:
        """Video-seconds per wall-second (× real time)."""
        return self.video_s / self.wall_s

    def as_dict(self) -> dict[str, Any]:
        """Fields plus the derived speed."""
        return {**asdict(self), "speed_x_realtime": round(self.speed, 3)}


def memory_bytes(field: str) -> int:
    """A memory line of ``/proc/self/status`` in bytes (``VmRSS`` now, ``VmHWM`` the peak).

    0 where the system has no such file or line (not Linux).
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) * 1024
    return 0


def reset_peak_memory() -> None:
    """Reset this process's ``VmHWM`` (Linux; elsewhere, or where refused, a no-op).

    Where the reset is refused, the next peak read is the process's peak so far.
    """
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def measure(name: str, label: str, run: Callable[[], int], video_s: float) -> Measurement:
    """Time ``run`` (which returns how many frames it read), counting child CPU time too."""
    cpu0, kids0 = time.process_time(), _children_cpu()
    began = time.perf_counter()
    frames = run()
    wall = time.perf_counter() - began
    cpu = time.process_time() - cpu0 + _children_cpu() - kids0
    return Measurement(name, label, wall, cpu, frames, video_s)


def best(runs: Sequence[Measurement]) -> Measurement:
    """The best of several runs of the same thing: least wall time and least CPU time.

    Each minimum is taken on its own: on a shared machine the run least disturbed by
    others need not be the same for both clocks, and each is an upper bound of the truth.
    """
    fastest = min(runs, key=lambda m: m.wall_s)
    return replace(fastest, cpu_s=min(m.cpu_s for m in runs))


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def machine() -> dict[str, Any]:
    """Where the figures were taken: CPUs, load, and the decoder libraries' versions."""
    return {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "python": platform.python_version(),
        "pyav": av.__version__,
        "pyav_ffmpeg_libavcodec": ".".join(map(str, av.library_versions["libavcodec"])),
        "opencv": cv2.__version__,
        "numpy": np.__version__,
        "ffmpeg_cli": ffmpeg_version(),
    }


def ffmpeg_version() -> str | None:
    """First line of ``ffmpeg -version``, or ``None`` when there is no ffmpeg command."""
    try:
        done = subprocess.run(
            ["ffmpeg", "-hide_banner", "-version"], capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return done.stdout.splitlines()[0] if done.stdout else None


def table(rows: Sequence[Measurement], baseline: Measurement | None) -> str:
    """A plain-text table: speed, and cost and speed relative to ``baseline``."""
    header = (
        f"{'reader':<52} {'frames':>7} {'wall s':>7} {'cpu s':>7} {'× real':>7}"
        f" {'wall/base':>9} {'cpu/base':>8} {'speed/base':>10}"
    )
    lines = [header, "-" * len(header)]
    for row in rows:
        cost = f"{row.wall_s / baseline.wall_s:9.2f}" if baseline else f"{'-':>9}"
        cpu = f"{row.cpu_s / baseline.cpu_s:8.2f}" if baseline else f"{'-':>8}"
        gain = f"{row.speed / baseline.speed:9.1f}×" if baseline else f"{'-':>10}"
        lines.append(
            f"{row.label:<52} {row.frames:>7} {row.wall_s:>7.2f} {row.cpu_s:>7.2f}"
            f" {row.speed:>7.1f} {cost} {cpu} {gain}"
        )
    return "\n".join(lines)
