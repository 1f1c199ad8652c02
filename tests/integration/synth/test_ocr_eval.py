"""``framewise eval-ocr`` on a rendered session: real video, real RapidOCR, real crops on disk."""

from __future__ import annotations

import itertools
import json
import re
import shutil
from pathlib import Path

import cv2
import pytest
import typer
from typer.testing import CliRunner

from framewise.cli.ocr_commands import register
from framewise.config.pipeline import load_pipeline
from framewise.core.errors import InputError
from framewise.eval.ocr import OcrEvaluator
from framewise.eval.ocr_report import OcrEvaluation, write_report
from framewise.profiles import profile_pipeline
from framewise.synth import GroundTruth, RenderSettings, render_session
from framewise.synth.groundtruth import truth_beside

_NAME = re.compile(r"^crops/(?P<stem>.+)_f(?P<frame>\d{6})_(?P<key>.+?)(?:_l(?P<line>\d+))?\.png$")


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GroundTruth]:
    # Seed 12 opens in a raid with three kills, then a transfer and a loading screen: both
    # kinds of OCR crops (recognition-only kill-feed lines, panels read with detection).
    # 10 fps keeps the render short; 720p keeps the text as large as in real footage.
    path = tmp_path_factory.mktemp("ocr") / "s12.mkv"
    settings = RenderSettings(seconds=30.0, seed=12, fps=10.0, start_in_raid=True)
    return path, render_session(path, settings)


@pytest.fixture(scope="module")
def evaluated(
    session: tuple[Path, GroundTruth], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, OcrEvaluation]:
    out = tmp_path_factory.mktemp("ocr_out")
    evaluator = OcrEvaluator(
        load_pipeline(profile_pipeline("tarkov")), out, truth_of=truth_beside, fps=1.0
    )
    seen: list[tuple[float, float]] = []
    try:
        result = evaluator.evaluate([session[0]], lambda done, total: seen.append((done, total)))
    finally:
        evaluator.close()
    write_report(result, out)
    assert seen and seen[-1][0] == pytest.approx(seen[-1][1])  # progress reaches the end
    assert all(a[0] <= b[0] for a, b in itertools.pairwise(seen))
    return out, result


def test_rec_list_matches_the_crops_on_disk(evaluated: tuple[Path, OcrEvaluation]) -> None:
    out, _ = evaluated
    lines = (out / "rec_gt.txt").read_text(encoding="utf-8").splitlines()
    assert len(lines) >= 20
    listed = []
    for line in lines:
        relative, text = line.split("\t")
        assert text and text == text.strip() and "\n" not in text
        image = cv2.imread(str(out / relative))
        assert image is not None and image.shape[0] >= 10 and image.shape[1] > image.shape[0]
        listed.append(relative)
    on_disk = sorted(f"crops/{p.name}" for p in (out / "crops").iterdir())
    assert sorted(listed) == on_disk


def test_true_texts_come_from_the_ground_truth(
    evaluated: tuple[Path, OcrEvaluation], session: tuple[Path, GroundTruth]
) -> None:
    out, _ = evaluated
    _, truth = session
    tracks = {t.key: t for t in truth.elements}
    kinds: set[str] = set()
    for line in (out / "rec_gt.txt").read_text(encoding="utf-8").splitlines():
        relative, text = line.split("\t")
        found = _NAME.match(relative)
        assert found is not None, relative
        track = tracks[found["key"]]
        frame = int(found["frame"])
        (span,) = [s for s in track.spans if s.first_frame <= frame <= s.last_frame]
        if found["line"] is None:  # the crop the pipeline reads: one line of text
            assert text == track.text
            x1, y1, x2, y2 = span.box
        else:
            assert text == span.lines[int(found["line"])].text
            x1, y1, x2, y2 = span.lines[int(found["line"])].box
        image = cv2.imread(str(out / relative))
        assert image is not None
        assert image.shape[:2] == (y2 - y1 + 8, x2 - x1 + 8)  # padded by 4 px, as the pipeline
        kinds.add(track.cls)
    assert kinds == {"kill_notification", "transfer_screen", "loading_screen"}


def test_scores_per_field(evaluated: tuple[Path, OcrEvaluation]) -> None:
    out, result = evaluated
    names = set(result.scores)
    assert {
        "kill_notification",
        "kill_notification.enemy_type",
        "kill_notification.weapon",
        "kill_notification.headshot",
        "transfer_screen.map_name",
        "transfer_screen.lines",
        "loading_screen.map_name",
        "loading_screen.lines",
    } <= names
    for score in result.scores.values():
        assert score.crops > 0
        assert 0.0 <= score.exact_raw <= 1.0 and 0.0 <= score.char_acc_raw <= 1.0
        if score.parsed:
            assert score.exact_matched is not None and score.char_acc_matched is not None
            assert 0.0 <= score.exact_matched <= 1.0 and 0.0 <= score.char_acc_matched <= 1.0
            assert score.exact_matched >= score.exact_raw, score.name
        else:
            assert score.exact_matched is None
    assert (
        result.scores["kill_notification.weapon"].crops == result.scores["kill_notification"].crops
    )
    # Two lines per panel crop.
    lines, panels = result.scores["loading_screen.lines"], result.scores["loading_screen"]
    assert lines.crops == 2 * panels.crops
    assert result.fine_tune_recommended == bool(result.below_threshold)
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["fields"] == result.summary()["fields"]
    assert report["frames"] == result.frames in (30, 31)  # ticks 0..30 s of a 30 s video
    assert len(report["readings"]) == len(result.readings)


@pytest.fixture
def app() -> typer.Typer:
    application = typer.Typer()

    @application.callback()
    def _root() -> None:
        """A bare root, as framewise's own."""

    register(application)
    return application


def test_cli_table_and_json(
    app: typer.Typer, session: tuple[Path, GroundTruth], tmp_path: Path
) -> None:
    runner = CliRunner()
    video = str(session[0])
    result = runner.invoke(app, ["eval-ocr", video, "--out", str(tmp_path / "a"), "--limit", "2"])
    assert result.exit_code == 0, result.output
    header = result.output.splitlines()[0].split()
    assert header[:3] == ["field", "crops", "exact"]
    assert "kill_notification.weapon" in result.output
    assert "fine-tune recommended" in result.output or "stock OCR suffices" in result.output
    args = ["eval-ocr", video, "--out", str(tmp_path / "b"), "--limit", "2", "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    weapon = next(f for f in report["fields"] if f["field"] == "kill_notification.weapon")
    assert weapon["crops"] == 2  # --limit stops after two crops
    assert set(weapon) == {
        "field",
        "crops",
        "exact_raw",
        "exact_matched",
        "char_acc_raw",
        "char_acc_matched",
    }
    listed = (tmp_path / "b" / "rec_gt.txt").read_text(encoding="utf-8").splitlines()
    assert len(listed) == 2


def test_video_without_ground_truth_is_refused(
    app: typer.Typer, session: tuple[Path, GroundTruth], tmp_path: Path
) -> None:
    orphan = tmp_path / "orphan.mkv"
    shutil.copyfile(session[0], orphan)
    evaluator = OcrEvaluator(
        load_pipeline(profile_pipeline("tarkov")), tmp_path / "out", truth_of=truth_beside
    )
    try:
        with pytest.raises(InputError) as caught:
            evaluator.evaluate([session[0], orphan])
    finally:
        evaluator.close()
    assert "orphan.mkv" in caught.value.one_line()
    assert "orphan.groundtruth.json" in caught.value.one_line()
    assert not (tmp_path / "out" / "crops").exists()  # refused before reading anything
    result = CliRunner().invoke(app, ["eval-ocr", str(orphan), "--out", str(tmp_path / "cli")])
    assert isinstance(result.exception, InputError)
    assert not (tmp_path / "cli" / "rec_gt.txt").exists()
