"""Painted frames: labelled boxes lie in the picture and hold what they say they hold."""

from __future__ import annotations

import numpy as np
import pytest

from framewise.synth.compose import FramePainter
from framewise.synth.groundtruth import SpanRecorder
from framewise.synth.layout import Element
from framewise.synth.script import make_script
from framewise.synth.vocab import CLASSES, STATE_OF_CLASS

W, H = 640, 360


def test_every_screen_draws_its_class_inside_the_picture() -> None:
    script = make_script(11, 2400.0)
    painter = FramePainter(script, W, H)
    drawn: set[str] = set()
    for index, screen in enumerate(script.screens):
        seconds = (screen.start + screen.end) / 2
        image, elements = painter.paint(index, seconds)
        assert image.shape == (H, W, 3)
        for element in elements:
            x1, y1, x2, y2 = element.box
            assert 0 <= x1 < x2 <= W and 0 <= y1 < y2 <= H, element
            assert element.cls in CLASSES
            drawn.add(element.cls)
        if screen.cls in STATE_OF_CLASS:
            assert screen.cls in {e.cls for e in elements}
    assert drawn >= set(STATE_OF_CLASS) - {"transfer_screen", "mia_screen"}


def test_kill_feed_entries_show_text_and_stack() -> None:
    script = make_script(1, 60.0, start_in_raid=True)
    raid = script.raids[0]
    burst = [k for k in raid.kills if k.time < raid.kills[0].time + 4.0]
    assert len(burst) >= 2  # seed 1 opens with kills 1.8 s apart
    painter = FramePainter(script, W, H)
    image, elements = painter.paint(0, burst[1].time + 0.1)
    feed = [e for e in elements if e.cls == "kill_notification"]
    assert len(feed) >= 2
    newest, older = feed[0], feed[1]
    assert newest.fields["weapon"] == burst[1].weapon
    assert older.box[1] >= newest.box[3]  # the older entry moved down
    for entry in feed:
        x1, y1, x2, y2 = entry.box
        crop = image[y1:y2, x1:x2]
        assert crop.std() > 20.0  # text drawn there, not a flat panel
        assert entry.fields["weapon"].upper() in entry.text  # type: ignore[union-attr]


def test_same_seed_paints_the_same_pixels() -> None:
    script = make_script(5, 120.0, start_in_raid=True)
    first = [FramePainter(script, W, H).paint(i, 3.0 + i)[0].copy() for i in range(3)]
    again = FramePainter(make_script(5, 120.0, start_in_raid=True), W, H)
    for i, image in enumerate(first):
        assert np.array_equal(image, again.paint(i, 3.0 + i)[0])


def test_the_raid_world_moves() -> None:
    script = make_script(5, 120.0, start_in_raid=True)
    painter = FramePainter(script, W, H)
    a = painter.paint(0, 5.0)[0].astype(np.int16)
    b = painter.paint(1, 5.5)[0].astype(np.int16)
    assert np.abs(a - b).mean() > 5.0
    assert a.std() > 20.0  # a busy picture, not plain black


def test_span_recorder_merges_frames_and_splits_on_moves() -> None:
    recorder = SpanRecorder()
    a = Element("a", "kill_notification", (1, 2, 3, 4), "X")
    moved = Element("a", "kill_notification", (1, 12, 3, 14), "X")
    recorder.add(0, [a])
    recorder.add(1, [a])
    recorder.add(2, [moved])
    recorder.add(3, [])
    recorder.add(4, [moved])
    (track,) = recorder.finish()
    spans = [(s.first_frame, s.last_frame, s.box) for s in track.spans]
    assert spans == [(0, 1, (1, 2, 3, 4)), (2, 2, (1, 12, 3, 14)), (4, 4, (1, 12, 3, 14))]


@pytest.mark.parametrize("scale", [0.9, 1.1])
def test_text_keeps_its_size_class(scale: float) -> None:
    from framewise.synth.text import TextCache

    cache = TextCache()
    small = cache.sprite("SURVIVED", round(20 * scale))
    big = cache.sprite("SURVIVED", round(40 * scale))
    assert big.height > small.height and big.width > small.width
    assert cache.sprite("SURVIVED", round(20 * scale)) is small
