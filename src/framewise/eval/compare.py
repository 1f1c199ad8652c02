"""Compare models on the same held-back sessions: which one finds the events better?

Each model runs the same pipeline (only the ``yolo_onnx`` detector's model differs) over the
same sessions; each session's log is scored against its ground truth, and the scores are
pooled per model. Models are ranked by F1 of event recall and precision, then by field
accuracy. Runs are kept (``out/<model>/<session>/``) and resume like any ``process`` run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from framewise.config.pipeline import PipelineConfig
from framewise.eval.events import EvalReport, evaluate, read_events
from framewise.pipeline.runner import Pipeline

Progress = Callable[[str], None]


@dataclass(frozen=True)
class ModelScore:
    """One model's pooled evaluation."""

    model: Path
    label: str
    report: EvalReport

    def field_accuracy(self) -> float:
        """Correct ÷ compared over every field (1.0 when none was compared)."""
        compared = sum(f.compared for f in self.report.fields.values())
        correct = sum(f.correct for f in self.report.fields.values())
        return correct / compared if compared else 1.0

    def key(self) -> tuple[float, float]:
        """Ranking key: F1 first, field accuracy to break ties."""
        return (round(self.report.f1(), 6), round(self.field_accuracy(), 6))


def model_labels(models: Sequence[Path]) -> list[str]:
    """Short distinct names: a run's ``v2/model.onnx`` → ``v2``, else the file's stem."""
    names = [m.parent.name if m.stem == "model" and m.parent.name else m.stem for m in models]
    if len(set(names)) == len(names):
        return names
    return [f"{n}-{name}" for n, name in enumerate(names, start=1)]


def compare_models(
    config: PipelineConfig,
    models: Sequence[Path],
    sessions: Sequence[tuple[Path, Path]],
    out: Path,
    *,
    with_model: Callable[[PipelineConfig, Path], PipelineConfig],
    tolerance: float = 2.0,
    progress: Progress | None = None,
) -> list[ModelScore]:
    """Score each model on every ``(video, ground truth)`` session, best first.

    Args:
        config: The pipeline every model runs in.
        models: The ONNX models.
        sessions: Videos and their ground-truth event files.
        out: Where the runs are kept.
        with_model: Returns ``config`` with its detector's model replaced.
        tolerance: Largest time difference for a match, seconds.
        progress: Called with a line per session run.
    """
    scores = []
    for model, label in zip(models, model_labels(models), strict=True):
        pipeline = Pipeline(with_model(config, model))
        reports = []
        try:
            for video, truth in sessions:
                run_dir = out / label / video.stem
                found = read_events(pipeline.process_video(video, run_dir).log_path)
                reports.append(evaluate(found, read_events(truth), tolerance=tolerance))
                if progress is not None:
                    progress(f"{label}: {video.name} scored")
        finally:
            pipeline.close()
        scores.append(ModelScore(model, label, EvalReport.combined(reports)))
    return sorted(scores, key=ModelScore.key, reverse=True)


def verdict(scores: Sequence[ModelScore]) -> str:
    """One line: which model is better and by how much (or that they tie)."""
    if len(scores) < 2:
        return "one model: nothing to compare"
    best, runner_up = scores[0], scores[1]
    if best.key() == runner_up.key():
        return f"{best.label} and {runner_up.label} score the same"
    return (
        f"{best.label} is better: F1 {best.report.f1():.3f} vs {runner_up.report.f1():.3f}, "
        f"field accuracy {best.field_accuracy():.3f} vs {runner_up.field_accuracy():.3f}"
    )
