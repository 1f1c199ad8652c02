"""``framewise eval-ocr``: stock OCR accuracy per field on rendered sessions, and training crops.

Example:
    framewise eval-ocr e901.mkv --out ocr_eval --fps 1
    framewise eval-ocr a.mkv b.mkv --out ocr_eval --json --limit 200
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer

from framewise.cli.options import load_pipeline_option
from framewise.cli.progress import frame_progress
from framewise.core.errors import ConfigError
from framewise.eval.ocr import OcrEvaluator
from framewise.eval.ocr_metrics import NORMALISATION
from framewise.eval.ocr_report import FINE_TUNE_BELOW, OcrEvaluation, write_report
from framewise.profiles import DEFAULT_PROFILE
from framewise.sources.probe import probe
from framewise.synth.groundtruth import truth_beside

_HEADER = ("field", "crops", "exact raw", "exact matched", "char acc raw", "char acc matched")


def eval_ocr_command(
    videos: Annotated[
        list[Path],
        typer.Argument(help="Sessions rendered by `framewise synth` (ground truth beside)."),
    ],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Folder for crops/, rec_gt.txt and report.json.")
    ],
    fps: Annotated[float, typer.Option("--fps", help="Frames sampled per second.")] = 1.0,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the report as JSON instead of a table.")
    ] = False,
    limit: Annotated[
        int | None,
        typer.Option("--limit", min=1, help="Stop each video after this many crops."),
    ] = None,
    profile: Annotated[
        str | None, typer.Option("--profile", help="Profile whose OCR stage is measured.")
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", help="A pipeline YAML file (instead of --profile).")
    ] = None,
    threads: Annotated[
        int, typer.Option("--threads", min=1, help="ONNX Runtime threads for OCR.")
    ] = 1,
) -> None:
    """Score stock OCR per field (before and after vocabulary matching) on rendered sessions.

    Crops every ground-truth text region of the classes the pipeline reads, reads it as the
    pipeline does, and writes the crops with their true text as PaddleOCR recognition
    training data (OUT/rec_gt.txt: crops/NAME.png<TAB>text).
    """
    if not fps > 0:
        raise ConfigError(f"--fps must be positive, got {fps}", hint="e.g. --fps 1")
    chosen = profile if profile is not None or config is not None else DEFAULT_PROFILE
    pipeline = load_pipeline_option(chosen, config, None)
    began = time.perf_counter()
    evaluator = OcrEvaluator(
        pipeline, out, truth_of=truth_beside, fps=fps, limit=limit, threads=threads
    )
    total = round(sum(probe(v).duration_seconds for v in videos))
    try:
        with frame_progress("reading text (video s)", total) as advance:
            result = evaluator.evaluate(videos, lambda done, _total: advance(round(done)))
    finally:
        evaluator.close()
    write_report(result, out)
    took = time.perf_counter() - began
    if json_output:
        typer.echo(json.dumps(result.summary(), indent=2))
        return
    typer.echo(table(result))
    typer.echo(
        f"{result.frames} frames, {len(result.readings)} crops read in {took:.1f} s; "
        f"texts compared {NORMALISATION}"
    )
    typer.echo(f"crops: {out / 'crops'}  list: {out / 'rec_gt.txt'}  report: {out / 'report.json'}")
    typer.echo(verdict(result))


def table(result: OcrEvaluation) -> str:
    """The per-field table, one row per field, ratios as percentages."""
    rows = [_HEADER]
    for score in sorted(result.scores.values(), key=lambda s: s.name):
        rows.append(
            (
                score.name,
                str(score.crops),
                _percent(score.exact_raw),
                _percent(score.exact_matched),
                _percent(score.char_acc_raw),
                _percent(score.char_acc_matched),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(_HEADER))]
    return "\n".join(_row(r, widths) for r in rows)


def _row(cells: tuple[str, ...], widths: list[int]) -> str:
    """Cells padded to their column (the field name left, numbers right)."""
    padded = [cells[0].ljust(widths[0])]
    padded += [c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True)]
    return "  ".join(padded).rstrip()


def verdict(result: OcrEvaluation) -> str:
    """One line: whether fine-tuning the recogniser is recommended, and for which fields."""
    if not any(s.parsed and s.crops for s in result.scores.values()):
        return "no parsed fields were shown: nothing to judge"
    if result.fine_tune_recommended:
        return (
            f"fine-tune recommended: exact accuracy after vocabulary matching is under "
            f"{FINE_TUNE_BELOW:.0%} for {', '.join(result.below_threshold)}"
        )
    return f"stock OCR suffices: every parsed field is at least {FINE_TUNE_BELOW:.0%} exact"


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def register(app: typer.Typer) -> None:
    """Add ``eval-ocr`` to ``app``."""
    app.command("eval-ocr")(eval_ocr_command)
