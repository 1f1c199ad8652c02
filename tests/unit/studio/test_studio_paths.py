"""Names and paths under the studio's data root: traversal refused, uploads named safely."""

from __future__ import annotations

from pathlib import Path

import pytest

from framewise.studio.errors import StudioError
from framewise.studio.paths import DataRoot, publish, safe_name, sanitize_filename


@pytest.mark.parametrize(
    "name", ["..", "../jobs.sqlite3", "a/b", "/etc/passwd", ".hidden", "a..b", "", "x" * 200]
)
def test_names_that_are_not_one_plain_component_are_refused(name: str) -> None:
    with pytest.raises(StudioError) as caught:
        safe_name(name, "feature file")
    assert caught.value.status == 422 and caught.value.code == "bad_name"


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("../../etc/evil.mp4", "evil.mp4"),
        ("C:\\Users\\me\\clip.MKV", "clip.mkv"),
        ("my clip (1).mp4", "my_clip_1.mp4"),
        ("..mp4", "video.mp4"),
        (None, "video"),
    ],
)
def test_upload_names_keep_their_last_component_in_safe_characters(
    given: str | None, stored: str
) -> None:
    assert sanitize_filename(given) == stored


def test_a_symlink_out_of_the_root_is_not_found(tmp_path: Path) -> None:
    root = DataRoot(tmp_path / "data").create()
    outside = tmp_path / "secret.parquet"
    outside.write_text("secret")
    (root.folder("features") / "x.parquet").symlink_to(outside)
    with pytest.raises(StudioError) as caught:
        root.child("features", "x.parquet", "feature file")
    assert caught.value.status == 404


def test_publish_replaces_a_folder_in_one_move_and_sweep_clears_leftovers(tmp_path: Path) -> None:
    root = DataRoot(tmp_path / "data").create()
    target = root.folder("models") / "m"
    for text in ("old", "new"):
        work = root.scratch("job")
        (work / "run").mkdir()
        (work / "run" / "model.json").write_text(text)
        publish(work / "run", target)
    assert (target / "model.json").read_text() == "new"
    assert [p.name for p in root.folder("models").iterdir()] == ["m"]
    assert len(root.sweep()) == 2 and not list(root.folder("tmp").iterdir())
