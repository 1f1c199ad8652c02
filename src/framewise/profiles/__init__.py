"""Domain packs: a pipeline YAML, vocabularies, a state machine and a model per use.

Profiles are plain folders inside the package, listed explicitly here.
"""

from __future__ import annotations

from pathlib import Path

from framewise.core.errors import ConfigError

PROFILES_DIR = Path(__file__).resolve().parent

PROFILES = ("tarkov",)
"""The bundled profiles (folder names under ``framewise/profiles``)."""


def profile_dir(name: str) -> Path:
    """The folder of profile ``name``.

    Raises:
        ConfigError: No such profile.
    """
    if name not in PROFILES:
        raise ConfigError(
            f"unknown profile {name!r}",
            subject="--profile",
            hint=f"use one of: {', '.join(PROFILES)}, or --config FILE",
        )
    return PROFILES_DIR / name


def profile_pipeline(name: str) -> Path:
    """The pipeline YAML of profile ``name``.

    Raises:
        ConfigError: No such profile, or it ships no pipeline yet.
    """
    path = profile_dir(name) / "pipeline.yaml"
    if not path.exists():
        raise ConfigError(
            f"profile {name!r} has no pipeline.yaml",
            subject=path,
            hint="use --config with your own pipeline YAML",
        )
    return path


def profile_weights(name: str) -> Path:
    """The PyTorch weights of profile ``name``'s model: where a retrain continues from.

    Raises:
        ConfigError: No such profile, or it ships no weights.
    """
    found = sorted((profile_dir(name) / "model").glob("*.pt"))
    if not found:
        raise ConfigError(
            f"profile {name!r} ships no .pt weights to continue from",
            subject=profile_dir(name) / "model",
            hint="pass --from with a .pt written by `framewise train yolo`",
        )
    return found[0]
