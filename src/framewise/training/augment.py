"""Ultralytics' own detection augmentations, as ``framewise train yolo --aug KEY=VALUE``.

The keys are Ultralytics' hyperparameter names (``ultralytics/cfg/default.yaml``), so a user who
knows them needs nothing new; the ranges are the ones that make sense for each. Only these keys
are passed through: the rest of Ultralytics' arguments are set by ``train yolo`` itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from framewise.core.errors import ConfigError


@dataclass(frozen=True)
class Augmentation:
    """One augmentation hyperparameter: its range and what it does."""

    low: float
    high: float
    default: float
    meaning: str
    integer: bool = False


AUGMENTATIONS: dict[str, Augmentation] = {
    "hsv_h": Augmentation(0.0, 1.0, 0.015, "hue shift, fraction"),
    "hsv_s": Augmentation(0.0, 1.0, 0.7, "saturation gain, fraction"),
    "hsv_v": Augmentation(0.0, 1.0, 0.4, "brightness gain, fraction"),
    "degrees": Augmentation(0.0, 180.0, 0.0, "rotation, ± degrees"),
    "translate": Augmentation(0.0, 0.9, 0.1, "translation, ± fraction of the image"),
    "scale": Augmentation(0.0, 0.95, 0.5, "scale gain, ± fraction"),
    "shear": Augmentation(0.0, 90.0, 0.0, "shear, ± degrees"),
    "perspective": Augmentation(0.0, 0.001, 0.0, "perspective, fraction"),
    "flipud": Augmentation(0.0, 1.0, 0.0, "vertical flip probability"),
    "fliplr": Augmentation(0.0, 1.0, 0.5, "horizontal flip probability"),
    "bgr": Augmentation(0.0, 1.0, 0.0, "RGB/BGR swap probability"),
    "mosaic": Augmentation(0.0, 1.0, 1.0, "mosaic probability"),
    "mixup": Augmentation(0.0, 1.0, 0.0, "MixUp probability"),
    "cutmix": Augmentation(0.0, 1.0, 0.0, "CutMix probability"),
    "close_mosaic": Augmentation(0, 1000, 10, "last epochs without mosaic", integer=True),
}
"""The augmentation keys ``--aug`` accepts, with Ultralytics' defaults (8.4)."""

AUG_HELP = (
    "Ultralytics augmentation KEY=VALUE, repeatable (e.g. --aug fliplr=0 --aug hsv_v=0.5): "
    + ", ".join(AUGMENTATIONS)
    + "; unset keys keep Ultralytics' defaults."
)


def parse_augmentations(items: list[str] | None) -> tuple[tuple[str, float], ...]:
    """``["fliplr=0", "hsv_v=0.5"]`` → ``(("fliplr", 0.0), ("hsv_v", 0.5))``, checked.

    Raises:
        ConfigError: An item is not ``KEY=VALUE``, names no known key, repeats one, or is out
            of the key's range.
    """
    parsed: dict[str, float] = {}
    for item in items or []:
        key, sep, text = item.partition("=")
        key = key.strip().replace("-", "_")
        if not sep or not text.strip():
            raise ConfigError(f"--aug {item!r} is not KEY=VALUE", hint="e.g. --aug fliplr=0")
        spec = AUGMENTATIONS.get(key)
        if spec is None:
            raise ConfigError(
                f"--aug {key!r} is not an augmentation", hint="one of " + ", ".join(AUGMENTATIONS)
            )
        if key in parsed:
            raise ConfigError(f"--aug {key} is given twice", hint="give each key once")
        try:
            value = float(text)
        except ValueError:
            raise ConfigError(
                f"--aug {key}={text!r} is not a number", hint=f"{key}: {spec.meaning}"
            ) from None
        if not spec.low <= value <= spec.high or (spec.integer and not value.is_integer()):
            kind = "an integer" if spec.integer else "a number"
            raise ConfigError(
                f"--aug {key}={text} is out of range",
                hint=f"{key} ({spec.meaning}) takes {kind} in [{spec.low:g}, {spec.high:g}]",
            )
        parsed[key] = value
    return tuple(parsed.items())


def ultralytics_args(augment: tuple[tuple[str, float], ...]) -> dict[str, float | int]:
    """The keyword arguments for ``YOLO.train`` (integers where Ultralytics wants them)."""
    return {k: int(v) if AUGMENTATIONS[k].integer else v for k, v in augment}


def describe(augment: tuple[tuple[str, float], ...]) -> str:
    """``fliplr 0 (default 0.5), hsv_v 0.5 (default 0.4)``, or Ultralytics' defaults."""
    if not augment:
        return "Ultralytics' defaults"
    return ", ".join(f"{k} {v:g} (default {AUGMENTATIONS[k].default:g})" for k, v in augment)
