"""``framewise features extract|dataset`` and ``framewise train task`` (workflow W2).

Wired into the main CLI with :func:`register` (``train task`` joins the ``train`` group).
Errors (:class:`~framewise.core.errors.FramewiseError`) propagate to the main CLI, which
prints one line and exits with the error's code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from framewise.cli.executor_options import (
    AddressOption,
    ExecutorOption,
    WorkersOption,
    open_executor,
    uses_executor,
)
from framewise.core.errors import ConfigError

features_app = typer.Typer(
    help="Per-frame task features (pose, hands, objects) and windowed datasets.",
    no_args_is_help=True,
)

DetectorName = Literal["pose", "hands", "yolo", "fusion"]


@features_app.command("extract")
def extract_command(
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="The Parquet file (a folder with --video-dir)."),
    ],
    video: Annotated[Path | None, typer.Option("--video", help="One video.")] = None,
    video_dir: Annotated[
        Path | None, typer.Option("--video-dir", help="Every video directly in this folder.")
    ] = None,
    labels: Annotated[
        Path | None,
        typer.Option(
            "--labels",
            help="CSV of frame_index,label or start,end,label (a folder of <video stem>.csv "
            "with --video-dir).",
        ),
    ] = None,
    detector: Annotated[
        DetectorName, typer.Option("--detector", help="pose, hands, yolo or fusion.")
    ] = "pose",
    model: Annotated[
        Path | None, typer.Option("--model", help="yolo_onnx model for yolo and fusion.")
    ] = None,
    sample_fps: Annotated[
        float, typer.Option("--sample-fps", min=0.001, max=1000, help="Frames per second kept.")
    ] = 10.0,
    sample_rate: Annotated[
        int | None, typer.Option("--sample-rate", min=1, help="Keep every Nth frame instead.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Extract again over a table.")] = False,
    executor: ExecutorOption = "local",
    address: AddressOption = None,
    workers: WorkersOption = None,
) -> None:
    """Extract per-frame features into one Parquet per video."""
    from framewise.datasets.task_extract import (
        ExtractSettings,
        extract_folder,
        extract_video,
        failed,
    )
    from framewise.datasets.task_labels import TaskLabels

    if (video is None) == (video_dir is None):
        raise ConfigError(
            "give --video or --video-dir (one of them)", subject="--video", hint="see --help"
        )
    settings = ExtractSettings(detector, sample_fps, sample_rate, model)
    if uses_executor(executor, workers, address):
        from framewise.cli.extract_jobs import extract_jobs, extract_on_executor

        jobs = extract_jobs(video, video_dir, output, labels, settings, force=force)
        results = extract_on_executor(open_executor(executor, workers, address), jobs)
    elif video is not None:
        label_set = TaskLabels.read(labels) if labels is not None else None
        result = extract_video(video, output, settings, label_set, force=force)
        results = [result]
    else:
        assert video_dir is not None
        results = extract_folder(video_dir, output, settings, labels, force=force)
    for r in results:
        if r.error is not None:
            typer.echo(f"{r.video.name}: failed: {r.error}", err=True)
        elif r.skipped:
            typer.echo(f"{r.video.name}: kept {r.output} (same settings)")
        else:
            typer.echo(
                f"{r.video.name}: {r.frames} frames ({r.with_person} with a person, "
                f"{r.labelled} labelled) → {r.output}"
            )
    if failed(results):
        raise typer.Exit(3)


@features_app.command("dataset", context_settings={"allow_extra_args": True})
def dataset_command(
    ctx: typer.Context,
    features: Annotated[
        list[Path],
        typer.Option(
            "--features", help="Feature tables: --features A.parquet B.parquet (or repeated)."
        ),
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="The dataset folder.")],
    window_sec: Annotated[float, typer.Option("--window-sec", help="Window length, s.")] = 2.0,
    step_sec: Annotated[float, typer.Option("--step-sec", help="Between window starts, s.")] = 0.5,
    balance: Annotated[
        Literal["none", "downsample", "upsample"],
        typer.Option("--balance", help="Balance the training split's classes."),
    ] = "none",
    train_ratio: Annotated[float, typer.Option("--train-ratio")] = 0.7,
    val_ratio: Annotated[float, typer.Option("--val-ratio")] = 0.15,
    test_ratio: Annotated[float, typer.Option("--test-ratio")] = 0.15,
    purity: Annotated[
        float, typer.Option("--purity", help="Share of a window its label must cover.")
    ] = 0.8,
    keep_mixed: Annotated[
        bool, typer.Option("--keep-mixed", help="Keep windows below --purity.")
    ] = False,
    group_sec: Annotated[
        float | None,
        typer.Option("--group-sec", help="Split videos into groups of this many seconds."),
    ] = None,
    folds: Annotated[
        int, typer.Option("--folds", min=0, help="StratifiedGroupKFold folds (0: none).")
    ] = 0,
    seed: Annotated[int, typer.Option("--seed")] = 0,
) -> None:
    """Cut feature tables into labelled time windows with grouped splits."""
    from framewise.datasets.windows import WindowSpec, build_dataset

    # Click options take one value each; the seed's `--features A B` leaves B over.
    features = [*features, *(Path(arg) for arg in ctx.args)]

    spec = WindowSpec(
        window_sec=window_sec,
        step_sec=step_sec,
        purity=purity,
        keep_mixed=keep_mixed,
        balance=balance,
        train_ratio=train_ratio,
        val_ratio=val_ratio,
        test_ratio=test_ratio,
        group_sec=group_sec,
        folds=folds,
        seed=seed,
    )
    meta = build_dataset(features, output, spec)
    counts = meta["counts"]
    for split, by_class in counts["by_split"].items():
        shown = ", ".join(f"{k} {v}" for k, v in by_class.items())
        typer.echo(f"{split}: {sum(by_class.values())} windows ({shown}); {meta['splits'][split]}")
    typer.echo(
        f"{counts['candidates']} candidate windows: {counts['mixed']} mixed "
        f"({counts['mixed_kept']} kept), {counts['unlabelled']} unlabelled, "
        f"{counts['cross_group']} across groups → {output}"
    )


def train_task_command(
    dataset: Annotated[Path, typer.Option("--dataset", help="A `features dataset` folder.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The run folder.")],
    model: Annotated[
        Literal["rf", "lightgbm", "lstm"], typer.Option("--model", help="rf, lightgbm or lstm.")
    ] = "rf",
    agg: Annotated[
        Literal["stats", "flatten"], typer.Option("--agg", help="Window aggregation (trees).")
    ] = "stats",
    n_estimators: Annotated[int, typer.Option("--n-estimators", min=1)] = 200,
    max_depth: Annotated[int | None, typer.Option("--max-depth", min=1)] = None,
    learning_rate: Annotated[float, typer.Option("--learning-rate", min=1e-6)] = 0.05,
    epochs: Annotated[int, typer.Option("--epochs", min=1, help="LSTM epochs at most.")] = 60,
    ablation: Annotated[
        bool,
        typer.Option("--ablation", help="Also train pose-only and objects-only; compare."),
    ] = False,
    seed: Annotated[int, typer.Option("--seed")] = 0,
) -> None:
    """Train a task classifier on a windowed dataset; the model is exported to ONNX."""
    from framewise.training.task_run import train_task

    settings_args = {
        "model": model,
        "agg": agg,
        "n_estimators": n_estimators,
        "max_depth": max_depth,
        "learning_rate": learning_rate,
        "epochs": epochs,
        "seed": seed,
    }
    for line in train_task(dataset, output, settings_args, ablation=ablation):
        typer.echo(line)


def register(app: typer.Typer) -> None:
    """Add ``features`` to ``app`` and ``task`` to its ``train`` group."""
    from framewise.cli.train_commands import train_app

    app.add_typer(features_app, name="features")
    train_app.command("task")(train_task_command)


@features_app.command("predict")
def predict_command(
    video: Annotated[Path, typer.Option("--video", help="The video.")],
    model: Annotated[Path, typer.Option("--model", help="A `train task` run folder.")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write task_segment events (JSON).")
    ] = None,
    detector: Annotated[
        DetectorName, typer.Option("--detector", help="As the model's features were made.")
    ] = "pose",
    object_model: Annotated[
        Path | None, typer.Option("--object-model", help="yolo_onnx model (yolo, fusion).")
    ] = None,
    sample_fps: Annotated[float, typer.Option("--sample-fps", min=0.001, max=1000)] = 10.0,
    smoothing: Annotated[
        Literal["ema", "median"], typer.Option("--smoothing", help="ema or median.")
    ] = "ema",
    hold: Annotated[
        int, typer.Option("--hold", min=1, help="Predictions a new label must lead.")
    ] = 2,
    replay: Annotated[
        bool, typer.Option("--replay", help="Read the file paced like a live camera.")
    ] = False,
) -> None:
    """Predict the task second by second; print smoothed predictions and segments."""
    from framewise.datasets.task_extract import ExtractSettings
    from framewise.datasets.task_predict import predict_video, write_segments
    from framewise.features.task_live import TaskPrediction

    def show(p: TaskPrediction) -> None:
        typer.echo(f"{p.seconds:8.2f} s  {p.label:<12} {p.confidence:.2f}  (window: {p.raw_label})")

    settings = ExtractSettings(detector, sample_fps, None, object_model)
    run = predict_video(
        video, model, settings, smoothing=smoothing, hold=hold, replay=replay, on_prediction=show
    )
    for s in run.segments:
        typer.echo(f"task_segment {s.label}: {s.start:.2f}–{s.end:.2f} s (mean {s.confidence:.2f})")
    if output is not None:
        typer.echo(f"wrote {write_segments(output, run, video)}")
