"""Each labelled element says where every line of its text was drawn (ground truth v2)."""

from __future__ import annotations

import numpy as np

from framewise.synth.compose import FramePainter
from framewise.synth.groundtruth import GROUNDTRUTH_SCHEMA_VERSION, Span, SpanRecorder
from framewise.synth.layout import Element
from framewise.synth.script import make_script

W, H = 640, 360


def test_every_element_has_its_lines_inside_its_box() -> None:
    script = make_script(11, 2400.0)
    painter = FramePainter(script, W, H)
    classes: set[str] = set()
    for index, screen in enumerate(script.screens):
        image, elements = painter.paint(index, (screen.start + screen.end) / 2)
        for element in elements:
            assert [t for t, _ in element.lines] == element.text.split("\n"), element
            for _, (x1, y1, x2, y2) in element.lines:
                bx1, by1, bx2, by2 = element.box
                assert bx1 <= x1 < x2 <= bx2 and by1 <= y1 < y2 <= by2, element
                assert image[y1:y2, x1:x2].std() > 10.0  # ink, not an empty strip
            classes.add(element.cls)
    assert {"kill_notification", "map_select", "loading_screen", "survived_screen"} <= classes


def test_map_select_lines_are_the_panel_not_the_map_list() -> None:
    script = make_script(11, 2400.0)
    painter = FramePainter(script, W, H)
    at = next(i for i, s in enumerate(script.screens) if s.cls == "map_select")
    screen = script.screens[at]
    _, elements = painter.paint(at, (screen.start + screen.end) / 2)
    (panel,) = elements
    name, (x1, _, _, _) = panel.lines[0]
    assert name == str(screen.fields["map_name"]).upper()
    assert x1 > W * 0.3  # the list on the left draws the same name too


def test_spans_carry_lines_and_split_when_they_change() -> None:
    recorder = SpanRecorder()
    a = Element("a", "kill_notification", (0, 0, 50, 20), "X", {}, (("X", (2, 2, 40, 18)),))
    b = Element("a", "kill_notification", (0, 0, 50, 20), "X", {}, (("X", (3, 2, 41, 18)),))
    recorder.add(0, [a])
    recorder.add(1, [a])
    recorder.add(2, [b])
    (track,) = recorder.finish()
    assert [(s.first_frame, s.last_frame) for s in track.spans] == [(0, 1), (2, 2)]
    assert track.spans[0].lines[0].box == (2, 2, 40, 18)
    assert track.spans[0].lines[0].text == "X"


def test_version_one_spans_without_lines_still_load() -> None:
    assert GROUNDTRUTH_SCHEMA_VERSION == 2
    span = Span.model_validate_json('{"first_frame": 3, "last_frame": 5, "box": [1, 2, 3, 4]}')
    assert span.lines == []
    assert np.array_equal(span.box, (1, 2, 3, 4))
