"""Legacy import path of the model comparison: re-exports :mod:`framewise.eval.compare`."""

from framewise.eval.compare import ModelScore, compare_models, model_labels, verdict

__all__ = ["ModelScore", "compare_models", "model_labels", "verdict"]
