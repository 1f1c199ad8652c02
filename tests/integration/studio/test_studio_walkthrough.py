"""The seed's curl walkthrough, unchanged, against the real studio; then what the page uses.

``framewise studio`` runs in a subprocess on 127.0.0.1; the seed's commands run in bash
with curl and jq over a real video with people at a table (``assembly_video.mp4`` is
``one-by-one-person-detection.mp4``, ``assembly_labels.csv`` its labels in the seed's
``frame_index,label`` form). Only the port differs from the seed (8001 may be taken). The
requests answer at once; the jobs they queue wait for each other and the test polls the last.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import httpx
import pytest

from framewise.datasets.task_labels import TaskLabels
from tests.integration.studio.studio_live import LiveStudio

pytestmark = pytest.mark.slow
pytest.importorskip("mediapipe")
pytest.importorskip("sklearn")

VIDEO = "intel-sample-videos/one-by-one-person-detection.mp4"
SPANS = Path(__file__).resolve().parents[3] / "docs" / "task-labels" / f"{Path(VIDEO).stem}.csv"

# The seed's "Example End-to-End Workflow / Via API", character for character.
SEED_WALKTHROUGH = """\
# 1. Upload & extract features
curl -X POST http://localhost:8001/backend/upload_and_extract_features \\
  -F "video=@assembly_video.mp4" \\
  -F "labels_csv=@assembly_labels.csv" \\
  -F "detector_type=fusion" \\
  > extract_result.json

FEATURE_FILE=$(jq -r '.feature_file | split("/")[-1]' extract_result.json)

# 2. Build dataset
curl -X POST http://localhost:8001/backend/build_task_dataset \\
  -F "feature_files=$FEATURE_FILE" \\
  -F "window_sec=2.0" \\
  -F "step_sec=0.5" \\
  > dataset_result.json

DATASET_ID=$(jq -r '.dataset_id' dataset_result.json)

# 3. Train model
curl -X POST http://localhost:8001/backend/train_task_model \\
  -F "dataset_dir=dataset_$DATASET_ID" \\
  -F "model_type=rf" \\
  -F "aggregation=stats" \\
  -F "n_estimators=100" \\
  > model_result.json

MODEL_ID=$(jq -r '.model_id' model_result.json)
echo "Trained model: task_classifier_rf_$MODEL_ID.pkl"
"""


def _tools() -> None:
    for tool in ("curl", "jq", "bash"):
        if shutil.which(tool) is None:
            # `make test` installs them (`make tools`): under CI a missing one is a failure.
            if os.environ.get("CI"):
                pytest.fail(f"the walkthrough needs {tool}; run `make tools`")
            pytest.skip(f"the walkthrough needs {tool} (`make tools`)")


def frame_labels(out: Path, fps: float = 10.0, frames: int = 1394) -> Path:
    """The docs' time spans as the seed's per-frame CSV (the video is constant 10 fps)."""
    with SPANS.open() as handle:
        spans = [(float(r["start"]), float(r["end"]), r["label"]) for r in csv.DictReader(handle)]
    lines = ["frame_index,label"]
    for index in range(frames):
        t = index / fps
        lines += [f"{index},{label}" for start, end, label in spans if start <= t < end]
    out.write_text("\n".join(lines) + "\n")
    return out


@pytest.fixture(scope="module")
def walked(
    real_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LiveStudio, Path]]:
    """The server after the walkthrough ran, and the folder of its result files."""
    _tools()
    folder = tmp_path_factory.mktemp("walkthrough")
    (folder / "assembly_video.mp4").symlink_to(real_data / VIDEO)
    frame_labels(folder / "assembly_labels.csv")
    # 2 frames per second by default keeps the CI run short; the requests stay the seed's.
    with LiveStudio(folder / "data", "--sample-fps", "2") as studio:
        script = SEED_WALKTHROUGH.replace("localhost:8001", f"127.0.0.1:{studio.port}")
        ran = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script],
            cwd=folder,
            check=False,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert ran.returncode == 0, ran.stderr
        assert "Trained model: task_classifier_rf_" in ran.stdout
        # No request waited for the work: the extraction (seconds of pose and hands) is
        # still going when the three requests have been answered.
        extract_job = _json(folder, "extract_result.json")["job_id"]
        assert studio.job(extract_job)["state"] in ("queued", "running")
        yield studio, folder


def _json(folder: Path, name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((folder / name).read_text())
    return loaded


def test_the_seeds_walkthrough_trains_a_model(walked: tuple[LiveStudio, Path]) -> None:
    studio, folder = walked
    extract = _json(folder, "extract_result.json")
    dataset = _json(folder, "dataset_result.json")
    model = _json(folder, "model_result.json")
    assert extract["status"] == "queued" and extract["feature_file"].startswith("features/")
    assert dataset["depends_on"] == [extract["job_id"]]
    assert model["depends_on"] == [dataset["job_id"]]
    trained = studio.done(model["job_id"])
    assert trained["result"]["name"] == f"task_classifier_rf_{model['model_id']}"
    extracted = studio.job(extract["job_id"])["result"]
    assert 270 <= extracted["frames"] <= 281 and extracted["labelled"] == extracted["frames"]

    feature = studio.get(f"/backend/features/{extract['feature_name']}").json()
    assert feature["video_id"] == extract["video_id"]
    assert set(feature["label_counts"]) == {"absent", "walk", "work"}
    assert feature["params"]["detector"] == "fusion" and feature["params"]["sample_fps"] == 2.0
    datasets = studio.get("/backend/datasets").json()["datasets"]
    assert [d["dataset_id"] for d in datasets] == [dataset["dataset_id"]]
    assert datasets[0]["classes"] == ["absent", "walk", "work"]

    models = studio.get("/backend/models").json()["models"]
    assert [m["model_id"] for m in models] == [model["model_id"]]
    assert models[0]["extract"]["detector"] == "fusion"
    metrics = studio.get(f"/backend/models/{model['model_id']}/metrics").json()
    matrix = metrics["confusion"]["matrix"]
    assert metrics["confusion"]["labels"] == ["absent", "walk", "work"]
    assert len(matrix) == 3 and sum(map(sum, matrix)) == metrics["test"]["samples"] > 0
    assert metrics["test"]["accuracy"] > 0.6


def test_the_same_video_again_is_recognised_by_its_hash(walked: tuple[LiveStudio, Path]) -> None:
    studio, folder = walked
    first = _json(folder, "extract_result.json")
    with (folder / "assembly_video.mp4").open("rb") as video:
        files = {"video": ("renamed.mp4", video, "video/mp4")}
        labels = {"labels_csv": ("l.csv", (folder / "assembly_labels.csv").read_bytes())}
        again = studio.post(
            "/backend/upload_and_extract_features",
            files={**files, **labels},
            data={"detector_type": "fusion"},
        )
    assert again.status_code == 202, again.text
    answer = again.json()
    assert answer["duplicate"] is True and answer["video_id"] == first["video_id"]
    # Same video, settings and labels: the same feature file and job, nothing queued again.
    assert answer["feature_name"] == first["feature_name"]
    assert answer["job_id"] == first["job_id"] and answer["status"] == "done"
    assert len(studio.get("/backend/videos").json()["videos"]) == 1
    assert len(studio.get("/backend/jobs?kind=extract").json()["jobs"]) == 1


def test_predictions_segments_and_the_spans_to_relabel(walked: tuple[LiveStudio, Path]) -> None:
    studio, folder = walked
    model, video = _json(folder, "model_result.json"), _json(folder, "extract_result.json")
    studio.done(model["job_id"])
    missing = studio.get(f"/backend/predictions/{video['video_id']}?model={model['model_id']}")
    assert missing.status_code == 404 and "predict" in missing.json()["error"]["hint"]
    queued = studio.post(
        f"/backend/models/{model['model_id']}/predict", json={"video_id": video["video_id"]}
    )
    assert queued.status_code == 202, queued.text
    studio.done(queued.json()["job_id"])
    got = studio.get(f"/backend/predictions/{video['video_id']}?model={model['model_id']}")
    answer = got.json()
    assert len(answer["predictions"]) > 200
    work = [s for s in answer["segments"] if s["label"] == "work"]
    # The first person works at the table from about 7 s to 18 s (docs/task-labels).
    assert any(s["start"] < 12 < s["end"] for s in work)
    segments = answer["segments"]
    assert all(b["start"] == a["end"] for a, b in pairwise(segments))
    scores = [u["score"] for u in answer["uncertain"]]
    assert scores and scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    assert {u["reason"] for u in answer["uncertain"]} <= {"low_confidence", "flicker"}


def test_labels_as_spans_and_the_video_seekable(walked: tuple[LiveStudio, Path]) -> None:
    studio, folder = walked
    video_id = _json(folder, "extract_result.json")["video_id"]
    shown = studio.get(f"/backend/videos/{video_id}/labels").json()
    # The seed's per-frame labels come back as spans on the frames' presentation times.
    assert shown["spans"][0] == {"start": 0.0, "end": 6.0, "label": "absent"}
    assert shown["labels"] == ["absent", "walk", "work"]
    spans = [
        {"start": 0, "end": 6.5, "label": "absent"},
        {"start": 6.5, "end": 20, "label": "work"},
    ]
    put = httpx.put(f"{studio.url}/backend/videos/{video_id}/labels", json={"spans": spans})
    assert put.status_code == 200, put.text
    label_file = studio.data / put.json()["label_file"]
    assert label_file.read_text() == "start,end,label\n0.0,6.5,absent\n6.5,20.0,work\n"
    assert [s.label for s in TaskLabels.read(label_file).spans] == ["absent", "work"]

    part = studio.get(f"/backend/videos/{video_id}/file", headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.headers["accept-ranges"] == "bytes"
    assert part.content == (folder / "assembly_video.mp4").read_bytes()[100:200]
