"""Every documented exit code, through the real entry point (``python -m framewise``).

``core.errors`` documents the codes; each test here makes one happen with real files and a
real store, as a user or a cron job would meet it, and checks the one line on stderr.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from framewise.importer.synthetic import synthetic_log
from framewise.store_api.client import StoreClient
from framewise.store_api.retry import RetryPolicy
from framewise.store_api.schemas import CreateSessionRequest
from tests.integration.cli.cli_run import framewise, make_video, one_error
from tests.integration.store.store_live import LiveServer


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory, ffmpeg: str) -> Path:
    return make_video(ffmpeg, tmp_path_factory.mktemp("video") / "clip.mp4")


def write_log(path: Path) -> Path:
    path.write_text(synthetic_log(raids=1, kills_per_raid=2).model_dump_json())
    return path


def test_0_success() -> None:
    done = framewise("--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("framewise ")


def test_1_a_framewise_error_of_no_subclass(tmp_path: Path) -> None:
    data = tmp_path / "data"
    for split in ("train", "val"):
        (data / "images" / split).mkdir(parents=True)
    (data / "data.yaml").write_text("path: .\ntrain: images/train\nval: images/val\nnames: [a]\n")
    # The one plain FramewiseError: training without its extra (hidden from the import system).
    done = framewise(
        "train",
        "yolo",
        "--data",
        data / "data.yaml",
        "--out",
        tmp_path / "run",
        prelude="sys.modules['ultralytics'] = None",
    )
    assert done.returncode == 1, done.stderr
    assert "Ultralytics is not installed" in one_error(done)


def test_2_bad_yaml(tmp_path: Path, video: Path) -> None:
    config = tmp_path / "pipeline.yaml"
    config.write_text("source: [\n")
    done = framewise("process", "--video", video, "--config", config, "--output", tmp_path)
    assert done.returncode == 2, done.stderr
    assert "invalid YAML" in one_error(done)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["frames", "{video}", "--out", "{out}", "--format", "gif"], "--format: invalid value"),
        (["frames", "{video}", "--out", "{out}", "--fps", "fast"], "--fps: invalid value"),
        (["frames"], "Missing argument"),
        (["probe", "--bogus", "{video}"], "No such option: --bogus"),
        (["no-such-command"], "No such command"),
    ],
)
def test_2_click_usage_errors_in_the_one_style(
    args: list[str], says: str, video: Path, tmp_path: Path
) -> None:
    filled = [a.format(video=video, out=tmp_path / "frames") for a in args]
    done = framewise(*filled)
    assert done.returncode == 2, done.stderr
    line = one_error(done)
    assert says in line
    assert line.endswith("--help`"), line  # says where to read more


def test_3_missing_file(tmp_path: Path) -> None:
    done = framewise("probe", tmp_path / "nothing.mp4")
    assert done.returncode == 3, done.stderr
    assert "no such file" in one_error(done)


def test_4_a_source_that_cannot_be_opened(tmp_path: Path) -> None:
    done = framewise(
        "live", "--source", tmp_path / "gone.mkv", "--profile", "tarkov", "--port", "0"
    )
    assert done.returncode == 4, done.stderr
    assert "cannot open" in one_error(done)


def test_5_a_model_that_is_not_onnx(tmp_path: Path, video: Path) -> None:
    model = tmp_path / "best.onnx"
    model.write_text("these are not the weights you are looking for\n")
    done = framewise(
        "process",
        "--video",
        video,
        "--profile",
        "tarkov",
        "--model",
        model,
        "--output",
        tmp_path / "out",
    )
    assert done.returncode == 5, done.stderr
    assert "not a loadable ONNX model" in one_error(done)


def test_6_a_store_nobody_listens_on(tmp_path: Path) -> None:
    log = write_log(tmp_path / "session.json")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
        url = f"http://127.0.0.1:{probe.getsockname()[1]}"
        done = framewise("import", log, "--api", url, "--retries", "1")
    assert done.returncode == 6, done.stderr
    assert "check that the event store is running" in one_error(done)


def test_6_an_import_the_store_refused(tmp_path: Path) -> None:
    log = write_log(tmp_path / "session.json")
    with LiveServer(tmp_path / "store") as server:
        with StoreClient(server.url, retry=RetryPolicy(attempts=1)) as client:
            client.create_session(
                CreateSessionRequest.model_validate(
                    {"session_type": "stream", "started_at": "2026-01-01T10:00:00Z"}
                )
            )  # left open: the store allows one active session
        done = framewise("import", log, "--api", server.url, "--mode", "single")
        counts = server.counts()
    # Was exit 0: main() dropped the code of typer.Exit(6) that Click returned.
    assert done.returncode == 6, done.stdout + done.stderr
    assert "session.json: refused, nothing stored:" in done.stdout
    assert "already active" in done.stdout
    assert "imported through single endpoints" not in done.stdout
    assert counts["kills"] == 0


def test_7_an_output_folder_that_cannot_be_made(tmp_path: Path, video: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("a regular file: nothing can be created under it, even by root\n")
    done = framewise("frames", video, "--out", blocker / "frames")
    assert done.returncode == 7, done.stderr
    assert "cannot create the folder" in one_error(done)
