"""Coarse-to-fine on real files with awkward timing gives the dense run's events.

The real corpus has no Tarkov footage, and the everyday profiles compare consecutive frames
(scene cuts, MOG2, OCR on change, tracks), which a keyframe cannot vouch for; so a stand-in
pipeline runs here: the shipped YOLO model at 0.25 (it finds its classes, wrongly but steadily,
in any picture), 5 fps, one catch-all episode rule. The files are the corpus's awkward ones:
variable frame rate, a rotated stream, an MKV cut mid-GOP, a stream that starts late, MPEG-4
Part 2 with every frame a keyframe and with ordinary GOPs, two MOT / game clips. Events must be
equal: type, time, frame number; and some ticks must really have been repeated.
"""

from __future__ import annotations

from pathlib import Path

from framewise.config.pipeline import PipelineConfig
from framewise.events.log import read_event_log
from framewise.pipeline.runner import Pipeline
from framewise.profiles import profile_dir

FILES = (
    "pyscenedetect/goldeneye-vfr-drop3.mp4",
    "pyscenedetect/issue-134-rotate.mp4",
    "pyscenedetect/issue-236-split-copy.mkv",
    "pyscenedetect/delayed_start.mp4",
    "pyscenedetect/fades.mp4",
    "rapidvideocr/1.mp4",
    "masa-oa-mot15/TUD-Campus.mp4",
    "ekhanchin-tetris/gameplay.mp4",
)


def config(kind: str) -> PipelineConfig:
    """The stand-in pipeline read with strategy ``kind``."""
    model = profile_dir("tarkov") / "model" / "yolo11n_tarkov.onnx"
    detector = {"kind": "yolo_onnx", "model": str(model), "input_size": 320, "rect": True}
    return PipelineConfig.model_validate(
        {
            "name": "corpus",
            "source": {"detection_fps": 5},
            "detectors": [detector | {"confidence": 0.25, "intra_op_threads": 1}],
            "filters": [{"kind": "episode", "classes": [], "hold_seconds": 1.0}],
            "sinks": [{"kind": "json_log", "thumbnails": False}],
            "strategy": {"kind": kind},
        }
    )


def events(path: Path) -> list[tuple[str, float, int]]:
    """Type, video time and frame number of every event in a log."""
    return [(e.type, e.video_offset_seconds, e.frame_number) for e in read_event_log(path).events]


def test_awkward_real_files_give_the_dense_events(real_data: Path, tmp_path: Path) -> None:
    pipelines = {kind: Pipeline(config(kind)) for kind in ("dense", "coarse-to-fine")}
    repeated = 0
    try:
        for name in FILES:
            video = real_data / name
            logs = {}
            for kind, pipeline in pipelines.items():
                run = pipeline.process_video(video, tmp_path / kind / name.replace("/", "_"))
                logs[kind] = events(run.log_path)
            assert logs["coarse-to-fine"] == logs["dense"], name
            figures = pipelines["coarse-to-fine"].strategy_figures.get("strategy", {})
            repeated += int(figures.get("repeated_ticks", 0))
    finally:
        for pipeline in pipelines.values():
            pipeline.close()
    assert sum(1 for _ in tmp_path.glob("*/*/events.json")) == 2 * len(FILES)
    assert repeated > 50  # some spans really were skipped
