"""``framewise demo``: the main job end to end on embedded defaults.

First the everyday profiles (scenes, motion, text, people) each on a bundled real clip, as a
table of what they found (``--profiles``: only that). Then render a short game-like session
(with its ground truth), process it with the Tarkov profile's shipped model, score the events
against the truth, import the log into a local event store (SQLite) and print its stats as
tables, then say where everything is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from framewise.cli.annotate_commands import annotate_demo
from framewise.cli.demo_profiles import profiles_demo
from framewise.cli.progress import frame_progress
from framewise.cli.stages_commands import stages_demo
from framewise.cli.stats_commands import print_report
from framewise.cli.task_demo import tasks_demo

DEMO_SEED = 11  # never used for training (the shipped model saw seeds 1-8 and 301-316)
DEMO_MINUTES = 3.0


def demo_command(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the demo's results.")] = Path(
        "demo-output"
    ),
    minutes: Annotated[
        float, typer.Option("--minutes", min=0.5, help="Length of the session.")
    ] = DEMO_MINUTES,
    profiles_only: Annotated[
        bool,
        typer.Option(
            "--profiles", help="Only the everyday profiles on bundled real clips (a table)."
        ),
    ] = False,
) -> None:
    """The everyday profiles on real clips; then a sample session processed, scored, stored."""
    profiles_demo(out / "profiles")  # any footage first: no game, no model of one's own
    if profiles_only:
        return
    from framewise.config.pipeline import load_pipeline
    from framewise.eval.events import evaluate, read_truth
    from framewise.events.log import read_event_log
    from framewise.importer.runner import Importer
    from framewise.pipeline.runner import Pipeline
    from framewise.profiles import DEFAULT_PROFILE, profile_pipeline
    from framewise.sources.probe import probe
    from framewise.store.local import BackgroundStore
    from framewise.store.settings import StoreSettings
    from framewise.store_api.client import StoreClient
    from framewise.store_api.stats import StatsFilters
    from framewise.store_api.stats_report import fetch_report
    from framewise.synth.groundtruth import groundtruth_path
    from framewise.synth.render import RenderSettings, render_session

    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    video = out / f"session_seed{DEMO_SEED}.mkv"
    truth = groundtruth_path(video)
    if not (video.exists() and truth.exists()):
        settings = RenderSettings(seconds=minutes * 60, seed=DEMO_SEED)
        with frame_progress("rendering a sample session", None) as advance:
            render_session(video, settings, lambda done, _total: advance(done))
    info = probe(video)
    typer.echo(
        f"sample: {video} ({info.duration_seconds:.0f} s, {info.width}x{info.height}, "
        f"{info.avg_fps:.0f} fps, session start {info.session_start.time:%Y-%m-%d %H:%M}Z)"
    )

    pipeline = Pipeline(load_pipeline(profile_pipeline(DEFAULT_PROFILE)))
    try:
        with frame_progress("processing (video s)", round(info.duration_seconds)) as advance:
            run = pipeline.process_video(
                video,
                out / "events" / video.stem,
                info=info,
                on_progress=lambda s: advance(round(s)),
                force=True,
            )
    finally:
        pipeline.close()
    speed = run.video_seconds / run.wall_seconds if run.wall_seconds else 0.0
    typer.echo(
        f"processed {run.frames} frames in {run.wall_seconds:.1f} s ({speed:.1f}× real "
        f"time): {run.events} events {dict(sorted(run.counts.items()))}"
    )

    report = evaluate(read_event_log(run.log_path).events, read_truth(truth))
    overall, times = report.overall(), report.time_error()
    typer.echo(
        f"against the ground truth: recall {overall.recall:.3f}, precision "
        f"{overall.precision:.3f}, time error p95 {times['p95']:.2f} s, fields "
        + ", ".join(f"{k} {v.accuracy:.2f}" for k, v in sorted(report.fields.items()))
    )

    store_settings = StoreSettings(data_dir=out / "store", port=0)
    with BackgroundStore(store_settings) as store, StoreClient(store.url) as client:
        summary = Importer(client, echo=lambda _line: None).run([run.log_path])
        typer.echo(summary.render())
        figures = fetch_report(client, StatsFilters())
    typer.echo("event store stats (`framewise stats` prints them again):")
    print_report(figures)
    typer.echo(
        f"\nevent log:  {run.log_path}\nthumbnails: {run.log_path.parent / 'thumbnails'}"
        f"\nstore:      {store_settings.data_dir} (SQLite; `framewise serve --data-dir "
        f"{store_settings.data_dir}` shows the dashboard)\nreview:     framewise review "
        f"{run.log_path} --video {video}"
    )
    stages_demo(out / "w4")  # workflow W4: every stage on a small real-vs-manipulated set
    annotate_demo(out / "w3")  # workflow W3: a real clip annotated with the shipped models
    tasks_demo(out / "w2")  # workflow W2: features → windows → model → live replay


def register(app: typer.Typer) -> None:
    """Add ``demo`` to ``app``."""
    app.command("demo")(demo_command)
