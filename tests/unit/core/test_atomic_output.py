"""``atomic_output``: a named temporary file for muxers, renamed into place only on success."""

from __future__ import annotations

from pathlib import Path

import pytest

from framewise.core.atomic import atomic_output


def test_the_file_appears_whole_when_the_block_ends(tmp_path: Path) -> None:
    target = tmp_path / "clip.mkv"
    with atomic_output(target) as partial:
        assert partial.parent == tmp_path and partial.name.startswith(".clip.mkv.")
        partial.write_bytes(b"frames")
        assert not target.exists()  # nobody sees it before it is complete
    assert target.read_bytes() == b"frames"
    assert [p.name for p in tmp_path.iterdir()] == ["clip.mkv"]


def test_a_failed_write_keeps_the_old_file_and_leaves_no_partial(tmp_path: Path) -> None:
    target = tmp_path / "clip.mkv"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError, match="encoder died"), atomic_output(target) as partial:
        partial.write_bytes(b"half")
        raise RuntimeError("encoder died")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["clip.mkv"]


def test_a_writer_that_wrote_nothing_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "clip.mkv"
    with pytest.raises(FileNotFoundError), atomic_output(target):
        pass  # the muxer never created its file: the rename fails loudly, nothing remains
    assert list(tmp_path.iterdir()) == []
