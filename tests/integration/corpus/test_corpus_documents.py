"""Bad event logs and videos through ``import``, ``eval``, ``review``, ``export``; bad ``synth``
flags (issue 14, item 12): no traceback, no hang, a non-zero exit and one line naming the input.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.corpus.conftest import Corpus
from tests.integration.corpus.corpus_cases import (
    LOG_REFUSALS,
    SYNTH_FLAGS,
    TRUTH_SAYS,
    VIDEO_REFUSALS,
)
from tests.integration.corpus.corpus_run import Refusal, refused, run

LOGS = sorted(LOG_REFUSALS)
SERVE_DEADLINE = 30.0
"""``review`` serves until stopped: past this, it started serving a file it should refuse."""


@pytest.mark.parametrize("name", LOGS)
def test_import_dry_run(corpus: Corpus, name: str) -> None:
    """import reports per log on stdout (a folder may hold good and bad ones), then exits 3."""
    done = run("import", "--dry-run", corpus.logs[name])
    assert done.returncode == 3, done.stdout + done.stderr
    assert done.stderr == ""  # no traceback, and no second report of the same failure
    failures = [line.strip() for line in done.stdout.splitlines() if line.startswith("  ")]
    assert len(failures) == 1 and failures[0].startswith(f"{name}: "), done.stdout
    assert LOG_REFUSALS[name].says in failures[0], done.stdout
    assert "failures (1):" in done.stdout and f"{name}: failed: " in done.stdout


@pytest.mark.slow
@pytest.mark.parametrize("role", ["log", "truth"])
@pytest.mark.parametrize("name", LOGS)
def test_eval(corpus: Corpus, name: str, role: str) -> None:
    bad, good = corpus.logs[name], corpus.logs["good.json"]
    done = run("eval", *((bad, good) if role == "log" else (good, bad)))
    expect = LOG_REFUSALS[name]
    if role == "truth" and name in TRUTH_SAYS:
        expect = Refusal(expect.code, TRUTH_SAYS[name])
    refused(done, bad, expect)
    assert done.stdout == ""  # no scores for a pair that was not read


@pytest.mark.slow
@pytest.mark.parametrize(
    "case", [*(f"log:{name}" for name in LOGS), *(f"video:{name}" for name in VIDEO_REFUSALS)]
)
def test_review_refuses_before_serving(corpus: Corpus, case: str) -> None:
    kind, name = case.split(":")
    if kind == "log":
        subject, expect = corpus.logs[name], LOG_REFUSALS[name]
        args: list[str | Path] = [subject]
    else:
        subject, expect = corpus.videos[name], VIDEO_REFUSALS[name]
        args = [corpus.logs["good.json"], "--video", subject]
    done = run("review", *args, "--no-browser", "--port", "0", deadline=SERVE_DEADLINE)
    refused(done, subject, expect)
    assert "reviewing" not in done.stdout


@pytest.mark.slow
@pytest.mark.parametrize(
    "case", [*(f"log:{name}" for name in LOGS), *(f"video:{name}" for name in VIDEO_REFUSALS)]
)
def test_export(corpus: Corpus, run_log: Path, case: str) -> None:
    kind, name = case.split(":")
    out = corpus.out(f"export-{kind}-{name}")
    if kind == "log":
        subject, expect = corpus.logs[name], LOG_REFUSALS[name]
        done = run("export", subject, "--out", out)
    else:  # a real run folder, exported from a video that is not one
        subject, expect = corpus.videos[name], VIDEO_REFUSALS[name]
        done = run("export", run_log, "--video", subject, "--out", out)
    refused(done, subject, expect)
    assert not (out / "data.yaml").exists()


@pytest.mark.parametrize("case", sorted(SYNTH_FLAGS))
def test_synth_flags(corpus: Corpus, case: str) -> None:
    args, names, expect = SYNTH_FLAGS[case]
    folder = corpus.out(f"synth-{case}")
    folder.mkdir(parents=True)
    out = folder / "session.mkv"
    (folder / "taken.mkv").mkdir()
    fill = {"out": str(out), "folder": str(folder), "taken": str(folder / "taken.mkv")}
    command = ["synth", "--minutes", "0.05", "--size", "320x180", "--out", str(out)]
    done = run(*command, *(a.format(**fill) for a in args))
    refused(done, names.format(**fill), expect)
    assert not out.exists() and not any(folder.glob("*.groundtruth.json"))
