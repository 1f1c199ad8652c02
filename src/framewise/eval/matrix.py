"""The evaluation matrix: held-back sessions × degradations, scored per variant.

Each cell renders one seed's session in one variant (a drawn size and rate plus a
``--degrade`` string), runs the pipeline over it and scores the log against the session's
ground truth; cells are pooled per variant into recall, precision, time error p95 and field
accuracy, which are checked against :data:`TARGETS`. Renders and runs are kept under the
output folder; a second call renders nothing again but runs every cell afresh (the
pipeline or the model may have changed).

Eval never imports the renderer: the caller passes ``render`` (the CLI passes
:func:`framewise.synth.render.render_session` wrapped).

Example:
    >>> [v.name for v in parse_variants("clean,grain720")]
    ['clean', 'grain720']
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from framewise.config.pipeline import PipelineConfig
from framewise.core.atomic import write_text
from framewise.core.errors import ConfigError
from framewise.eval.events import EvalReport, evaluate, read_events, read_truth
from framewise.pipeline.runner import Pipeline


@dataclass(frozen=True)
class Variant:
    """One column of the matrix: how its sessions are drawn and degraded.

    Attributes:
        name: Short name (``grain720``).
        degrade: The ``framewise synth --degrade`` text.
        size: The size the game is drawn at (``WIDTHxHEIGHT``).
        fps: Frame rate of the render.
        vfr: Variable frame rate.
    """

    name: str
    degrade: str
    size: str = "1280x720"
    fps: float = 30.0
    vfr: bool = False

    def synth_flags(self) -> str:
        """The ``framewise synth`` flags that render this variant (for the README)."""
        flags = f"--size {self.size} --fps {self.fps:g}" + (" --vfr" if self.vfr else "")
        return flags + ("" if self.degrade == "clean" else f" --degrade {self.degrade}")


_WORST = "grain,downscale=720,bitrate=1M,blur,gamma,colour,overlay=webcam,overlay=chat,ui-scale=0.9"
VARIANTS: Mapping[str, Variant] = MappingProxyType(
    {
        v.name: v
        for v in (
            Variant("clean", "clean"),
            Variant("hd60", "clean", "1920x1080", 60.0),
            Variant("vfr", "clean", vfr=True),
            Variant("bitrate1M", "bitrate=1M"),
            Variant("grain720", "grain,downscale=720,bitrate=2M", "1920x1080"),
            Variant("sd480", "downscale=480,bitrate=1M"),
            Variant("blur", "blur"),
            Variant("colour", "gamma,colour"),
            Variant("overlays", "overlay=webcam,overlay=chat"),
            Variant("ui90", "ui-scale=0.9"),
            Variant("ui115", "ui-scale=1.15"),
            Variant("worst", _WORST, "1920x1080"),
        )
    }
)
"""Registry: variant name → how it is rendered."""

DEFAULT_VARIANTS = "clean,bitrate1M,grain720,sd480,blur,colour,overlays,ui90,worst"
"""What ``framewise eval-matrix`` runs without ``--variants``."""

TARGETS: Mapping[str, float] = MappingProxyType(
    {"recall": 0.98, "precision": 0.99, "time_p95": 0.2, "field_accuracy": 0.97}
)
"""Issue 15's targets for every variant (recall, precision, field accuracy: at least;
time error p95: at most, seconds)."""

Render = Callable[[Path, Variant, int, float], None]
"""Renders ``(video path, variant, seed, seconds)`` with its ground truth beside it."""


def parse_variants(text: str) -> list[Variant]:
    """Variant names, comma-separated (``all`` for every one).

    Raises:
        ConfigError: A name is not in :data:`VARIANTS`.
    """
    if text.strip() == "all":
        return list(VARIANTS.values())
    out = []
    for name in (n.strip() for n in text.split(",") if n.strip()):
        if name not in VARIANTS:
            raise ConfigError(
                f"--variants: unknown variant {name!r}", hint=f"use any of: {', '.join(VARIANTS)}"
            )
        out.append(VARIANTS[name])
    if not out:
        raise ConfigError("--variants is empty", hint=f"e.g. --variants {DEFAULT_VARIANTS}")
    return out


@dataclass(frozen=True)
class VariantScore:
    """One variant's pooled scores over its seeds."""

    variant: Variant
    report: EvalReport
    seconds: float

    def figures(self) -> dict[str, float]:
        """Recall, precision, time error p95 and field accuracy (all fields pooled)."""
        overall = self.report.overall()
        compared = sum(f.compared for f in self.report.fields.values())
        correct = sum(f.correct for f in self.report.fields.values())
        return {
            "recall": overall.recall,
            "precision": overall.precision,
            "time_p95": self.report.time_error()["p95"],
            "field_accuracy": correct / compared if compared else 1.0,
        }

    def misses(self) -> list[str]:
        """The targets this variant misses (empty: all met)."""
        got = self.figures()
        return [
            name
            for name, target in TARGETS.items()
            if (got[name] > target if name == "time_p95" else got[name] < target)
        ]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: the variant, its figures, the misses and the full report."""
        return {
            "variant": self.variant.name,
            "synth": self.variant.synth_flags(),
            **{k: round(v, 4) for k, v in self.figures().items()},
            "events": self.report.overall().truth,
            "misses": self.misses(),
            "run_seconds": round(self.seconds, 1),
            "report": self.report.as_dict(),
        }


def run_matrix(
    config: PipelineConfig,
    variants: Sequence[Variant],
    seeds: Sequence[int],
    out: Path,
    *,
    render: Render,
    minutes: float = 2.0,
    tolerance: float = 2.0,
    label: str = "shipped",
    progress: Callable[[str], None] | None = None,
) -> list[VariantScore]:
    """Render, run and score every (variant, seed) cell; one pooled score per variant.

    Args:
        config: The pipeline (a profile) every cell runs.
        variants: The columns.
        seeds: Held-back session seeds (never trained on).
        out: Folder for renders (``sessions/``, shared by every model) and runs
            (``runs/<label>/``).
        render: Renders a cell's session (skipped when its video and truth exist).
        minutes: Length of each session.
        tolerance: Largest time difference for a match, seconds.
        label: The model's name: its runs are kept apart from other models'.
        progress: Called with a line per cell.
    """
    pipeline = Pipeline(config)
    scores = []
    try:
        for variant in variants:
            began = time.perf_counter()
            reports = []
            for seed in seeds:
                video = out / "sessions" / f"{variant.name}-{seed}.mkv"
                truth = video.with_name(f"{video.stem}.groundtruth.json")
                if not (video.is_file() and truth.is_file()):
                    render(video, variant, seed, minutes * 60.0)
                # Always a fresh run: the renders are what is worth keeping.
                run = pipeline.process_video(video, out / "runs" / label / video.stem, force=True)
                report = evaluate(read_events(run.log_path), read_truth(truth), tolerance=tolerance)
                reports.append(report)
                if progress is not None:
                    o = report.overall()
                    progress(
                        f"{video.stem}: recall {o.recall:.3f} precision {o.precision:.3f} "
                        f"({o.matched}/{o.truth} true, {o.detected} found)"
                    )
            took = time.perf_counter() - began
            scores.append(VariantScore(variant, EvalReport.combined(reports), took))
    finally:
        pipeline.close()
    return scores


def matrix_table(scores: Sequence[VariantScore]) -> str:
    """The matrix as a Markdown table (the README's), targets missed in bold."""
    lines = [
        "| variant | events | recall | precision | time p95 s | field acc | misses |",
        "|---|---|---|---|---|---|---|",
    ]
    formats = {"recall": ".3f", "precision": ".3f", "time_p95": ".2f", "field_accuracy": ".3f"}
    for score in scores:
        got, missed = score.figures(), set(score.misses())
        cells = [
            f"**{got[name]:{spec}}**" if name in missed else f"{got[name]:{spec}}"
            for name, spec in formats.items()
        ]
        misses = ", ".join(score.misses()) or "none"
        lines.append(
            f"| {score.variant.name} | {score.report.overall().truth} | {' | '.join(cells)} "
            f"| {misses} |"
        )
    return "\n".join(lines)


def write_matrix(path: Path, scores: Sequence[VariantScore], meta: Mapping[str, Any]) -> None:
    """Write the matrix JSON atomically (``meta``: seeds, minutes, model, command)."""
    payload = {
        "meta": dict(meta),
        "targets": dict(TARGETS),
        "variants": [s.as_dict() for s in scores],
    }
    write_text(path, json.dumps(payload, indent=1, default=str) + "\n")
