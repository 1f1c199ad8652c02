"""MOT scores through TrackEval: a perfect copy scores 1, an id swap and a miss cost what the
CLEAR and identity definitions say; MOT files round-trip, ignore rows are dropped."""

from __future__ import annotations

from pathlib import Path

import pytest

from framewise.core.errors import InputError
from framewise.eval.mot import FrameBoxes, read_mot, score_tracks, write_mot

pytest.importorskip("trackeval")

A = [0.0, 0.0, 10.0, 20.0]
B = [50.0, 0.0, 60.0, 20.0]


def test_scores_follow_the_clear_and_identity_definitions(tmp_path: Path) -> None:
    truth = {f: FrameBoxes((1, 2), [A, B]) for f in range(4)}
    assert score_tracks(truth, truth, range(4)).mota == 1.0
    # The tracker swaps its two ids from frame 2 and misses person 2 in frame 3.
    tracked = {
        0: FrameBoxes((5, 6), [A, B]),
        1: FrameBoxes((5, 6), [A, B]),
        2: FrameBoxes((6, 5), [A, B]),
        3: FrameBoxes((6,), [A]),
    }
    scores = score_tracks(truth, tracked, [0, 1, 2, 3])
    assert scores.id_switches == 2
    assert scores.mota == pytest.approx(1 - (1 + 2) / 8)  # one miss, two switches, 8 boxes
    assert scores.recall == pytest.approx(7 / 8) and scores.precision == 1.0
    # Best one-to-one id mapping keeps 4 of 7 tracker boxes: IDF1 = 2·4 / (8 + 7).
    assert scores.idf1 == pytest.approx(8 / 15)
    assert 0 < scores.hota < 1
    path = tmp_path / "t.txt"
    write_mot(tracked, path)
    again = read_mot(path)
    assert sorted(again) == [0, 1, 2, 3] and again[3].ids == (6,)
    assert again[2].xyxy.tolist() == [A, B]


def test_ignore_rows_are_dropped_and_bad_files_named(tmp_path: Path) -> None:
    path = tmp_path / "gt.txt"
    path.write_text("1,1,0,0,10,20,1,-1,-1,-1\n1,2,5,5,10,20,0,-1,-1,-1\n")
    assert read_mot(path)[0].ids == (1,)
    bad = tmp_path / "bad.txt"
    bad.write_text("1,2,3\n")
    with pytest.raises(InputError, match="6 columns"):
        read_mot(bad)
