"""The contract package stands alone: no SQLAlchemy, no server import, one source of values."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from typing import get_args

import framewise.store.client as compat_client
import framewise.store.errors as server_errors
import framewise.store.schemas as compat_schemas
import framewise.store.stats as server_stats
import framewise.store_api
from framewise.store_api import client, constants, errors, schemas, stats

CONTRACT_DIR = Path(framewise.store_api.__file__).parent


def _no_sqlalchemy_after(imports: str) -> subprocess.CompletedProcess[str]:
    code = f"import {imports}, sys; assert 'sqlalchemy' not in sys.modules, 'sqlalchemy loaded'"
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )


def test_client_importer_and_live_writer_load_no_sqlalchemy() -> None:
    done = _no_sqlalchemy_after(
        "framewise.store_api.client, framewise.importer.runner, framewise.live.store_writer"
    )
    assert done.returncode == 0, done.stderr


def test_compatibility_modules_load_no_sqlalchemy_either() -> None:
    done = _no_sqlalchemy_after("framewise.store.client, framewise.store.schemas, framewise.store")
    assert done.returncode == 0, done.stderr


def test_the_check_above_would_see_sqlalchemy() -> None:
    # The subprocess check is only worth something if loading the server does trip it.
    done = _no_sqlalchemy_after("framewise.store.models")
    assert done.returncode != 0
    assert "sqlalchemy loaded" in done.stderr


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_contract_module_imports_the_server_or_sqlalchemy() -> None:
    files = sorted(CONTRACT_DIR.glob("*.py"))
    assert len(files) >= 8
    for path in files:
        for name in _imported_modules(path):
            assert name != "framewise.store" and not name.startswith("framewise.store."), path
            assert name.split(".")[0] not in {"sqlalchemy", "alembic", "fastapi"}, path


def test_compatibility_modules_re_export_the_same_objects() -> None:
    for name in compat_client.__all__:
        assert getattr(compat_client, name) is getattr(client, name), name
    for name in compat_schemas.__all__:
        assert getattr(compat_schemas, name) is getattr(schemas, name), name
    assert compat_client.StoreRequestError is errors.StoreRequestError
    assert server_stats.GlobalStats is stats.GlobalStats
    assert server_errors.DUPLICATE_CODE == constants.DUPLICATE_CODE == "duplicate"


def test_literals_and_constants_agree() -> None:
    assert get_args(schemas.SessionType) == constants.SESSION_TYPES
    assert get_args(schemas.CharacterType) == constants.CHARACTER_TYPES
    assert get_args(schemas.GameMode) == constants.GAME_MODES
