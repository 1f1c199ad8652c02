"""``framewise train yolo`` and ``framewise eval``."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Annotated

import typer

from framewise.cli.options import load_pipeline_option, with_model
from framewise.core.errors import ConfigError, InputNotFoundError
from framewise.datasets.spec import read_dataset_spec
from framewise.eval.events import TRUTH_FORMATS, EvalReport, evaluate, read_truth
from framewise.events.log import read_event_log
from framewise.profiles import DEFAULT_PROFILE, PROFILES, profile_weights
from framewise.training.augment import AUG_HELP, parse_augmentations
from framewise.training.versions import INDEX, next_version_dir, record_version
from framewise.training.yolo import ARCHITECTURE, TrainSettings

train_app = typer.Typer(
    help="Train models (needs `make train-deps`: Ultralytics + torch).", no_args_is_help=True
)


@train_app.command("yolo")
def train_yolo_command(
    data: Annotated[Path, typer.Option("--data", help="The dataset's data.yaml (YOLO format).")],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Run folder (default: runs/yolo).")
    ] = None,
    models: Annotated[
        Path | None,
        typer.Option(
            "--models",
            help="A models folder: the run becomes its next version (v1, v2, ...), recorded "
            "with its parent and metrics in versions.json beside the earlier ones.",
        ),
    ] = None,
    start: Annotated[
        str,
        typer.Option(
            "--from",
            help="Continue from this .pt, or from a profile's shipped model (e.g. tarkov); "
            "default: YOLO11n from its YAML, no weights.",
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
    warmup_epochs: Annotated[
        float | None,
        typer.Option(
            "--warmup-epochs",
            min=0.0,
            help="Learning-rate warm-up (default: 3; 0 for a --from fine-tune on < 320 images).",
        ),
    ] = None,
    aug: Annotated[list[str] | None, typer.Option("--aug", help=AUG_HELP)] = None,
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
    from framewise.training.yolo import YoloTrainer, finish_run

    if out is not None and models is not None and not finish:
        raise ConfigError("give --out or --models, not both", hint="--models picks the folder")
    if start in PROFILES:
        start = str(profile_weights(start))
    if out is None:
        out = _latest_version(models) if finish and models else None
        out = out or (next_version_dir(models) if models is not None else Path("runs/yolo"))
    augment = parse_augmentations(aug)
    settings = TrainSettings(
        data, out, start, epochs, imgsz, batch, device, workers, seed,
        warmup_epochs=warmup_epochs, augment=augment,
    )  # fmt: skip
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
        trainer = YoloTrainer(settings)
        trainer.fit(read_dataset_spec(data), out)
        result = trainer.fitted
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
    if models is not None:
        entry = record_version(
            result.run_dir, parent=start, data=data, command=result.command, metrics=m
        )
        typer.echo(f"version {entry.version} recorded in {models / INDEX}")


def _latest_version(models: Path) -> Path | None:
    """The newest version folder (what --finish completes)."""
    newest = next_version_dir(models)
    number = int(newest.name[1:]) - 1
    return models / f"v{number}" if number > 0 else None


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
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            help="EVENTS.json GROUNDTRUTH.json: the event log to score and its truth, "
            f"{TRUTH_FORMATS}."
        ),
    ] = None,
    models: Annotated[
        list[Path] | None,
        typer.Option(
            "--model",
            help="Run this ONNX model over the --session videos and score it; give two or "
            "more to compare them.",
        ),
    ] = None,
    sessions: Annotated[
        list[Path] | None,
        typer.Option(
            "--session",
            help="A held-back video with its ground truth beside it (NAME.groundtruth.json); "
            "every --model runs on every --session.",
        ),
    ] = None,
    profile: Annotated[
        str | None, typer.Option("--profile", help="The pipeline the models run in.")
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", help="A pipeline YAML (instead of --profile).")
    ] = None,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Where comparison runs are kept.")
    ] = Path("runs/compare"),
    tolerance: Annotated[
        float,
        typer.Option("--tolerance", min=0.0, help="Largest time difference for a match, seconds."),
    ] = 2.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Score an event log against ground truth, or compare models on the same sessions.

    Scores: per-type recall and precision, time error, field accuracy. With --model and
    --session, each model runs the same pipeline over the same held-back sessions and is scored
    pooled over them; with two or more, the command says which is better (F1 of recall and
    precision, then field accuracy).
    """
    if models:
        _compare(models, sessions or [], profile, config, out, tolerance, as_json)
        return
    if not files or len(files) != 2:
        raise ConfigError(
            "give EVENTS.json and GROUNDTRUTH.json, or --model A --model B --session VIDEO",
            hint="see `framewise eval --help`",
        )
    found = read_event_log(files[0]).events
    report = evaluate(found, read_truth(files[1]), tolerance=tolerance)
    if as_json:
        typer.echo(json.dumps(report.as_dict(), indent=2, default=str))
    else:
        _print(report)


def _compare(
    models: list[Path],
    sessions: list[Path],
    profile: str | None,
    config: Path | None,
    out: Path,
    tolerance: float,
    as_json: bool,
) -> None:
    from framewise.eval.compare import compare_models, verdict
    from framewise.synth.groundtruth import groundtruth_path

    if not sessions:
        raise ConfigError(
            "--model needs at least one --session to run on",
            hint="e.g. --model v1/model.onnx --model v2/model.onnx --session held_out.mkv",
        )
    pairs = []
    for video in sessions:
        truth = groundtruth_path(video)
        if not truth.is_file():
            raise InputNotFoundError(
                "no ground truth beside this session",
                subject=truth,
                hint="compare on sessions rendered by `framewise synth`",
            )
        pairs.append((video, truth))
    pipeline = load_pipeline_option(profile or (None if config else DEFAULT_PROFILE), config, None)
    scores = compare_models(
        pipeline,
        models,
        pairs,
        out,
        with_model=with_model,
        tolerance=tolerance,
        progress=lambda line: typer.echo(line, err=True),
    )
    if as_json:
        payload = {
            "models": [
                {
                    "model": str(s.model),
                    "label": s.label,
                    "f1": s.report.f1(),
                    "field_accuracy": s.field_accuracy(),
                    **s.report.as_dict(),
                }
                for s in scores
            ],
            "best": scores[0].label,
            "verdict": verdict(scores),
        }
        typer.echo(json.dumps(payload, indent=2, default=str))
        return
    if len(scores) == 1:
        _print(scores[0].report)
        return
    typer.echo(f"{'model':<16} {'recall':>7} {'precision':>9} {'F1':>6} {'fields':>7} {'p95 s':>6}")
    for score in scores:
        overall = score.report.overall()
        typer.echo(
            f"{score.label:<16} {overall.recall:>7.3f} {overall.precision:>9.3f} "
            f"{score.report.f1():>6.3f} {score.field_accuracy():>7.3f} "
            f"{score.report.time_error()['p95']:>6.2f}"
        )
    typer.echo(verdict(scores))


def register(app: typer.Typer) -> None:
    """Add ``train`` (with ``yolo``) and ``eval`` to ``app``."""
    app.add_typer(train_app, name="train")
    app.command("eval")(eval_command)
