"""``framewise train yolo`` and ``framewise eval``."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Annotated

import typer

from framewise.core.errors import InputNotFoundError
from framewise.events.evaluate import EvalReport, evaluate, read_events
from framewise.training.yolo import ARCHITECTURE, TrainSettings

train_app = typer.Typer(
    help="Train models (needs `make train-deps`: Ultralytics + torch).", no_args_is_help=True
)


@train_app.command("yolo")
def train_yolo_command(
    data: Annotated[Path, typer.Option("--data", help="The dataset's data.yaml (YOLO format).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Run folder.")] = Path("runs/yolo"),
    start: Annotated[
        str,
        typer.Option(
            "--from", help="Continue from this .pt (default: YOLO11n from its YAML, no weights)."
        ),
    ] = ARCHITECTURE,
    epochs: Annotated[int, typer.Option("--epochs", min=1)] = 30,
    imgsz: Annotated[
        int, typer.Option("--imgsz", min=32, help="Square size, multiple of 32.")
    ] = 320,
    batch: Annotated[int, typer.Option("--batch", min=1)] = 16,
    device: Annotated[
        str,
        typer.Option(
            "--device", help="cpu, or a GPU index such as 0 (Ultralytics' device string)."
        ),
    ] = "cpu",
    workers: Annotated[int, typer.Option("--workers", min=0)] = 2,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    finish: Annotated[
        bool,
        typer.Option(
            "--finish",
            help="Do not train: export, validate and write the card from the run's "
            "best weights so far (a run stopped early keeps best.pt after every epoch).",
        ),
    ] = False,
) -> None:
    """Train a YOLO detector, export it to ONNX, check the export, write its model card."""
    from framewise.training.yolo import finish_run, train_yolo

    settings = TrainSettings(data, out, start, epochs, imgsz, batch, device, workers, seed)
    if finish:
        best = out / "ultralytics" / "weights" / "best.pt"
        if not best.is_file():
            raise InputNotFoundError(
                "no best.pt in this run",
                subject=best,
                hint="run `framewise train yolo` without --finish first",
            )
        args = json.loads((out / "args.json").read_text()) if (out / "args.json").is_file() else {}
        result = finish_run(settings, best, _trained_seconds(out), str(args.get("command", "")))
    else:
        result = train_yolo(settings)
    m = result.metrics
    typer.echo(
        f"mAP50 {m['mAP50']:.3f}, mAP50-95 {m['mAP50-95']:.3f}, precision "
        f"{m['precision']:.3f}, recall {m['recall']:.3f} in "
        f"{result.train_seconds / 60:.1f} min"
    )
    parity = result.parity
    typer.echo(
        f"ONNX vs PyTorch: {parity.matched}/{parity.reference_boxes} boxes matched, "
        f"{parity.extra_boxes} extra, max Δconf {parity.max_confidence_delta:.4f} → "
        f"{'same detections' if parity.ok else 'DIFFERENT'}"
    )
    typer.echo(f"model: {result.onnx}\ncard:  {result.run_dir / 'MODEL_CARD.md'}")


def _trained_seconds(out: Path) -> float:
    """Training time so far, from the ``time`` column of Ultralytics' results.csv."""
    results = out / "ultralytics" / "results.csv"
    if not results.is_file():
        return 0.0
    rows = list(csv.DictReader(results.read_text().splitlines()))
    try:
        return float(rows[-1].get("time") or 0.0) if rows else 0.0
    except ValueError:
        return 0.0


def _print(report: EvalReport) -> None:
    overall = report.overall()
    typer.echo(
        f"{'type':<18} {'truth':>6} {'found':>6} {'match':>6} {'recall':>7} {'precision':>9}"
    )
    for kind, score in sorted(report.types.items()):
        typer.echo(
            f"{kind:<18} {score.truth:>6} {score.detected:>6} {score.matched:>6} "
            f"{score.recall:>7.3f} {score.precision:>9.3f}"
        )
    typer.echo(
        f"{'all':<18} {overall.truth:>6} {overall.detected:>6} {overall.matched:>6} "
        f"{overall.recall:>7.3f} {overall.precision:>9.3f}"
    )
    times = report.time_error()
    typer.echo(
        f"time error (s): median {times['median']:.3f}, p95 {times['p95']:.3f}, "
        f"max {times['max']:.3f} (tolerance {report.tolerance} s)"
    )
    for name, got in sorted(report.fields.items()):
        typer.echo(
            f"field {name:<17} {got.correct:>4}/{got.compared:<4} accuracy {got.accuracy:.3f}"
        )


def eval_command(
    events: Annotated[Path, typer.Argument(help="The event log to score.")],
    truth: Annotated[Path, typer.Argument(help="Ground truth (e.g. from framewise synth).")],
    tolerance: Annotated[
        float,
        typer.Option("--tolerance", min=0.0, help="Largest time difference for a match, seconds."),
    ] = 2.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Match events to ground truth: recall, precision, time error, field accuracy."""
    report = evaluate(read_events(events), read_events(truth), tolerance=tolerance)
    if as_json:
        typer.echo(json.dumps(report.as_dict(), indent=2, default=str))
    else:
        _print(report)


def register(app: typer.Typer) -> None:
    """Add ``train`` (with ``yolo``) and ``eval`` to ``app``."""
    app.add_typer(train_app, name="train")
    app.command("eval")(eval_command)
