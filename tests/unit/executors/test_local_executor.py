"""The local executor: workers built once per process, errors kept per task, the registry."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from framewise.core.errors import ConfigError, InputError
from framewise.executors import EXECUTORS, LocalExecutor, Task, TaskTracker, make_executor
from framewise.pipeline.stages.executors import LocalExecutor as ReExported


@dataclass(frozen=True)
class Scaler:
    """A worker factory: the 'model' is built once per process (its pid and a call count)."""

    factor: int

    def __call__(self) -> Callable[[int], tuple[int, int, int]]:
        built_in = os.getpid()
        calls = [0]

        def work(value: int) -> tuple[int, int, int]:
            if value < 0:
                raise InputError("negative input", subject=f"item {value}", hint="give >= 0")
            if value == 13:
                raise ValueError("thirteen\nsecond line")
            calls[0] += 1
            return value * self.factor, built_in, calls[0]

        return work


@dataclass(frozen=True)
class Broken:
    """A worker factory whose model cannot load."""

    def __call__(self) -> Callable[[int], int]:
        raise OSError("model.onnx: no such file")


def _tasks(values: list[int]) -> list[Task[int]]:
    return [Task(f"v{value}", value) for value in values]


@pytest.mark.parametrize("workers", [1, 2])
def test_each_task_has_its_outcome_and_a_bad_one_fails_alone(workers: int) -> None:
    values = [1, 2, -1, 4, 13, 5, 6]
    with LocalExecutor(workers) as executor:
        outcomes = {o.key: o for o in executor.run(Scaler(3), _tasks(values))}
    assert set(outcomes) == {f"v{v}" for v in values}
    assert outcomes["v-1"].error == "item -1: negative input — give >= 0"
    assert outcomes["v13"].error == "ValueError: thirteen"
    assert not outcomes["v-1"].ok and outcomes["v-1"].value is None
    good = [o for o in outcomes.values() if o.ok]
    assert sorted(o.value[0] for o in good if o.value) == [3, 6, 12, 15, 18]
    # The worker was built once per process: calls count up within each process.
    by_process: dict[int, list[int]] = {}
    for outcome in good:
        assert outcome.value is not None
        by_process.setdefault(outcome.value[1], []).append(outcome.value[2])
    assert len(by_process) <= workers
    for calls in by_process.values():  # 1, 2, 3 … in each process: one worker, reused
        assert sorted(calls) == list(range(1, len(calls) + 1))
    for outcome in good:
        assert outcome.value is not None and outcome.worker.endswith(f":{outcome.value[1]}")


def test_a_worker_that_cannot_start_fails_every_task_with_why() -> None:
    outcomes = list(LocalExecutor().run(Broken(), _tasks([1, 2])))
    assert [o.error for o in outcomes] == [
        "worker could not start: OSError: model.onnx: no such file"
    ] * 2


def test_map_keeps_its_old_contract_and_the_old_import_path() -> None:
    assert ReExported is LocalExecutor
    assert sorted(LocalExecutor(2).map(abs, [-3, 1, -2])) == [1, 2, 3]
    with pytest.raises(ZeroDivisionError):
        list(LocalExecutor().map(lambda x: 1 // x, [1, 0]))


def test_registry_and_its_refusals() -> None:
    assert set(EXECUTORS) == {"local", "ray"}
    assert make_executor("local", None).workers == 1
    with pytest.raises(ConfigError, match="unknown executor 'spark'"):
        make_executor("spark")
    with pytest.raises(ConfigError, match="only the ray executor takes a cluster address"):
        make_executor("local", 1, "127.0.0.1:6379")
    with pytest.raises(ConfigError, match="at least 1"):
        LocalExecutor(0)


def test_tracker_counts_per_worker_and_lists_failures() -> None:
    tracker = TaskTracker(4, "items", unit="units", units=lambda value: float(value[0]))
    with LocalExecutor() as executor:
        seen = list(tracker.track(executor.run(Scaler(2), _tasks([1, -1, 2, 3]))))
    assert len(seen) == 4 and tracker.done == 4
    lines = tracker.summary_lines()
    assert lines[0].startswith("4 items on 1 workers, 3 ok, 1 failed; 12.0 units in ")
    assert lines[-1] == "failed: v-1: item -1: negative input — give >= 0"


def test_an_address_without_the_ray_executor_is_refused_not_ignored(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "framewise", "process", "--video", str(tmp_path / "a.mkv"),
         "--profile", "tarkov", "-o", str(tmp_path), "--address", "10.0.0.1:6379"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "RAY_ADDRESS": ""},
    )  # fmt: skip
    assert done.returncode == 2
    assert "--address: only the ray executor takes a cluster address" in done.stderr
