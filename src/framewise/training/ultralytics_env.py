"""Keep Ultralytics offline and inside a folder we choose, before it is first imported.

Ultralytics reads its environment once, at import: ``YOLO_OFFLINE`` stops its DNS probe (so
nothing checks for updates or sends events), ``YOLO_AUTOINSTALL=False`` stops it from running
``pip install`` when an optional package is missing, and ``YOLO_CONFIG_DIR`` moves its
settings file out of ``~/.config``. Its settings then switch off the hub sync and every
experiment-tracker integration, and a TTF font is copied to where it would otherwise download
``Arial.ttf`` from GitHub (plots, labelled images). There is no network here, and a training
run must not depend on one anywhere.

Example:
    >>> env = configure_ultralytics(Path("runs/ultralytics"))  # doctest: +SKIP
    >>> from ultralytics import YOLO  # now offline  # doctest: +SKIP
"""

from __future__ import annotations

import importlib.util
import logging
import os
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType, ModuleType

from framewise.core.errors import FramewiseError

log = logging.getLogger(__name__)

ENVIRONMENT: Mapping[str, str] = MappingProxyType(
    {"YOLO_OFFLINE": "1", "YOLO_AUTOINSTALL": "False"}
)
"""Variables Ultralytics reads at import; ``YOLO_CONFIG_DIR`` is added per call."""

SWITCHED_OFF = (
    "sync",
    "clearml",
    "comet",
    "dvc",
    "mlflow",
    "raytune",
    "tensorboard",
    "wandb",
    "vscode_msg",
    "openvino_msg",
)
"""Ultralytics settings set to False: hub events, trackers, and install nags."""

FONT_NAMES = ("Arial.ttf", "Arial.Unicode.ttf")
"""Fonts Ultralytics looks for in its config folder before downloading them."""

INSTALL_HINT = "install the training dependencies with `make train-deps`"


@dataclass(frozen=True)
class UltralyticsEnv:
    """Where Ultralytics keeps its files for this process.

    Attributes:
        config_dir: ``YOLO_CONFIG_DIR``; Ultralytics works in its ``Ultralytics`` subfolder.
        user_dir: Ultralytics' own folder (settings file and fonts).
        font: The font copied in as ``Arial.ttf``.
    """

    config_dir: Path
    user_dir: Path
    font: Path


def default_config_dir() -> Path:
    """``$XDG_CACHE_HOME/framewise/ultralytics`` (``~/.cache/...`` when unset)."""
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "framewise" / "ultralytics"


def bundled_font() -> Path:
    """DejaVu Sans from matplotlib, which the ``train`` extra installs.

    Raises:
        FramewiseError: matplotlib (hence the training extra) is not installed.
    """
    spec = importlib.util.find_spec("matplotlib")
    folders = list(spec.submodule_search_locations or []) if spec else []
    for folder in folders:
        font = Path(folder) / "mpl-data" / "fonts" / "ttf" / "DejaVuSans.ttf"
        if font.is_file():
            return font
    raise FramewiseError(
        "no TTF font for Ultralytics' plots (matplotlib's DejaVuSans.ttf is missing)",
        subject="matplotlib",
        hint=INSTALL_HINT,
    )


def configure_ultralytics(config_dir: str | os.PathLike[str] | None = None) -> UltralyticsEnv:
    """Make Ultralytics offline and self-contained; call before the first ``import ultralytics``.

    Calling it again is harmless. If Ultralytics was already imported by then, it must have
    been imported offline (an earlier call); its config folder is then the one in use.

    Args:
        config_dir: ``YOLO_CONFIG_DIR``; default :func:`default_config_dir`. Ultralytics'
            runs, weights and datasets folders are put beneath it too, so nothing lands in
            the working directory unless a call names a folder.

    Returns:
        The folders and font in use.

    Raises:
        FramewiseError: Ultralytics is not installed, or was imported before this call
            with network access or auto-install still on.
    """
    if importlib.util.find_spec("ultralytics") is None:
        raise FramewiseError(
            "Ultralytics is not installed", subject="ultralytics", hint=INSTALL_HINT
        )
    wanted = Path(config_dir) if config_dir is not None else default_config_dir()
    wanted = wanted.expanduser().resolve()
    if "ultralytics" not in sys.modules:
        os.environ.update(ENVIRONMENT)
        os.environ["YOLO_CONFIG_DIR"] = str(wanted)
    user_dir = (wanted / "Ultralytics").resolve()
    user_dir.mkdir(parents=True, exist_ok=True)
    font = bundled_font()
    for name in FONT_NAMES:
        _copy_if_missing(font, user_dir / name)

    ul_utils = ultralytics_module("ultralytics.utils")  # the first import, environment set
    if ul_utils.ONLINE or ul_utils.AUTOINSTALL:
        raise FramewiseError(
            "Ultralytics was imported before framewise could switch off its network access",
            subject="ultralytics",
            hint="call configure_ultralytics() before anything imports ultralytics",
        )
    actual = Path(ul_utils.USER_CONFIG_DIR).resolve()
    if actual != user_dir:
        # Imported by an earlier call with another folder: its settings file is the one
        # Ultralytics reads, so put the fonts there as well.
        log.debug("Ultralytics already uses %s (asked for %s)", actual, user_dir)
        for name in FONT_NAMES:
            _copy_if_missing(font, actual / name)
        user_dir, wanted = actual, actual.parent
    settings = ul_utils.SETTINGS
    updates: dict[str, object] = {key: False for key in SWITCHED_OFF if key in settings}
    for key in ("runs_dir", "weights_dir", "datasets_dir"):
        updates[key] = str(wanted / key.removesuffix("_dir"))
    if any(settings.get(key) != value for key, value in updates.items()):
        settings.update(updates)
    return UltralyticsEnv(wanted, user_dir, user_dir / FONT_NAMES[0])


def ultralytics_module(name: str) -> ModuleType:
    """Import an Ultralytics (or torch) module by name, for code under ``framewise.training``.

    Imported by name rather than with ``import`` statements so that type checking and the
    inference install need neither package (they come with the optional ``train`` extra),
    and mypy does not walk all of torch. Call :func:`configure_ultralytics` first.

    Raises:
        FramewiseError: The package is not installed.
    """
    top = name.partition(".")[0]
    if importlib.util.find_spec(top) is None:
        raise FramewiseError(f"{top} is not installed", subject=top, hint=INSTALL_HINT)
    return importlib.import_module(name)


def _copy_if_missing(font: Path, target: Path) -> None:
    if not target.exists():
        # Copy beside, then rename: a parallel run never sees half a font.
        partial = target.with_name(f".{target.name}.{os.getpid()}.part")
        shutil.copyfile(font, partial)
        partial.replace(target)
