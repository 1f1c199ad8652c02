"""Hostile and bad input against the real studio: 4xx with the reason, never a 5xx or a leak.

Traversal (``..``, ``%2e%2e``, encoded slashes, absolute paths, symlinks out of the data
root), uploads that are not videos, label files that are wrong, bad settings, a write
without the token, an upload over the limit; then a relabel-and-extract-again round on a
3-second real clip. Raw paths go through ``http.client`` so nothing normalises them.
"""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from framewise.datasets.task_extract import ExtractSettings, extract_video
from framewise.datasets.task_labels import TaskLabels
from tests.integration.studio.studio_live import LiveStudio

pytest.importorskip("mediapipe")
pq = pytest.importorskip("pyarrow.parquet")

CLIP = "intel-sample-videos/asl_gestures_walk.mkv"  # 3 s, a signer
SPANS = "start,end,label\n0,0.3,idle\n0.3,2.5,work\n2.5,2.966,idle\n"


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveStudio]:
    with LiveStudio(tmp_path_factory.mktemp("hostile") / "data") as live:
        yield live


@pytest.fixture(scope="module")
def clip(studio: LiveStudio, real_data: Path) -> dict[str, Any]:
    """The clip uploaded with its span labels, extracted (pose, 10 fps)."""
    answer = upload(studio, real_data / CLIP, "../../my clip.mkv", SPANS.encode())
    assert answer.status_code == 202, answer.text
    studio.done(answer.json()["job_id"])
    result: dict[str, Any] = answer.json()
    return result


def upload(
    studio: LiveStudio, video: Path | bytes, name: str, labels: bytes | None = None, **form: str
) -> httpx.Response:
    content = video.read_bytes() if isinstance(video, Path) else video
    files: dict[str, Any] = {"video": (name, content, "application/octet-stream")}
    if labels is not None:
        files["labels_csv"] = ("labels.csv", labels, "text/csv")
    return studio.post(
        "/backend/upload_and_extract_features", files=files, data={"detector_type": "pose", **form}
    )


def raw_get(studio: LiveStudio, path: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", studio.port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode(errors="replace")
    finally:
        connection.close()


def error(answer: httpx.Response) -> dict[str, str]:
    body: dict[str, dict[str, str]] = answer.json()
    return body["error"]


@pytest.mark.parametrize(
    "path",
    [
        "/backend/features/..",
        "/backend/features/%2e%2e",
        "/backend/features/%2e%2e%2fjobs.sqlite3",
        "/backend/features/..%2F..%2Fjobs.sqlite3",
        "/backend/features/%2Fetc%2Fpasswd",
        "/backend/features//etc/passwd",
        "/backend/datasets/..",
        "/backend/datasets/%2e%2e",
        "/backend/models/%2e%2e/metrics",
        "/backend/videos/%2e%2e/file",
        "/backend/videos/..%2f..%2fjobs.sqlite3/file",
        "/backend/predictions/%2e%2e?model=%2e%2e",
        "/../jobs.sqlite3",
        "/%2e%2e/jobs.sqlite3",
        "/..%2fjobs.sqlite3",
    ],
)
def test_traversal_is_refused(studio: LiveStudio, path: str) -> None:
    status, body = raw_get(studio, path)
    assert 400 <= status < 500, (status, body)
    assert "SQLite format" not in body and "root:" not in body


def test_symlinks_out_of_the_data_root_are_not_followed(
    studio: LiveStudio, clip: dict[str, Any], tmp_path: Path
) -> None:
    secret = tmp_path / "secret.parquet"
    secret.write_text("secret")
    (studio.data / "features" / "leak.parquet").symlink_to(secret)
    outside = tmp_path / "videofolder"
    outside.mkdir()
    (outside / "video.json").write_text(json.dumps({"stored": "v.mp4", "filename": "v.mp4"}))
    (outside / "v.mp4").write_text("secret")
    (studio.data / "videos" / "leakvideo").symlink_to(outside, target_is_directory=True)
    try:
        assert studio.get("/backend/features/leak.parquet").status_code == 404
        assert studio.get("/backend/videos/leakvideo/file").status_code == 404
        listed = studio.get("/backend/features").json()["features"]
        assert [f["filename"] for f in listed] == [Path(clip["feature_file"]).name]
        assert studio.get("/backend/videos").status_code == 200
    finally:
        (studio.data / "features" / "leak.parquet").unlink()
        (studio.data / "videos" / "leakvideo").unlink()


def test_an_upload_name_is_sanitised_and_stored_under_the_root(
    studio: LiveStudio, clip: dict[str, Any]
) -> None:
    assert clip["filename"] == "my_clip.mkv"
    folder = studio.data / "videos" / clip["video_id"]
    assert sorted(p.name for p in folder.iterdir()) == [
        f"{clip['video_id']}.mkv",
        "labels.csv",
        "video.json",
    ]
    assert clip["feature_name"].startswith("my_clip_pose_")


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("notes.mp4", b"these are not frames\n" * 50, "notes.mp4: "),
        ("empty.mp4", b"", "empty"),
        ("table.csv", b"a,b\n1,2\n", "not a video file type"),
        ("noext", b"\x00\x01" * 100, "not a video file type"),
    ],
)
def test_a_non_video_upload_is_a_415_with_the_reason(
    studio: LiveStudio, name: str, content: bytes, reason: str
) -> None:
    answer = upload(studio, content, name)
    assert answer.status_code == 415, answer.text
    assert error(answer)["code"] == "bad_video" and reason in error(answer)["message"]
    assert not list((studio.data / "tmp").iterdir())


@pytest.mark.parametrize(
    ("labels", "reason"),
    [
        (b"when,what\n0,a\n", "labels.csv:1: unknown header"),
        (b"start,end,label\n0,1,a\n50,60,b\n", "labels.csv:3: span starts at 50.0 s, after"),
        (b"start,end,label\n0,2,a\n1,3,b\n", "labels.csv:3: span 1.0-3.0 overlaps"),
        (b"frame_index,label\n0,a\n5000,b\n", "labels.csv:3: frame 5000 is past"),
        (b"start,end,label\n0,1,\xff\n", "labels.csv:2: not UTF-8"),
        (b"", "labels.csv:1: the label file is empty"),
    ],
)
def test_a_bad_label_file_is_a_422_naming_the_line(
    studio: LiveStudio, real_data: Path, labels: bytes, reason: str
) -> None:
    answer = upload(studio, real_data / CLIP, "clip.mkv", labels)
    assert answer.status_code == 422, answer.text
    assert error(answer)["code"] == "bad_labels" and reason in error(answer)["message"]


@pytest.mark.parametrize(
    ("path", "form", "status"),
    [
        ("/backend/build_task_dataset", {"feature_files": "nothere.parquet"}, 422),
        ("/backend/build_task_dataset", {"feature_files": ".."}, 422),
        ("/backend/build_task_dataset", {"feature_files": " , "}, 422),
        ("/backend/build_task_dataset", {"feature_files": "a.parquet", "window_sec": "nan"}, 422),
        ("/backend/build_task_dataset", {"feature_files": "a", "train_ratio": "0.9"}, 422),
        ("/backend/train_task_model", {"dataset_dir": "dataset_nothere"}, 422),
        ("/backend/train_task_model", {"dataset_dir": "../../etc"}, 422),
        ("/backend/train_task_model", {"dataset_dir": "x", "model_type": "svm"}, 422),
    ],
)
def test_bad_settings_are_4xx(
    studio: LiveStudio, path: str, form: dict[str, str], status: int
) -> None:
    answer = studio.post(path, data=form)
    assert answer.status_code == status, answer.text
    assert error(answer)["message"]


def test_bad_upload_settings_are_422(studio: LiveStudio, real_data: Path) -> None:
    bogus = upload(studio, real_data / CLIP, "clip.mkv", detector_type="bogus")
    assert bogus.status_code == 422
    yolo = upload(studio, real_data / CLIP, "clip.mkv", detector_type="yolo")
    assert yolo.status_code == 422 and "--object-model" in error(yolo)["hint"]
    missing = studio.post("/backend/upload_and_extract_features", data={"detector_type": "pose"})
    assert missing.status_code == 422 and "video" in error(missing)["message"]


def test_bad_label_spans_and_json_are_4xx(studio: LiveStudio, clip: dict[str, Any]) -> None:
    url = f"{studio.url}/backend/videos/{clip['video_id']}/labels"
    bodies = [
        (
            {
                "spans": [
                    {"start": 0, "end": 1, "label": "a"},
                    {"start": 0.5, "end": 2, "label": "b"},
                ]
            },
            "overlaps",
        ),
        ({"spans": [{"start": 2, "end": 1, "label": "a"}]}, "spans[0] ends"),
        ({"spans": [{"start": 0, "end": 1, "label": "a,b"}]}, "label"),
        ({"spans": [{"start": 9, "end": 10, "label": "a"}]}, "after the video ends"),
        ({"spans": [{"start": 0, "end": 1}]}, "label"),
    ]
    for body, reason in bodies:
        answer = httpx.put(url, json=body, timeout=30)
        assert answer.status_code == 422, answer.text
        assert reason in error(answer)["message"]
    nan = httpx.put(
        url,
        content=b'{"spans": [{"start": NaN, "end": 1, "label": "a"}]}',
        headers={"content-type": "application/json"},
        timeout=30,
    )
    assert 400 <= nan.status_code < 500
    assert studio.get(f"/backend/videos/{clip['video_id']}/labels").json()["labels"] == [
        "idle",
        "work",
    ]
    unknown = studio.post("/backend/models/nothere/predict", json={"video_id": clip["video_id"]})
    assert unknown.status_code == 404


@pytest.mark.slow
def test_relabel_then_extract_again_makes_a_new_table(
    studio: LiveStudio, clip: dict[str, Any], real_data: Path, tmp_path: Path
) -> None:
    url = f"{studio.url}/backend/videos/{clip['video_id']}/labels"
    spans = [{"start": 0, "end": 1.5, "label": "rest"}, {"start": 1.5, "end": 3, "label": "sign"}]
    assert httpx.put(url, json={"spans": spans}, timeout=30).status_code == 200
    again = studio.post(
        f"/backend/videos/{clip['video_id']}/extract", json={"detector_type": "pose"}
    )
    assert again.status_code == 202, again.text
    assert again.json()["feature_name"] != clip["feature_name"]
    job = studio.done(again.json()["job_id"])
    # Same video and settings: the table is relabelled, no frame decoded again; its rows are
    # those a fresh extraction with these labels gives.
    assert job["result"]["relabelled_from"] == clip["feature_name"]
    table = studio.get(f"/backend/features/{again.json()['feature_name']}").json()
    assert table["label_counts"] == {"rest": 15, "sign": 15}
    fresh = tmp_path / "fresh.parquet"
    labels = TaskLabels.parse("start,end,label\n0,1.5,rest\n1.5,3,sign\n", "l.csv")
    extract_video(real_data / CLIP, fresh, ExtractSettings(detector="pose"), labels)
    columns = ["frame_index", "t", "label", "pose_present"]
    relabelled = pq.read_table(studio.data / table["path"], columns=columns).to_pylist()
    assert relabelled == pq.read_table(fresh, columns=columns).to_pylist()
    # Deleting the first table leaves the new one; deleting twice is a 404.
    first = f"/backend/features/{clip['feature_name']}"
    assert httpx.delete(studio.url + first, timeout=30).status_code == 200
    assert httpx.delete(studio.url + first, timeout=30).status_code == 404


def test_writes_need_the_token_and_uploads_have_a_limit(real_data: Path, tmp_path: Path) -> None:
    with LiveStudio(tmp_path / "data", "--token", "s3cret", "--max-upload-mb", "1") as studio:
        video = real_data / "intel-sample-videos/one-by-one-person-detection.mp4"  # 3.1 MiB
        refused = upload(studio, real_data / CLIP, "clip.mkv")
        assert refused.status_code == 401 and error(refused)["code"] == "unauthorized"
        wrong = studio.post(
            "/backend/build_task_dataset",
            data={"feature_files": "a"},
            headers={"Authorization": "Bearer nope"},
        )
        assert wrong.status_code == 401
        assert studio.get("/backend/videos").status_code == 200
        files = {"video": ("big.mp4", video.read_bytes(), "video/mp4")}
        big = studio.post(
            "/backend/upload_and_extract_features",
            files=files,
            headers={"Authorization": "Bearer s3cret"},
        )
        assert big.status_code == 413 and error(big)["code"] == "payload_too_large"
        assert studio.get("/backend/info").json()["token_required"] is True
        assert not list((studio.data / "videos").iterdir())
        assert not list((studio.data / "tmp").iterdir())


def test_binding_beyond_loopback_without_a_token_is_refused(tmp_path: Path) -> None:
    ran = subprocess.run(
        [sys.executable, "-m", "framewise", "studio", "--host", "0.0.0.0", "--data", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert ran.returncode == 2
    assert "binding the studio to 0.0.0.0 needs a write token" in ran.stderr
    assert "Traceback" not in ran.stderr
