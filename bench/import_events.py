"""Import a generated 10,000-event log into a real event store on loopback.

The server runs in its own process (uvicorn, SQLite in WAL mode in a temporary folder). The
measured time covers what ``framewise import`` does: read and validate the log, plan it,
check for a duplicate, and send it through the atomic endpoint. The baseline, measured in
the same run, imports a slice of the same log through the single endpoints (one HTTP call
per event), as against the original app.

Usage:
    python bench/import_events.py [--events 10000] [--baseline-events 1000]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from framewise.core.net import free_port
from framewise.importer.runner import Importer, ImportMode
from framewise.importer.synthetic import DEFAULT_START, events_per_raid, synthetic_log
from framewise.store_api.client import StoreClient

KILLS_PER_RAID = 15
TARGET_SECONDS = 5.0


def _serve(data_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "FRAMEWISE_STORE_DATA_DIR": str(data_dir)}
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "framewise.store.api.app:app_from_env",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, env=env)
    url = f"http://127.0.0.1:{port}"
    with StoreClient(url) as client:
        client.health()  # retries while the server starts
    return process, url


def _write_log(folder: Path, name: str, events: int, day: int) -> Path:
    raids = max(1, events // events_per_raid(KILLS_PER_RAID))
    log = synthetic_log(
        raids=raids,
        kills_per_raid=KILLS_PER_RAID,
        start=DEFAULT_START.replace(day=day),
        video_path=f"bench-{name}.mkv",
    )
    path = folder / f"{name}.json"
    path.write_text(log.model_dump_json())
    return path


def _timed_import(url: str, path: Path, mode: ImportMode) -> tuple[float, int]:
    with StoreClient(url, timeout=120) as client:
        started = time.perf_counter()
        summary = Importer(client, mode=mode, echo=lambda _line: None).run([path])
        elapsed = time.perf_counter() - started
    if not summary.ok or summary.sessions.created != 1:
        raise SystemExit(f"import failed:\n{summary.render()}")
    return elapsed, summary.kills.created


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--baseline-events", type=int, default=1_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        big = _write_log(folder, "atomic", args.events, day=15)
        small = _write_log(folder, "single", args.baseline_events, day=16)
        process, url = _serve(folder / "store")
        try:
            atomic_s, _ = _timed_import(url, big, "atomic")
            single_s, _ = _timed_import(url, small, "single")
        finally:
            process.terminate()
            process.wait(timeout=30)
    atomic_rate = args.events / atomic_s
    single_rate = args.baseline_events / single_s
    print(
        f"atomic endpoint: {args.events} events in {atomic_s:.2f} s "
        f"= {atomic_rate:,.0f} events/s (target <= {TARGET_SECONDS:.0f} s)"
    )
    print(
        f"single endpoints (baseline): {args.baseline_events} events in {single_s:.2f} s "
        f"= {single_rate:,.0f} events/s"
    )
    print(f"atomic / single: {atomic_rate / single_rate:.1f}x")
    return 0 if atomic_s <= TARGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
