"""Column checks and fills behind :class:`~framewise.core.detections.Detections`.

Every optional column of a :class:`Detections` is an array whose first axis is the box; these
helpers coerce one to its dtype and rank with a clear message, and build the filler rows that
``merge`` puts where an input lacks a column another input has.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

AnyArray = NDArray[Any]


class ColumnSpec:
    """One optional array column: its dtype, its rank, and how a missing row is filled.

    Args:
        name: The column's name (for messages).
        dtype: The dtype values are cast to.
        trailing: The fixed sizes of the axes after the first (``None``: any size), so
            ``(None, 3)`` for keypoints ``N × K × 3``.
        fill: The value of a row an input lacks when merged.
    """

    def __init__(
        self, name: str, dtype: type[np.generic], trailing: tuple[int | None, ...], fill: Any
    ) -> None:
        self.name = name
        self.dtype = dtype
        self.trailing = trailing
        self.fill = fill

    def coerce(self, values: Any, n: int) -> AnyArray:
        """``values`` as an array of N rows of this column, or a ValueError saying why not."""
        array = np.asarray(values)
        if array.dtype.kind not in "biuf":
            raise ValueError(f"{self.name} must be numeric, got dtype {array.dtype}")
        whole = not array.size or array.dtype.kind != "f" or np.array_equal(array, np.round(array))
        if self.dtype is np.int64 and not whole:
            raise ValueError(f"{self.name} must hold whole numbers")
        array = array.astype(self.dtype, copy=False)
        if n == 0 and array.size == 0 and array.ndim < 1 + len(self.trailing):
            array = array.reshape((0, *(t or 0 for t in self.trailing)))
        rank_ok = array.ndim == 1 + len(self.trailing)
        sizes_ok = rank_ok and all(
            want is None or got == want
            for got, want in zip(array.shape[1:], self.trailing, strict=True)
        )
        if not sizes_ok or array.shape[0] != n:
            wanted = "×".join(["N", *("?" if t is None else str(t) for t in self.trailing)])
            raise ValueError(
                f"{self.name} must be {wanted} with N = {n} boxes, got shape {array.shape}"
            )
        return array

    def merged(self, parts: Sequence[AnyArray | None], lengths: Sequence[int]) -> AnyArray | None:
        """The column of the concatenation; inputs without it get filler rows.

        Raises:
            ValueError: The inputs that have the column disagree in its trailing shape, so
                no filler row fits all of them.
        """
        if all(p is None for p in parts):
            return None
        shapes = {p.shape[1:] for p in parts if p is not None and len(p)}
        if len(shapes) > 1:
            listed = ", ".join("×".join(map(str, s)) for s in sorted(shapes))
            raise ValueError(
                f"cannot merge {self.name}: its rows have different shapes ({listed}); "
                f"resize them to one shape first"
            )
        trail = (
            shapes.pop()
            if shapes
            else next(p.shape[1:] for p in parts if p is not None)  # all present ones empty
        )
        filled = [
            p if p is not None else np.full((n, *trail), self.fill, self.dtype)
            for p, n in zip(parts, lengths, strict=True)
        ]
        filled = [f if len(f) else np.zeros((0, *trail), self.dtype) for f in filled]
        return np.concatenate(filled).astype(self.dtype, copy=False)


def coerce_data(data: Mapping[str, Any] | None, n: int) -> dict[str, AnyArray]:
    """The per-box ``data`` map checked: string keys, numeric or string arrays of N rows."""
    result: dict[str, AnyArray] = {}
    for key, values in (data or {}).items():
        if not isinstance(key, str) or not key or "/" in key:
            raise ValueError(f"data keys must be non-empty names without '/', got {key!r}")
        array = np.asarray(values)
        # Object arrays would need pickling in the journal's side-car; refuse them here.
        if array.dtype.kind not in "biufcUS":
            raise ValueError(f"data[{key!r}] must be a numeric or string array, not {array.dtype}")
        if array.ndim == 0 or array.shape[0] != n:
            raise ValueError(f"data[{key!r}] must have one row per box ({n}), got {array.shape}")
        result[key] = array
    return result


def merge_data(
    parts: Sequence[Mapping[str, AnyArray]], lengths: Sequence[int]
) -> dict[str, AnyArray]:
    """Concatenate per-box ``data`` maps; a float key an input lacks is filled with NaN.

    Raises:
        ValueError: A key that is not floating point is missing from an input with boxes,
            or its arrays disagree in trailing shape.
    """
    keys = list(dict.fromkeys(k for p in parts for k in p))
    result: dict[str, AnyArray] = {}
    for key in keys:
        present = [p[key] for p in parts if key in p]
        trails = {a.shape[1:] for a in present if len(a)} or {present[0].shape[1:]}
        if len(trails) > 1:
            raise ValueError(f"cannot merge data[{key!r}]: its rows have different shapes")
        trail = trails.pop()
        dtype = np.result_type(*present)
        columns = []
        for part, n in zip(parts, lengths, strict=True):
            if key in part:
                columns.append(part[key])
            elif n == 0:
                columns.append(np.zeros((0, *trail), dtype))
            elif dtype.kind == "f":
                columns.append(np.full((n, *trail), np.nan, dtype))
            else:
                raise ValueError(
                    f"cannot merge data[{key!r}]: some detections lack it and its dtype "
                    f"({dtype}) has no missing value; give every input the key"
                )
        result[key] = np.concatenate(columns).astype(dtype, copy=False)
    return result
