"""``framewise eval-matrix``: held-back renders × degradations, scored per variant.

Example:
    framewise eval-matrix --seeds 951,952 --minutes 2 --out matrix.json
    framewise eval-matrix --variants clean,grain720,worst --seeds 953 --minutes 1 --out m.json
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from framewise.cli.options import load_pipeline_option, with_model
from framewise.core.errors import ConfigError
from framewise.eval.matrix import DEFAULT_VARIANTS, VARIANTS, Variant, matrix_table, parse_variants
from framewise.profiles import DEFAULT_PROFILE


def _seeds(text: str) -> list[int]:
    try:
        seeds = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        seeds = []
    if not seeds:
        raise ConfigError(f"--seeds {text!r}: expected seeds like 951,952", hint="--seeds 951,952")
    return seeds


def _render(video: Path, variant: Variant, seed: int, seconds: float) -> None:
    from framewise.cli.options import parse_size
    from framewise.synth.degrade import parse_degradation
    from framewise.synth.render import RenderSettings, render_session

    size = parse_size(variant.size)
    assert size is not None  # the registry's sizes are valid
    settings = RenderSettings(
        seconds=seconds,
        seed=seed,
        width=size[0],
        height=size[1],
        fps=variant.fps,
        vfr=variant.vfr,
        start_in_raid=seed % 2 == 1,  # half the sessions open mid-raid, as recordings do
        degrade=parse_degradation(variant.degrade),
        degrade_seed=seed,
    )
    render_session(video, settings)


def model_label(model: Path | None) -> str:
    """The runs folder of a model: ``shipped``, or ``v5`` for ``models/v5/model.onnx``."""
    if model is None:
        return "shipped"
    return model.parent.name if model.stem == "model" and model.parent.name else model.stem


def eval_matrix_command(
    seeds: Annotated[
        str, typer.Option("--seeds", help="Held-back session seeds (never trained on).")
    ] = "951,952",
    variants: Annotated[
        str,
        typer.Option(
            "--variants",
            help=f"Comma-separated, or all: {', '.join(VARIANTS)}.",
        ),
    ] = DEFAULT_VARIANTS,
    minutes: Annotated[float, typer.Option("--minutes", help="Length of each session.")] = 2.0,
    out: Annotated[Path, typer.Option("--out", "-o", help="The matrix JSON to write.")] = Path(
        "matrix.json"
    ),
    work: Annotated[
        Path | None,
        typer.Option("--work", help="Renders and runs (reused); default: <out stem>_cells/."),
    ] = None,
    profile: Annotated[str, typer.Option("--profile", help="The pipeline to run.")] = (
        DEFAULT_PROFILE
    ),
    model: Annotated[
        Path | None, typer.Option("--model", help="An ONNX model instead of the profile's.")
    ] = None,
    tolerance: Annotated[
        float, typer.Option("--tolerance", min=0.0, help="Largest time error of a match, s.")
    ] = 2.0,
) -> None:
    """Render held-back sessions in every variant, run the profile, score each variant.

    Per variant (pooled over the seeds): recall, precision, time error p95 and field
    accuracy against the targets (recall ≥ 0.98, precision ≥ 0.99, p95 ≤ 0.2 s, fields
    ≥ 0.97). Odd seeds open mid-raid. Prints the table and writes --out.
    """
    from framewise.eval.matrix import run_matrix, write_matrix

    if not minutes > 0:
        raise ConfigError(f"--minutes must be positive, got {minutes}", hint="e.g. --minutes 2")
    chosen = parse_variants(variants)
    seed_list = _seeds(seeds)
    config = load_pipeline_option(profile, None, None)
    if model is not None:
        config = with_model(config, model)
    cells = work if work is not None else out.with_name(f"{out.stem}_cells")
    scores = run_matrix(
        config,
        chosen,
        seed_list,
        cells,
        render=_render,
        minutes=minutes,
        tolerance=tolerance,
        label=model_label(model),
        progress=lambda line: typer.echo(line, err=True),
    )
    meta = {
        "seeds": seed_list,
        "minutes": minutes,
        "profile": profile,
        "model": str(model) if model is not None else f"{profile} (shipped)",
        "command": " ".join(["framewise", *sys.argv[1:]]),
    }
    write_matrix(out, scores, meta)
    typer.echo(matrix_table(scores))
    met = sum(not s.misses() for s in scores)
    typer.echo(f"{met} of {len(scores)} variants meet every target; wrote {out}")


def register(app: typer.Typer) -> None:
    """Add ``eval-matrix`` to ``app``."""
    app.command("eval-matrix")(eval_matrix_command)
