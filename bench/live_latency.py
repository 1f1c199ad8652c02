"""Live-mode latency: a 720p30 recording replayed at real time through ``framewise live``.

The clip (made once with the ``ffmpeg`` command, cached under ``.bench/``) cycles red 2 s,
black 1 s, green 2 s, black 1 s with film grain, so H.264 decoding costs what camera footage
costs; the colour ONNX model (``framewise.testing.models``) sees red and green, and a state
machine makes raids, kills and deaths of them: about five events per 6 s cycle. With
``--heavy [SIZE]`` a YOLO-shaped network (``detect_onnx.build_model``, ~2.9 GFLOPs at 640,
random weights) runs on every frame too, as a stand-in for YOLO11n's cost.

Measured in one process, per event: frame arrival (the replay releasing the frame that let
the event be decided) → broadcast (queued for every WebSocket client) on the server, and →
received by a WebSocket client (``websockets``) in this process. The baseline, measured in
the same run on the same frames read as a batch run reads them: the pipeline's per-frame step
alone (detect + temporal update; decoding not timed), the floor any live latency sits on.

With ``--profile tarkov`` the real workload runs instead: the profile's pipeline (YOLO11n at
320, OCR of the kill feed and screens, the state machine) on a rendered 720p30 game session
(``framewise synth``, cached under ``.bench/``).

Run: ``.venv/bin/python bench/live_latency.py [--seconds 60] [--fps 30] [--heavy [SIZE]]``
or ``.venv/bin/python bench/live_latency.py --profile tarkov [--seconds 60]``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from _timing import machine
from framewise.config.pipeline import load_pipeline
from framewise.live.metrics import percentile
from framewise.live.service import LiveService, ServiceOptions
from framewise.live.sources import parse_source
from framewise.pipeline.chain import build_chain
from framewise.pipeline.step import FrameStep
from framewise.sources.file import FileSource
from framewise.temporal.engine import EventEngine
from framewise.testing.models import COLOUR_STATE_MACHINE, colour_model

CACHE = Path(__file__).resolve().parent.parent / ".bench"
CYCLE = [("red", 2), ("black", 1), ("lime", 2), ("black", 1)]

MACHINE = COLOUR_STATE_MACHINE


def pipeline_yaml(fps: float, heavy: int | None, fast_decode: bool = False) -> str:
    detectors = "  - {kind: yolo_onnx, name: colour, model: colour.onnx, confidence: 0.5}\n"
    decode = ", decode: {skip_frame: NONREF, skip_loop_filter: ALL}" if fast_decode else ""
    if heavy:
        detectors += (
            "  - {kind: yolo_onnx, name: load, model: load.onnx, confidence: 0.25,"
            f" input_size: {heavy}}}\n"
        )
    return (
        f"name: live-bench\nsource: {{detection_fps: {fps}, batch_size: 1{decode}}}\n"
        f"detectors:\n{detectors}"
        "filters:\n  - {kind: episode, classes: [red, green], confirm: {hits: 3},"
        " hold_seconds: 0.5}\n"
        "state_machine: machine.yaml\n"
    )


def cached_clip(seconds: int) -> Path:
    """720p30 H.264 of coloured segments with grain, ``seconds`` long (whole cycles)."""
    cycles = max(1, round(seconds / 6))
    path = CACHE / f"live-colours-{cycles * 6}s-1280x720-30fps-grain-v1.mkv"
    if path.exists():
        return path
    CACHE.mkdir(exist_ok=True)
    segments = CYCLE * cycles
    inputs: list[str] = []
    for colour, length in segments:
        inputs += ["-f", "lavfi", "-i", f"color=c={colour}:s=1280x720:r=30:d={length}"]
    chain = "".join(f"[{i}:v]" for i in range(len(segments)))
    graph = f"{chain}concat=n={len(segments)}:v=1,noise=alls=14:allf=t+u[v]"
    encode = ["-c:v", "libx264", "-preset", "veryfast", "-g", "60", "-b:v", "4M"]
    out = ["-map", "[v]", "-pix_fmt", "yuv420p", str(path.with_suffix(".tmp.mkv"))]
    command = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *inputs]
    subprocess.run(
        [*command, "-filter_complex", graph, *encode, *out],
        check=True,
    )
    path.with_suffix(".tmp.mkv").rename(path)
    return path


def cached_session(seconds: int) -> Path:
    """A rendered 720p30 game session (``framewise synth``), ``seconds`` long."""
    from framewise.synth.render import RenderSettings, render_session

    path = CACHE / f"live-synth-{seconds}s-1280x720-30fps-seed21.mkv"
    if not path.exists():
        CACHE.mkdir(exist_ok=True)
        render_session(path, RenderSettings(seconds=seconds, seed=21, fps=30.0))
    return path


def step_baseline(config_path: Path, clip: Path) -> list[float]:
    """Seconds of the per-frame step alone on every sampled frame (decoding not timed)."""
    config = load_pipeline(config_path)
    chain = build_chain(config.detectors)
    try:
        step = FrameStep(chain, EventEngine.from_config(config))
        times = []
        for frame in FileSource(clip, sample_fps=config.source.detection_fps).read():
            began = time.perf_counter()
            next(step.run([frame]))
            times.append(time.perf_counter() - began)
        return times
    finally:
        chain.close()


def live_run(config_path: Path, clip: Path, speed: float) -> dict[str, Any]:
    """Replay ``clip`` through a live service; latencies per event, server and client side."""
    config = load_pipeline(config_path)
    spec = parse_source(str(clip), replay=True, speed=speed)
    received: list[float] = []
    with (
        LiveService(config, spec, ServiceOptions(port=0)) as service,
        connect(service.ws_url) as ws,
    ):

        def listen() -> None:
            while True:
                try:
                    ws.recv(timeout=None)
                except ConnectionClosed:  # the service stopped: the listener is done
                    return
                received.append(time.monotonic())

        listener = threading.Thread(target=listen, daemon=True)
        listener.start()
        service.start_pipeline()
        service.runner.join()
        time.sleep(0.5)  # let the last messages arrive
        stats = service.runner.source_stats()
        sent = [e for e in service.runner.events if e.message is not None]
        server = service.broadcaster.latency.values()
        frames = service.runner.frame_latency.values()
        processed = service.runner.frames
    listener.join(5)
    client = [
        got - event.arrival
        for got, event in zip(received, sent, strict=False)
        if event.arrival is not None
    ]
    return {
        "events": len(sent),
        "received": len(received),
        "frames": processed,
        "dropped": stats["dropped"],
        "server": server,
        "client": client,
        "frame": frames,
    }


def row(name: str, values: list[float]) -> dict[str, Any]:
    return {
        "what": name,
        "n": len(values),
        "p50_ms": round(percentile(values, 50) * 1000, 2),
        "p95_ms": round(percentile(values, 95) * 1000, 2),
        "max_ms": round(max(values) * 1000, 2) if values else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60, help="clip length (6 s cycles)")
    parser.add_argument("--fps", type=float, default=30.0, help="detection fps (30 = all)")
    parser.add_argument("--speed", type=float, default=1.0, help="replay speed")
    parser.add_argument(
        "--heavy",
        type=int,
        nargs="?",
        const=640,
        help="add a YOLO-shaped network at this input size (default 640)",
    )
    parser.add_argument(
        "--fast-decode",
        action="store_true",
        help="skip non-reference frames and the loop filter (for detection fps below 30)",
    )
    parser.add_argument(
        "--profile", help="run a bundled profile on a rendered session instead (e.g. tarkov)"
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()

    if args.profile:
        from framewise.profiles import profile_pipeline

        clip = cached_session(args.seconds)
        config_path = profile_pipeline(args.profile)
        baseline = step_baseline(config_path, clip)
        live = live_run(config_path, clip, args.speed)
        report(args, clip, baseline, live, f"profile {args.profile}")
        return
    clip = cached_clip(args.seconds)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        colour_model(root / "colour.onnx")
        if args.heavy:
            from detect_onnx import build_model

            build_model(root / "load.onnx")
        (root / "machine.yaml").write_text(MACHINE)
        (root / "pipeline.yaml").write_text(pipeline_yaml(args.fps, args.heavy, args.fast_decode))
        baseline = step_baseline(root / "pipeline.yaml", clip)
        live = live_run(root / "pipeline.yaml", clip, args.speed)
    models = f"colour{f' + YOLO-shaped {args.heavy}' if args.heavy else ''}"
    report(args, clip, baseline, live, models)


def report(
    args: argparse.Namespace,
    clip: Path,
    baseline: list[float],
    live: dict[str, Any],
    models: str,
) -> None:
    """Print the latency table (and write it as JSON with ``--json``)."""
    rows = [
        row("baseline: per-frame step alone (batch read)", baseline),
        row("frame arrival → processed (live)", live["frame"]),
        row("event: frame arrival → broadcast (server)", live["server"]),
        row("event: frame arrival → client received", live["client"]),
    ]
    fast = ", decode skips NONREF + loop filter" if args.fast_decode else ""
    fps = "the profile's" if args.profile else f"{args.fps:g}"
    print(f"clip {clip.name}, replay ×{args.speed:g}, detection {fps} fps{fast},")
    print(f"models: {models}")
    print(
        f"frames processed {live['frames']}, dropped {live['dropped']}, "
        f"events {live['events']}, received {live['received']}"
    )
    print(f"{'':<46} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'p95/base':>9}")
    base95 = rows[0]["p95_ms"]
    for item in rows:
        ratio = item["p95_ms"] / base95 if base95 else float("nan")
        print(
            f"{item['what']:<46} {item['n']:>5} {item['p50_ms']:>8} {item['p95_ms']:>8}"
            f" {item['max_ms']:>8} {ratio:>9.2f}"
        )
    target = rows[3]["p95_ms"]
    print(f"target p95 < 100 ms: {'met' if target < 100 else 'NOT met'} ({target} ms)")
    if args.json:
        args.json.write_text(
            json.dumps({"machine": machine(), "args": vars(args) | {"json": None}, "rows": rows})
        )


if __name__ == "__main__":
    main()
