"""``train yolo --aug KEY=VALUE``: Ultralytics' augmentation keys, checked before training."""

from __future__ import annotations

import pytest

from framewise.core.errors import ConfigError
from framewise.training.augment import describe, parse_augmentations, ultralytics_args


def test_items_become_ultralytics_arguments() -> None:
    augment = parse_augmentations(["fliplr=0", "hsv-v=0.5", "close_mosaic=2"])
    assert augment == (("fliplr", 0.0), ("hsv_v", 0.5), ("close_mosaic", 2.0))
    assert ultralytics_args(augment) == {"fliplr": 0.0, "hsv_v": 0.5, "close_mosaic": 2}
    assert isinstance(ultralytics_args(augment)["close_mosaic"], int)
    assert describe(augment).startswith("fliplr 0 (default 0.5), hsv_v 0.5 (default 0.4)")
    assert parse_augmentations(None) == () and describe(()) == "Ultralytics' defaults"


@pytest.mark.parametrize(
    ("item", "says"),
    [
        ("fliplr", "not KEY=VALUE"),
        ("fliplr=", "not KEY=VALUE"),
        ("lr0=0.1", "not an augmentation"),
        ("fliplr=yes", "not a number"),
        ("fliplr=1.5", "out of range"),
        ("degrees=-5", "out of range"),
        ("close_mosaic=2.5", "out of range"),
    ],
)
def test_a_bad_item_is_one_clear_error(item: str, says: str) -> None:
    with pytest.raises(ConfigError, match=says):
        parse_augmentations([item])


def test_a_key_given_twice_is_an_error() -> None:
    with pytest.raises(ConfigError, match="given twice"):
        parse_augmentations(["fliplr=0", "fliplr=0.5"])
