"""Read what an Ultralytics export writes into an ONNX model's ``metadata_props``.

Ultralytics stores every value as a string: ``names`` as a Python dict literal
(``"{0: 'person', 1: 'car'}"``), ``imgsz`` as a list literal (``"[640, 640]"``), ``stride``
as ``"32"``, ``task`` as ``"detect"``. The literals are parsed with :func:`ast.literal_eval`,
which accepts only literals, so a crafted model cannot run code through its metadata.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from framewise.core.errors import ModelError

DEFAULT_STRIDE = 32
"""YOLOv8/11 detection heads downsample by 8, 16 and 32; inputs align to the largest."""


@dataclass(frozen=True, slots=True)
class YoloMetadata:
    """The parts of an Ultralytics export's metadata that inference needs.

    Attributes:
        names: Class names in class-index order, or ``None`` when the model has none.
        imgsz: Training/export input size as (height, width), or ``None``.
        stride: Largest stride of the detection head.
        task: Ultralytics task (``detect``, ``segment``, ``pose``, ``obb``, ``classify``),
            or ``None`` when the model does not say.
        end_to_end: ``True`` when the model says its output is already suppressed
            (``end2end`` or ``nms`` in the metadata), ``None`` when it does not say.
    """

    names: tuple[str, ...] | None
    imgsz: tuple[int, int] | None
    stride: int
    task: str | None
    end_to_end: bool | None

    @classmethod
    def parse(cls, props: Mapping[str, str], path: Path) -> YoloMetadata:
        """Parse an ONNX ``metadata_props`` map (as onnxruntime's ``custom_metadata_map``).

        Raises:
            ModelError: A value is present but malformed.
        """
        names = parse_names(props["names"], path) if "names" in props else None
        imgsz = parse_imgsz(props["imgsz"], path) if "imgsz" in props else None
        stride = _parse_int(props["stride"], "stride", path) if "stride" in props else None
        return cls(
            names=names,
            imgsz=imgsz,
            stride=stride or DEFAULT_STRIDE,
            task=props.get("task"),
            end_to_end=_end_to_end(props),
        )


def _end_to_end(props: Mapping[str, str]) -> bool | None:
    """Whether the export says its output is already suppressed; ``None`` when it is silent.

    Newer exports write ``end2end``; ``nms=True`` exports say so in ``args``. Both are hints
    only (the output shape decides), so a value that does not parse counts as silence.
    """
    flags: list[bool] = []
    for key in ("end2end", "args"):
        try:
            value = ast.literal_eval(props[key]) if key in props else None
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            value = None
        if key == "args" and isinstance(value, dict):
            value = value.get("nms")
        if isinstance(value, bool):
            flags.append(value)
    return any(flags) if flags else None


def parse_names(text: str, path: Path) -> tuple[str, ...]:
    """Parse Ultralytics' ``names``: a dict literal ``{index: name}`` or a list literal.

    Raises:
        ModelError: Not a literal, not a dict or list of names, or indices not 0..n-1.
    """
    value = _literal(text, "names", path)
    if isinstance(value, list | tuple) and all(isinstance(n, str) for n in value):
        return tuple(value)
    if isinstance(value, dict) and all(
        isinstance(k, int) and isinstance(v, str) for k, v in value.items()
    ):
        if sorted(value) != list(range(len(value))):
            raise _bad(path, "names", text, "class indices must run 0..n-1 without gaps")
        return tuple(value[i] for i in range(len(value)))
    raise _bad(path, "names", text, "expected {index: 'name', ...} or ['name', ...]")


def parse_imgsz(text: str, path: Path) -> tuple[int, int]:
    """Parse Ultralytics' ``imgsz``: ``[h, w]`` or a single int for a square.

    Raises:
        ModelError: Not one or two positive integers.
    """
    value = _literal(text, "imgsz", path)
    if isinstance(value, int) and not isinstance(value, bool):
        value = [value, value]
    if (
        isinstance(value, list | tuple)
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value)
    ):
        return int(value[0]), int(value[1])
    raise _bad(path, "imgsz", text, "expected [height, width] of positive integers")


def _parse_int(text: str, key: str, path: Path) -> int:
    value = _literal(text, key, path)
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    raise _bad(path, key, text, "expected a positive integer")


def _literal(text: str, key: str, path: Path) -> object:
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError) as error:
        raise _bad(path, key, text, "not a Python literal") from error


def _bad(path: Path, key: str, text: str, why: str) -> ModelError:
    shown = text if len(text) <= 60 else text[:57] + "..."
    return ModelError(
        f"metadata '{key}' is malformed ({why}): {shown!r}",
        subject=path,
        hint="re-export the model with Ultralytics, or pass names=/imgsz= explicitly",
    )
