"""``--report notebook``: the train stage's report as a notebook that papermill executes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from framewise.core.errors import ConfigError
from framewise.pipeline.stages import TableContext
from framewise.pipeline.stages.params import TrainParams
from framewise.training.classify_notebook import write_notebook
from framewise.training.classify_stage import TrainStage
from tests.unit.stages.test_training import _tables

papermill = pytest.importorskip("papermill")


def _outputs(notebook: Path) -> str:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    texts: list[str] = []
    for cell in cells:
        for output in cell.get("outputs", []):
            texts.append("".join(output.get("text", "")))
            data = output.get("data", {})
            texts.append("".join(data.get("text/markdown", "")))
            if "image/png" in data:
                texts.append("<png>")
    return "\n".join(texts)


def test_the_notebook_runs_under_papermill_and_shows_the_reports_figures(tmp_path: Path) -> None:
    folder = tmp_path / "train"
    params = TrainParams(folds=5, models=("logistic_regression_stage2", "gradient_boosting"))
    TrainStage(params).run_table(_tables(2.0), TableContext(folder, folder, 0))
    notebook = write_notebook(folder)
    assert notebook == folder / "report.ipynb"
    executed = tmp_path / "executed.ipynb"
    papermill.execute_notebook(
        str(notebook),
        str(executed),
        parameters={"folder": str(folder)},
        kernel_name="python3",
        progress_bar=False,
    )
    shown = _outputs(executed)
    aggregate = json.loads((folder / "gradient_boosting" / "metrics.json").read_text())
    # The table in the notebook is the one the stage measured, not a copy made at write time.
    mean, std = aggregate["accuracy"]["mean"], aggregate["accuracy"]["std"]
    assert f"| gradient_boosting | {mean:.3f} ± {std:.3f}" in shown
    assert "| logistic_regression_stage2 |" in shown
    assert "2 models, 5 folds each" in shown
    assert "no group is validated in two folds" in shown
    assert "validated in fold" in shown and shown.count("<png>") >= 4


def test_a_folder_without_a_train_report_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no train report"):
        write_notebook(tmp_path)
