"""``make demo``'s W2 part: the task-classification loop on a bundled real video.

Extract pose features from the real video of people working at a table (labelled by time
spans in ``docs/task-labels``), cut them into windows with grouped splits, train a random
forest exported to ONNX, then replay the video paced like a live camera (sped up) and print
the smoothed predictions as they come, and where each artefact is.
"""

from __future__ import annotations

from pathlib import Path

import typer

REAL = Path(__file__).resolve().parents[4] / "shared" / "data" / "real"
VIDEO = "intel-sample-videos/one-by-one-person-detection.mp4"
LABELS = Path(__file__).resolve().parents[3] / "docs" / "task-labels"
REPLAY_SPEED = 8.0  # 139 s of footage replayed in about 17 s


def tasks_demo(out: Path, real: Path = REAL) -> None:
    """Extract → dataset → train → live replay; prints each artefact's place."""
    import importlib.util

    if not (real / VIDEO).is_file():
        typer.echo(f"W2 tasks: skipped, no real video at {real / VIDEO}")
        return
    if importlib.util.find_spec("mediapipe") is None or importlib.util.find_spec("sklearn") is None:
        typer.echo("W2 tasks: skipped, needs the pose and task extras (`make install`)")
        return
    from framewise.datasets.spec import read_dataset_spec
    from framewise.datasets.task_extract import ExtractSettings, extract_video
    from framewise.datasets.task_labels import TaskLabels
    from framewise.datasets.task_predict import predict_video, write_segments
    from framewise.datasets.windows import WindowSpec, build_dataset
    from framewise.features.task_live import TaskPrediction
    from framewise.training.tabular import TabularTrainer, TaskTrainSettings

    video = real / VIDEO
    table = out / "features" / f"{video.stem}.parquet"
    settings = ExtractSettings(detector="pose", sample_fps=2.0)
    labels = TaskLabels.read(LABELS / f"{video.stem}.csv")
    typer.echo(f"\nW2 tasks: extracting pose features from {video.name} …")
    extracted = extract_video(video, table, settings, labels, force=True)
    typer.echo(f"{extracted.frames} frames, {extracted.with_person} with a person → {table}")
    spec = WindowSpec(window_sec=2.0, step_sec=0.5, group_sec=20.0, balance="upsample")
    meta = build_dataset([table], out / "dataset", spec)
    typer.echo(f"windows by split: {meta['counts']['by_split']} → {out / 'dataset'}")
    trainer = TabularTrainer(TaskTrainSettings(model="rf", n_estimators=200))
    result = trainer.fit(read_dataset_spec(out / "dataset"), out / "model")
    typer.echo(
        f"random forest: val F1 macro {result.metrics.values['f1_macro']:.3f} → {result.model}"
    )

    shown: list[str] = []

    def show(p: TaskPrediction) -> None:
        if not shown or shown[-1] != p.label:
            typer.echo(f"  {p.seconds:7.1f} s  {p.label:<8} ({p.confidence:.2f})")
            shown.append(p.label)

    typer.echo(f"live replay at {REPLAY_SPEED:g}× (label changes as they are decided):")
    run = predict_video(
        video, out / "model", settings, replay=True, speed=REPLAY_SPEED, on_prediction=show
    )
    events = write_segments(out / "task_segments.json", run, video)
    typer.echo(
        f"\nfeatures:  {table}\ndataset:   {out / 'dataset'}\nmodel:     {result.model} "
        f"(metrics.json, confusion_test.png beside it)\nsegments:  {events} "
        f"({len(run.segments)} task_segment events)"
    )
