r"""W1 commands: ``synth-stereo``, ``calibrate``, ``record``, ``verify-session``, ``eval-record``.

Example:
    framewise synth-stereo --out rig --seed 7
    framewise calibrate --camera left=rig/calibration_left.mp4 \\
        --camera right=rig/calibration_right.mp4 --baseline-m 0.8 --out rig/calibration
    framewise record --camera left=rig/left.mp4 --camera right=rig/right.mp4 \\
        --config rig/rec.yaml
    framewise verify-session rig/recordings/session-2026-12-05_001
    framewise eval-record rig/recordings/session-2026-12-05_001 --truth rig/truth.json
    framewise export-session rig/recordings/session-* --out balls --format yolo
    framewise export rig/recordings/session-* --out balls      # the same, by `export`
"""

from __future__ import annotations

import json
import re
from fractions import Fraction
from pathlib import Path
from typing import Annotated

import typer

from framewise.cli.options import parse_size
from framewise.core.errors import ConfigError, InputError

_BOARD = re.compile(r"^(\d+)x(\d+)$")


def _cameras(values: list[str]) -> list[tuple[str, str]]:
    """``NAME=FILE_OR_URL`` pairs, names unique, in the order given."""
    out: list[tuple[str, str]] = []
    for value in values:
        name, sep, location = value.partition("=")
        if not sep or not re.fullmatch(r"[A-Za-z0-9_-]{1,32}", name) or not location:
            raise ConfigError(
                f"--camera {value!r} is not NAME=FILE_OR_URL",
                subject="--camera",
                hint="e.g. --camera left=left.mp4 --camera right=rtsp://10.0.0.2/stream",
            )
        if name in (n for n, _ in out):
            raise ConfigError(f"camera {name!r} is named twice", subject="--camera")
        out.append((name, location))
    return out


def synth_stereo_command(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write into.")] = Path("rig"),
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same rig and pitches.")] = 0,
    pitches: Annotated[int, typer.Option("--pitches", help="Episodes (pitches).")] = 3,
    fps: Annotated[float, typer.Option("--fps", help="Frame rate of both cameras.")] = 60.0,
    size: Annotated[str, typer.Option("--size", help="WIDTHxHEIGHT.")] = "1280x720",
    baseline_m: Annotated[float, typer.Option("--baseline-m", help="Camera spacing.")] = 0.8,
    poses: Annotated[int, typer.Option("--poses", help="Checkerboard poses.")] = 16,
    charuco: Annotated[
        bool, typer.Option("--charuco", help="Film a ChArUco board instead (markers 0.06 m).")
    ] = False,
) -> None:
    """Render a synthetic stereo rig: two lane videos, a checkerboard sequence, truth.json."""
    from framewise.cli.progress import frame_progress
    from framewise.synth.stereo_render import StereoSettings, render_stereo

    dimensions = parse_size(size) or (1280, 720)
    settings = StereoSettings(
        seed=seed, pitches=pitches, fps=fps, width=dimensions[0], height=dimensions[1],
        baseline_m=baseline_m, calibration_poses=poses, charuco=charuco,
    )  # fmt: skip
    settings.check()
    with frame_progress("rendering the rig", None) as advance:
        truth = render_stereo(out, settings, lambda done, _total: advance(done))
    episodes = truth["episodes"]
    assert isinstance(episodes, list)
    typer.echo(
        f"wrote {out}: left.mp4, right.mp4 ({truth['frame_count']} frames at {fps:g} fps, "
        f"{len(episodes)} pitches), calibration_left/right.mp4, truth.json, rec.yaml"
    )


def calibrate_command(
    camera: Annotated[
        list[str], typer.Option("--camera", help="NAME=VIDEO of the board, left camera first.")
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="calibration/ folder to write.")],
    board: Annotated[str, typer.Option("--board", help="Inner corners, COLUMNSxROWS.")] = "9x6",
    square_m: Annotated[float, typer.Option("--square-m", help="Square side (metres).")] = 0.08,
    baseline_m: Annotated[
        float | None, typer.Option("--baseline-m", help="Measured baseline to check against.")
    ] = None,
    max_error_pct: Annotated[
        float, typer.Option("--max-baseline-error-pct", help="Refuse a worse calibration.")
    ] = 2.0,
    fit_k3: Annotated[bool, typer.Option("--fit-k3", help="Also fit k3 (wide lenses).")] = False,
    charuco: Annotated[
        bool, typer.Option("--charuco", help="A ChArUco board (--board counts inner corners).")
    ] = False,
    marker_m: Annotated[
        float, typer.Option("--marker-m", help="ChArUco marker side (metres).")
    ] = 0.06,
    dictionary: Annotated[
        str, typer.Option("--dictionary", help="ChArUco markers' ArUco dictionary.")
    ] = "DICT_4X4_50",
    step: Annotated[int, typer.Option("--step", help="Use every Nth frame pair.")] = 1,
) -> None:
    """Calibrate a camera pair from a checkerboard recording (intrinsics, distortion, pose)."""
    from framewise.record.calibration import Board, calibrate, write_calibration

    pairs = _cameras(camera)
    if len(pairs) != 2:
        raise ConfigError("calibrate takes exactly two --camera", subject="--camera")
    match = _BOARD.match(board)
    if not match or min(int(match[1]), int(match[2])) < 2:
        raise ConfigError(f"--board {board!r} is not COLUMNSxROWS", hint="e.g. --board 9x6")
    if not 0 < square_m < 10 or step < 1:
        raise ConfigError("--square-m must be 0-10 metres and --step at least 1")
    result = calibrate(
        Path(pairs[0][1]), Path(pairs[1][1]),
        Board(int(match[1]), int(match[2]), square_m, charuco, marker_m, dictionary),
        names=(pairs[0][0], pairs[1][0]), measured_baseline_m=baseline_m, fit_k3=fit_k3, step=step,
    )  # fmt: skip
    typer.echo(
        f"{result.views} views: RMS reprojection {result.left.name} {result.left.rms_px:.3f} px, "
        f"{result.right.name} {result.right.rms_px:.3f} px, stereo {result.rms_px:.3f} px; "
        f"baseline {result.baseline_m:.4f} m, convergence {result.convergence_angle_deg:.2f}°"
    )
    error = result.baseline_error_pct
    if error is not None:
        typer.echo(f"baseline vs measured {baseline_m:g} m: {error:.2f} % off")
        if error > max_error_pct:
            raise InputError(
                f"calibrated baseline {result.baseline_m:.4f} m is {error:.2f} % off the "
                f"measured {baseline_m:g} m (limit {max_error_pct:g} %); nothing written",
                subject=pairs[0][1],
                hint="re-film the board closer and at more angles, or re-measure the baseline",
            )
    for path in write_calibration(out, result):
        typer.echo(f"wrote {path}")


def record_command(
    camera: Annotated[
        list[str], typer.Option("--camera", help="NAME=FILE_OR_URL, reference camera first.")
    ],
    config: Annotated[Path | None, typer.Option("--config", "-c", help="rec.yaml.")] = None,
    calibration: Annotated[
        Path | None, typer.Option("--calibration", help="calibration/ folder (else config's).")
    ] = None,
    session: Annotated[
        Path | None, typer.Option("--session", help="Session folder (default: a new one).")
    ] = None,
    fps: Annotated[
        float | None, typer.Option("--fps", help="Nominal rate of live cameras.")
    ] = None,
) -> None:
    """Record a multi-camera session: episodes with pre/post roll, detections, 3-D, manifests."""
    from framewise.config.loader import load_config
    from framewise.record.calibration import read_calibration
    from framewise.record.config import RecordConfig
    from framewise.record.pairing import Camera
    from framewise.record.session import Recorder
    from framewise.sources.base import VideoSource
    from framewise.sources.file import FileSource
    from framewise.sources.live import LiveSource

    settings = load_config(config, RecordConfig) if config else RecordConfig()
    pairs = _cameras(camera)
    if not pairs:
        raise ConfigError("no --camera given", hint="e.g. --camera left=left.mp4")
    if fps is not None and not 0 < fps <= 1000:
        raise ConfigError(f"--fps must be 0-1000, got {fps}", subject="--fps")
    folder = calibration or settings.calibration
    stereo = read_calibration(folder) if folder else None
    cameras = []
    for name, location in pairs:
        source: VideoSource
        if Path(location).is_file():
            source = FileSource(location)
        elif "://" in location or location.isdigit() or location.startswith("/dev/"):
            target: str | int = int(location) if location.isdigit() else location
            source = LiveSource(target, reconnect=False, read_timeout_s=2.0, open_timeout_s=5.0)
        else:
            raise InputError(
                "no such file, and not a stream URL or device",
                subject=location,
                hint=f"give --camera {name}=a video file, rtsp://…, http://… or /dev/videoN",
            )
        offset = settings.camera(name).time_offset_ms / 1000
        cameras.append(Camera(name, source, offset))
    rate = Fraction(fps).limit_denominator(1001) if fps else None
    recorder = Recorder(settings, cameras, stereo, folder=session, rate=rate)
    report = recorder.run()
    for lost in report.lost:
        if lost.reason != "the stream ended":
            typer.echo(f"camera {lost.camera} lost at {lost.at:.3f} s: {lost.reason}", err=True)
    p95 = report.latency_p95_ms()
    typer.echo(
        f"session {report.folder}: {len(report.episodes)} episodes, {report.frame_sets} frame "
        f"sets, {report.observations} stereo observations in {report.elapsed_s:.1f} s"
        + (f", capture → 3-D p95 {p95:.1f} ms" if p95 is not None else "")
    )
    for episode in report.episodes:
        typer.echo(f"  {episode.name}")
    if report.interrupted:  # Ctrl+C: everything is written; exit as interrupted commands do
        raise typer.Exit(130)


def verify_session_command(
    folder: Annotated[Path, typer.Argument(help="A session folder `framewise record` wrote.")],
) -> None:
    """Check a recorded session: episodes, videos, detections, observations, frames, calibration."""
    from framewise.record.verify import verify_session

    check = verify_session(folder)
    for ok, line in check.lines:
        typer.echo(f"{'✓' if ok else '✗'} {line}")
    if not check.ok:
        failures = check.failures
        raise InputError(
            f"{len(failures)} check(s) failed: {failures[0]}",
            subject=folder,
            hint="re-record the session, or see the ✗ lines above",
        )
    typer.echo(f"session OK: {check.episodes} episodes")


def eval_record_command(
    session: Annotated[Path, typer.Argument(help="A recorded session folder.")],
    truth: Annotated[Path, typer.Option("--truth", help="truth.json of the synthetic rig.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """Score a session against a synthetic rig: 3-D RMSE, detection recall, episode timing."""
    from framewise.record.evaluate import evaluate

    score = evaluate(session, truth).as_dict()
    if as_json:
        typer.echo(json.dumps(score, indent=2))
        return
    rmse, median, p95 = (score[k] for k in ("rmse_3d_m", "median_error_3d_m", "p95_error_3d_m"))
    typer.echo(
        f"3-D RMSE {rmse * 100:.1f} cm over {score['observations']} observations "
        f"(median {median * 100:.1f} cm, p95 {p95 * 100:.1f} cm)"
        if rmse is not None
        else "3-D RMSE: no observations to score"
    )
    recall = ", ".join(f"{k} {v:.1%}" for k, v in score["detection_recall"].items())
    typer.echo(f"detection recall: {recall}")
    typer.echo(
        f"pitches recorded {score['pitches_recorded']}/{score['pitches']} "
        f"({score['episodes']} episodes); timing error |start| "
        f"{score['start_error_ms_mean_abs'] or 0:.1f} ms, "
        f"|end| {score['end_error_ms_mean_abs'] or 0:.1f} ms"
    )


def export_session_command(
    sessions: Annotated[list[Path], typer.Argument(help="Recorded session folders.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Dataset folder or .parquet file.")],
    format_: Annotated[
        str, typer.Option("--format", help="yolo (key frames + ball boxes) or parquet (3-D).")
    ] = "yolo",
    val_every: Annotated[
        int, typer.Option("--val-every", help="Every Nth episode goes to val (yolo).")
    ] = 5,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace a dataset already in --out.")
    ] = False,
) -> None:
    """Export sessions: key frames with ball boxes as a YOLO dataset, or trajectories as Parquet."""
    typer.echo(export_sessions(sessions, out, format_, val_every, overwrite))


SESSION_FORMATS = ("yolo", "parquet")
"""What a recorded session exports to (``export-session``, and ``export`` given sessions)."""


def is_session(path: Path) -> bool:
    """Whether ``path`` is a folder ``framewise record`` wrote (it holds ``session.json``)."""
    return (path / "session.json").is_file()


def export_sessions(
    sessions: list[Path], out: Path, format_: str, val_every: int, overwrite: bool
) -> str:
    """Export recorded sessions as ``format_`` (yolo or parquet); return the summary line.

    Raises:
        ConfigError: ``format_`` is neither, or the dataset's settings are refused.
        InputError: A folder is not a session, or the sessions hold no episode.
    """
    from framewise.record.export import export_trajectories, export_yolo

    if format_ == "yolo":
        report = export_yolo(sessions, out, val_every=val_every, overwrite=overwrite)
        return (
            f"{report.episodes} episodes: train {report.images['train']} images "
            f"({report.boxes['train']} boxes), val {report.images['val']} images "
            f"({report.boxes['val']} boxes); data: {out / 'data.yaml'}"
        )
    if format_ == "parquet":
        report = export_trajectories(sessions, out)
        return f"{report.rows} observations of {report.episodes} episodes → {out}"
    raise ConfigError(
        f"unknown --format {format_!r} for recorded sessions",
        hint=f"use one of {', '.join(SESSION_FORMATS)}",
    )


def register(app: typer.Typer) -> None:
    """Add the W1 commands to ``app``."""
    app.command("synth-stereo")(synth_stereo_command)
    app.command("calibrate")(calibrate_command)
    app.command("record")(record_command)
    app.command("verify-session")(verify_session_command)
    app.command("eval-record")(eval_record_command)
    app.command("export-session")(export_session_command)
