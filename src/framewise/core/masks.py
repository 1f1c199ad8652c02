"""COCO run-length encoding of binary masks, in pure numpy (pycocotools' exact format).

COCO stores a mask as the lengths of its alternating runs of 0s and 1s, read column by
column (Fortran order), starting with a run of 0s (possibly empty). The "compressed" form
pycocotools writes packs those counts into an ASCII string: each count (after the third, as
a difference from the count two before it) in little-endian groups of 5 bits, one character
per group, 48 added, bit 6 (0x20) set when another group follows.

Example:
    >>> import numpy as np
    >>> mask = np.array([[0, 1], [1, 1]], bool)
    >>> rle_counts(mask)
    [1, 3]
    >>> encode_rle(mask)
    {'size': [2, 2], 'counts': '13'}
    >>> bool((decode_rle(encode_rle(mask)) == mask).all())
    True
    >>> RleMask.encode(mask).area, RleMask.encode(mask).as_coco()["size"]
    (3, [2, 2])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

BoolArray = NDArray[np.bool_]


def rle_counts(mask: NDArray[Any]) -> list[int]:
    """The uncompressed COCO counts of an H×W mask (runs of 0s and 1s, column-major)."""
    if mask.ndim != 2:
        raise ValueError(f"a mask is H×W, got shape {mask.shape}")
    flat = np.asarray(mask, dtype=bool).ravel(order="F")
    changes = np.flatnonzero(flat[1:] != flat[:-1]) + 1
    runs = np.diff(np.concatenate([[0], changes, [flat.size]]))
    if flat.size and flat[0]:
        runs = np.concatenate([[0], runs])  # counts always open with a run of 0s
    return [int(r) for r in runs]


def counts_to_string(counts: Sequence[int]) -> str:
    """Pack counts into pycocotools' compressed string (``rleToString``)."""
    chars: list[str] = []
    for i, count in enumerate(counts):
        # pycocotools deltas from the count two before, but only from the fourth count on
        # (its ``i > 2``); matching that quirk keeps the strings byte-identical.
        x = int(count) - (int(counts[i - 2]) if i > 2 else 0)
        more = True
        while more:
            c = x & 0x1F
            x >>= 5  # arithmetic shift, as C's on a signed long
            more = x != -1 if c & 0x10 else x != 0
            if more:
                c |= 0x20
            chars.append(chr(c + 48))
    return "".join(chars)


def string_to_counts(text: str) -> list[int]:
    """Unpack pycocotools' compressed string (``rleFrString``) into counts."""
    counts: list[int] = []
    p = 0
    while p < len(text):
        x = k = 0
        more = True
        while more:
            if p >= len(text):
                raise ValueError("the RLE string ends inside a count")
            c = ord(text[p]) - 48
            x |= (c & 0x1F) << (5 * k)
            more = bool(c & 0x20)
            p += 1
            k += 1
            if not more and c & 0x10:
                x |= -1 << (5 * k)  # sign-extend the last group
        if len(counts) > 2:
            x += counts[-2]
        counts.append(x)
    return counts


def encode_rle(mask: NDArray[Any]) -> dict[str, Any]:
    """An H×W mask as a compressed COCO RLE: ``{"size": [h, w], "counts": str}``."""
    height, width = mask.shape
    return {"size": [int(height), int(width)], "counts": counts_to_string(rle_counts(mask))}


def decode_rle(rle: Mapping[str, Any]) -> BoolArray:
    """A COCO RLE (compressed string/bytes or uncompressed list counts) as an H×W bool mask.

    Raises:
        ValueError: The counts do not add up to ``h × w``.
    """
    height, width = (int(v) for v in rle["size"])
    raw = rle["counts"]
    if isinstance(raw, bytes):
        raw = raw.decode("ascii")
    counts = string_to_counts(raw) if isinstance(raw, str) else [int(c) for c in raw]
    if sum(counts) != height * width or any(c < 0 for c in counts):
        raise ValueError(f"RLE counts cover {sum(counts)} pixels, not {height}×{width}")
    values = np.arange(len(counts)) % 2 == 1
    flat = np.repeat(values, counts)
    return flat.reshape((height, width), order="F")


@dataclass(frozen=True)
class RleMask:
    """One box's mask as a compressed COCO RLE, carried without decoding it to pixels.

    Attributes:
        height: Rows of the frame the mask covers.
        width: Columns of the frame.
        counts: pycocotools' compressed counts string.
    """

    height: int
    width: int
    counts: str

    @classmethod
    def encode(cls, mask: NDArray[Any]) -> RleMask:
        """An H×W bitmap, run-length encoded."""
        height, width = mask.shape
        return cls(int(height), int(width), counts_to_string(rle_counts(mask)))

    @classmethod
    def empty(cls, height: int, width: int) -> RleMask:
        """A mask with no pixel set."""
        return cls(height, width, counts_to_string([height * width]))

    @classmethod
    def of(cls, value: RleMask | Mapping[str, Any]) -> RleMask:
        """An :class:`RleMask`, or a COCO RLE dict (compressed or list counts), checked.

        The counts are parsed (not decoded to pixels) to check they cover ``h × w``.

        Raises:
            ValueError: Not an RLE, or its counts do not add up to its size.
        """
        if isinstance(value, RleMask):
            return value
        if not isinstance(value, Mapping) or "size" not in value or "counts" not in value:
            raise ValueError(f"a mask RLE is {{'size': [h, w], 'counts': ...}}, got {value!r:.80}")
        size = value["size"]
        if len(size) != 2 or any(not isinstance(v, int | np.integer) or v < 0 for v in size):
            raise ValueError(f"a mask RLE's size is [height, width], got {size!r}")
        height, width = int(size[0]), int(size[1])
        raw = value["counts"]
        if isinstance(raw, bytes):
            raw = raw.decode("ascii")
        counts = string_to_counts(raw) if isinstance(raw, str) else [int(c) for c in raw]
        if sum(counts) != height * width or any(c < 0 for c in counts):
            raise ValueError(f"RLE counts cover {sum(counts)} pixels, not {height}×{width}")
        text = raw if isinstance(raw, str) else counts_to_string(counts)
        return cls(height, width, text)

    @property
    def area(self) -> int:
        """Pixels set (the odd runs), from the counts alone."""
        return int(sum(string_to_counts(self.counts)[1::2]))

    def decode(self) -> BoolArray:
        """The H×W bitmap."""
        return decode_rle(self.as_coco())

    def as_coco(self) -> dict[str, Any]:
        """``{"size": [h, w], "counts": str}``, as pycocotools (and the JSON) take it."""
        return {"size": [self.height, self.width], "counts": self.counts}
