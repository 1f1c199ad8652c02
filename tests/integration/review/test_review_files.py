"""Files the review server hands out: the video (remuxed, ranged), thumbnails, nothing else."""

from __future__ import annotations

import http.client
import subprocess
from pathlib import Path

import av
import httpx
import pytest

from framewise.review import ReviewServer, open_review
from framewise.review.cache import VideoCache
from framewise.review.media import playable_video
from tests.integration.review.conftest import ReviewFiles


def _packets(path: Path) -> list[bytes]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return [bytes(p) for p in container.demux(stream) if p.size]


def _raw_get(server: ReviewServer, path: str) -> int:
    """GET ``path`` byte for byte (no client-side normalisation of ``..`` or ``%2F``)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def test_mkv_is_remuxed_once_without_reencoding(
    server: ReviewServer, files: ReviewFiles, video_cache: Path
) -> None:
    served = server.settings.video
    assert served is not None
    assert served.parent == video_cache
    assert served.suffix == ".mp4"
    # Packet for packet the same H.264 bitstream: copied, not re-encoded.
    assert _packets(served) == _packets(files.video)
    with av.open(str(served)) as container:
        assert container.format.name.startswith("mov,mp4")
        assert container.streams.video[0].codec_context.name == "h264"
        frames = sum(1 for _ in container.decode(video=0))
    assert frames == 600
    # faststart: the index (moov) comes before the media data (mdat).
    head = served.read_bytes()[:4096]
    assert head.find(b"moov") != -1 and head.find(b"moov") < max(head.find(b"mdat"), 4096)
    inode = served.stat().st_ino
    _, settings = open_review(files.log)
    _, given = open_review(files.log, video=files.video)  # --video names the same file
    assert settings.video == given.video == served
    assert served.stat().st_ino == inode  # cached: not converted (and replaced) again


def test_video_range_requests(server: ReviewServer) -> None:
    assert server.settings.video is not None
    body = server.settings.video.read_bytes()
    with httpx.Client(base_url=server.url, timeout=10) as client:
        whole = client.get("/video")
        part = client.get("/video", headers={"Range": "bytes=100-1099"})
        tail = client.get("/video", headers={"Range": "bytes=-64"})
        beyond = client.get("/video", headers={"Range": f"bytes={len(body) + 10}-"})
    assert whole.status_code == 200
    assert whole.headers["accept-ranges"] == "bytes"
    assert whole.headers["content-type"] == "video/mp4"
    assert whole.content == body
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 100-1099/{len(body)}"
    assert part.content == body[100:1100]
    assert tail.status_code == 206
    assert tail.content == body[-64:]
    assert beyond.status_code == 416


def test_unremuxable_codec_is_reencoded_to_h264(tmp_path: Path, ffmpeg: str) -> None:
    source = tmp_path / "mjpeg.mkv"
    subprocess.run(
        [ffmpeg, "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=160x90:rate=10",
         "-t", "2", "-c:v", "mjpeg", str(source)],
        check=True,
    )  # fmt: skip
    lines: list[str] = []
    cache = VideoCache(tmp_path / "cache")
    served = playable_video(source, cache, lines.append)
    assert lines and "re-encoding mjpeg" in lines[0]
    with av.open(str(served)) as container:
        assert container.streams.video[0].codec_context.name == "h264"
        assert sum(1 for _ in container.decode(video=0)) == 20
    assert not [p for p in cache.root.iterdir() if p.name.endswith(".partial")]


def test_mp4_is_served_as_it_is(tmp_path: Path) -> None:
    source = tmp_path / "clip.mp4"
    source.write_bytes(b"not parsed for MP4 files")
    assert playable_video(source, VideoCache(tmp_path / "cache")) == source
    assert not (tmp_path / "cache").exists()


def test_thumbnails_and_static_files(server: ReviewServer) -> None:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        thumb = client.get("/thumbs/thumbnails/evt_00001.jpg")
        page = client.get("/")
        scripts = [
            client.get(f"/static/{name}")
            for name in ("app.js", "dom.js", "editor.js", "timeline.js")
        ]
        style = client.get("/static/app.css")
        unknown = client.get("/static/review.py")
    assert thumb.status_code == 200
    assert thumb.headers["content-type"] == "image/jpeg"
    assert thumb.content[:2] == b"\xff\xd8"
    assert page.status_code == 200 and "<video" in page.text
    for script in scripts:
        assert script.status_code == 200 and "javascript" in script.headers["content-type"]
        assert "https://" not in script.text and "http://" not in script.text
    assert style.status_code == 200 and style.headers["content-type"].startswith("text/css")
    assert unknown.status_code == 404
    # No page asset comes from anywhere but this server.
    assert "://" not in page.text
    assert "https://" not in style.text


@pytest.mark.parametrize(
    "path",
    [
        "/thumbs/../events.json",
        "/thumbs/..%2Fevents.json",
        "/thumbs/%2e%2e/%2e%2e/secret.jpg",
        "/thumbs/..%2F..%2Fsecret.jpg",
        "/thumbs/thumbnails/..%2F..%2Fsecret.jpg",
        "/thumbs/%2Fetc%2Fpasswd",
        "/thumbs//etc/passwd",
        "/thumbs/%2F{secret}",
        "/thumbs/events.json",
        "/thumbs/outside.jpg",
        "/thumbs/thumbnails%5C..%5C..%5Csecret.jpg",
        "/static/..%2Fsession.py",
        "/static/%2E%2E%2F__init__.py",
        "/static/../session.py",
        "/video/..%2F..%2Fsecret.jpg",
    ],
)
def test_path_traversal_is_refused(server: ReviewServer, files: ReviewFiles, path: str) -> None:
    secret = files.log.parent.parent / "secret.jpg"
    secret.write_bytes(b"\xff\xd8 private picture")
    # A link inside the log's folder that points out of it is refused too.
    (files.log.parent / "outside.jpg").symlink_to(secret)
    status = _raw_get(server, path.replace("{secret}", str(secret).lstrip("/")))
    assert status in (400, 404)


@pytest.mark.parametrize(
    ("relative", "frames"),
    [
        ("pyscenedetect/issue-236-split-copy.mkv", 48),  # h264 + aac + subtitles + fonts
        ("intel-sample-videos/asl_gestures_walk.mkv", 89),
        ("opencvtutorial-vtest/vtest.avi", 795),
    ],
)
def test_real_recordings_are_remuxed_for_the_browser(
    real_data: Path, tmp_path: Path, relative: str, frames: int
) -> None:
    source = real_data / relative
    served = playable_video(source, VideoCache(tmp_path / "cache"))
    assert served.parent == tmp_path / "cache"
    with av.open(str(served)) as container:
        kinds = {s.type for s in container.streams}
        assert container.streams.video[0].codec_context.name == "h264"
        assert sum(1 for _ in container.decode(video=0)) == frames
    assert kinds <= {"video", "audio"}  # subtitles and attachments are left out
    if source.suffix == ".mkv":
        assert _packets(served) == _packets(source)  # copied, not re-encoded
