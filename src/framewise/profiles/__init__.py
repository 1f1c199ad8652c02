"""Domain packs: a pipeline YAML, vocabularies, a state machine, a model and hooks per use.

Profiles are folders inside the package, listed explicitly in :data:`PROFILES` with their
hook module (the domain's code, see :mod:`framewise.profiles.base`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from framewise.core.errors import ConfigError
from framewise.profiles.base import GenericHooks, Profile, ProfileHooks
from framewise.profiles.motion.hooks import HOOKS as MOTION_HOOKS
from framewise.profiles.people.hooks import HOOKS as PEOPLE_HOOKS
from framewise.profiles.scenes.hooks import HOOKS as SCENE_HOOKS
from framewise.profiles.tarkov.hooks import HOOKS as TARKOV_HOOKS
from framewise.profiles.tasks.hooks import HOOKS as TASK_HOOKS
from framewise.profiles.text.hooks import HOOKS as TEXT_HOOKS

PROFILES_DIR = Path(__file__).resolve().parent

HOOKS: Mapping[str, ProfileHooks] = MappingProxyType(
    {
        "tarkov": TARKOV_HOOKS,
        "tasks": TASK_HOOKS,
        "scenes": SCENE_HOOKS,
        "motion": MOTION_HOOKS,
        "text": TEXT_HOOKS,
        "people": PEOPLE_HOOKS,
    }
)
"""The registry of bundled profiles: folder name under ``framewise/profiles`` → its hooks."""

PROFILES = tuple(HOOKS)
"""The bundled profiles' names."""

DEFAULT_PROFILE = "tarkov"
"""The hooks of a pipeline that names no ``profile:`` (seed W0's contract, kept for it)."""

GENERIC = "generic"
"""``profile: generic``: no domain rules (every event sent under its own type)."""


def hooks_for(name: str | None) -> ProfileHooks:
    """The hooks of profile ``name`` (``None``: :data:`DEFAULT_PROFILE`).

    Raises:
        ConfigError: No such profile.
    """
    chosen = name or DEFAULT_PROFILE
    if chosen == GENERIC:
        return GenericHooks()
    profile_dir(chosen)  # the one message for an unknown name
    return HOOKS[chosen]


def load_profile(name: str) -> Profile:
    """Profile ``name``: its folder and hooks.

    Raises:
        ConfigError: No such profile.
    """
    if name == GENERIC:
        return Profile(GENERIC, None, GenericHooks())
    return Profile(name, profile_dir(name), hooks_for(name))


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
