"""Small real clips (ffmpeg lavfi), a labels CSV and a password-protected zip for the stages."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

PASSWORD = "m3v3r!@"


def lavfi_clip(path: Path, source: str, seconds: float = 1.0, size: str = "96x64") -> Path:
    """Encode a lavfi test source to H.264 MP4."""
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"{source}=size={size}:rate=10:duration={seconds}",
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            "-threads",
            "1",
            str(path),
        ],
        check=True,
    )
    return path


@pytest.fixture(scope="session")
def video_set(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``videos/`` with four clips (one in a password zip, one broken) and ``labels.csv``."""
    if shutil.which("ffmpeg") is None or shutil.which("zip") is None:
        pytest.skip("ffmpeg and zip are needed")
    root = tmp_path_factory.mktemp("w4set")
    videos = root / "videos"
    (videos / "real").mkdir(parents=True)
    lavfi_clip(videos / "real" / "a.mp4", "testsrc2")
    lavfi_clip(videos / "real" / "b.mp4", "smptebars")
    lavfi_clip(videos / "fake_c.mp4", "testsrc")
    (videos / "broken.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)
    inner = root / "inner"
    inner.mkdir()
    lavfi_clip(inner / "d.mp4", "rgbtestsrc")
    subprocess.run(
        ["zip", "-q", "-P", PASSWORD, str(videos / "pack.zip"), "d.mp4"], cwd=inner, check=True
    )
    (root / "labels.csv").write_text(
        "path,label,group\nreal/a.mp4,real,a\nreal/b.mp4,real,b\nfake_c.mp4,fake,a\n"
        "d.mp4,fake,d\nbroken.mp4,real,x\n"
    )
    return root
