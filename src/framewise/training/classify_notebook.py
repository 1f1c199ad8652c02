"""The training stage's report as a Jupyter notebook (``--report notebook``).

The notebook holds no numbers of its own: its cells read what the train stage wrote
(``<model>/metrics.json``, ``<model>/fold_*/metrics.json``, ``leakage_audit.json``, the PNG
plots), so running it again after a rerun shows the new figures. A cell tagged
``parameters`` names the stage folder, so papermill can run it from anywhere::

    papermill report.ipynb out.ipynb -p folder runs/w4/05_train/files

Example:
    >>> path = write_notebook(Path("runs/w4/05_train/files"))  # doctest: +SKIP
    >>> path.name  # doctest: +SKIP
    'report.ipynb'
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from framewise.core.atomic import write_text
from framewise.core.errors import ConfigError

NOTEBOOK = "report.ipynb"

_INTRO = """# Video classification report

Each model was scored with k-fold cross-validation **grouped by original video**
(`StratifiedGroupKFold`): no augmented copy of a validation video is ever trained on. This
notebook reads the files the train stage wrote beside it; run it again after a rerun."""

_PARAMETERS = 'folder = "."  # the train stage\'s folder (report.md, leakage_audit.json)'

_LOAD = """import json
from pathlib import Path

root = Path(folder)
models = sorted(p.parent.name for p in root.glob("*/metrics.json"))
aggregates = {m: json.loads((root / m / "metrics.json").read_text()) for m in models}
folds = {
    m: [json.loads(p.read_text()) for p in sorted((root / m).glob("fold_*/metrics.json"))]
    for m in models
}
assert models, f"no model metrics under {root}: run the train stage first"
print(f"{len(models)} models, {len(folds[models[0]])} folds each")"""

_TABLE = """from IPython.display import Markdown, display

scores = ("accuracy", "f1", "roc_auc")
order = sorted(models, key=lambda m: -aggregates[m]["roc_auc"]["mean"])
rows = ["| model | accuracy | F1 | ROC AUC |", "|---|---|---|---|"]
for m in order:
    cells = [f"{aggregates[m][s]['mean']:.3f} ± {aggregates[m][s]['std']:.3f}" for s in scores]
    rows.append(f"| {m} | " + " | ".join(cells) + " |")
display(Markdown("\\n".join(rows)))"""

_FOLDS = """for m in order:
    line = ", ".join(f"{f['accuracy']:.3f}" for f in folds[m])
    print(f"{m}: accuracy per fold {line}")"""

_AUDIT = """audit = json.loads((root / "leakage_audit.json").read_text())
leaking = audit["leaking_groups"]
print("no group is validated in two folds" if not leaking else f"LEAK: {leaking}")
print(f"near-duplicate clips validated in different folds: {len(audit['near_duplicates'])}")
for group, numbers in audit["groups"].items():
    print(f"  {group}: validated in fold {', '.join(map(str, numbers))}")"""

_PLOTS = """from IPython.display import Image

for m in order:
    for name in ("roc.png", "confusion.png", "importance.png"):
        plot = root / m / "plots" / name
        if plot.exists():
            display(Markdown(f"**{m}** — {name[:-4]}"))
            display(Image(filename=str(plot)))"""


def write_notebook(folder: Path) -> Path:
    """Write ``report.ipynb`` into a finished train stage's folder; returns its path.

    Args:
        folder: The train stage's files folder (where ``report.md`` is).

    Raises:
        ConfigError: The folder holds no train report, or nbformat is not installed.
    """
    try:
        # nbformat ships no type information: typed as Any here rather than silenced globally.
        nbformat: Any = importlib.import_module("nbformat")
    except ImportError as exc:
        raise ConfigError(
            "writing a notebook report needs nbformat",
            hint="pip install 'framewise[classify]' (or nbformat==5.10.4)",
        ) from exc
    if not (folder / "report.md").exists() or not (folder / "leakage_audit.json").exists():
        raise ConfigError(
            f"no train report in {folder}",
            subject=str(folder),
            hint="run the train stage first (framewise stages run PIPELINE.yaml)",
        )
    v4 = nbformat.v4
    parameters = v4.new_code_cell(_PARAMETERS)
    parameters.metadata["tags"] = ["parameters"]
    notebook = v4.new_notebook(
        cells=[
            v4.new_markdown_cell(_INTRO),
            parameters,
            v4.new_code_cell(_LOAD),
            v4.new_markdown_cell("## Models compared (mean ± std over folds)"),
            v4.new_code_cell(_TABLE),
            v4.new_code_cell(_FOLDS),
            v4.new_markdown_cell("## Leakage audit"),
            v4.new_code_cell(_AUDIT),
            v4.new_markdown_cell("## Plots"),
            v4.new_code_cell(_PLOTS),
        ],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
        },
    )
    nbformat.validate(notebook)
    path = folder / NOTEBOOK
    write_text(path, nbformat.writes(notebook))
    return path
