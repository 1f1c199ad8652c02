"""The layering contracts (``[tool.importlinter]`` in pyproject.toml) hold, and would catch a break.

``make test`` runs ``lint-imports``; these tests show that it passes on the code as it is and
fails — non-zero exit, naming the contract and the import — when a module breaks a rule.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

pytestmark = pytest.mark.skipif(
    not LINT_IMPORTS.is_file(), reason="import-linter is not installed (`make install`)"
)


def lint_imports(config: Path, source_root: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` on ``config``, importing packages from ``source_root`` first."""
    env = {**os.environ, "PYTHONPATH": str(source_root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(config)],
        capture_output=True,
        text=True,
        cwd=source_root,
        env=env,
        timeout=300,
        check=False,
    )


def test_the_project_keeps_its_contracts() -> None:
    done = lint_imports(ROOT / "pyproject.toml", ROOT / "src")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


def test_make_test_runs_the_check() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^test:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert recipe is not None
    assert "$(BIN)/lint-imports" in recipe.group(1)


@pytest.mark.parametrize(
    ("module", "source", "contract"),
    [
        # A stage reaching a later stage: the layers contract.
        ("detectors/peek.py", "from framewise.pipeline import runner\n", "Stages import only"),
        # The library reaching for the renderer's ground truth (design review V1/V2).
        ("datasets/truth.py", "import framewise.synth.groundtruth\n", "never imports the renderer"),
        # The contract pulling in the server's ORM (design review V5).
        ("store_api/orm.py", "from framewise.store import models\n", "never imports the server"),
    ],
)
def test_a_broken_rule_fails_the_check(
    tmp_path: Path, module: str, source: str, contract: str
) -> None:
    copy = tmp_path / "framewise"
    shutil.copytree(
        ROOT / "src" / "framewise",
        copy,
        ignore=lambda _folder, names: [
            n for n in names if (not n.endswith(".py") and "." in n) or n == "__pycache__"
        ],
    )
    config = tmp_path / "pyproject.toml"
    shutil.copy(ROOT / "pyproject.toml", config)
    assert lint_imports(config, tmp_path).returncode == 0  # the copy is as clean as the tree
    (copy / module).write_text(source, encoding="utf-8")
    done = lint_imports(config, tmp_path)
    assert done.returncode != 0
    assert f"{contract}" in done.stdout and "BROKEN" in done.stdout
    assert f"framewise.{module[:-3].replace('/', '.')}" in done.stdout


def test_a_tiny_layered_package(tmp_path: Path) -> None:
    package = tmp_path / "tiny"
    (package / "low").mkdir(parents=True)
    (package / "high").mkdir()
    for init in (package, package / "low", package / "high"):
        (init / "__init__.py").write_text("")
    (package / "high" / "uses.py").write_text("from tiny.low import base\n")
    (package / "low" / "base.py").write_text("X = 1\n")
    config = tmp_path / ".importlinter"
    config.write_text(
        "[importlinter]\nroot_package = tiny\n\n"
        "[importlinter:contract:layers]\nname = tiny layers\ntype = layers\n"
        "layers =\n    tiny.high\n    tiny.low\n"
    )
    assert lint_imports(config, tmp_path).returncode == 0
    (package / "low" / "sneak.py").write_text("from tiny.high import uses\n")
    broken = lint_imports(config, tmp_path)
    assert broken.returncode != 0
    assert "tiny.low.sneak -> tiny.high.uses" in broken.stdout
