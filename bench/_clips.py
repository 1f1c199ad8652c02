"""Benchmark clips: made once with ``framewise.testing.clips`` and cached under ``.bench/``.

The cache key is the file name, which spells out every parameter (and a painter version),
so changing a flag makes a new clip and never reuses one made differently.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from framewise.testing.clips import ClipInfo, make_clip

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / ".bench"
PAINTER_VERSION = 1  # bump when the clip maker draws differently


@dataclass(frozen=True)
class ClipSpec:
    """Everything that decides a benchmark clip's bytes."""

    seconds: float = 60.0
    width: int = 1920
    height: int = 1080
    fps: float = 60.0
    gop_seconds: float = 2.0
    bitrate: int = 10_000_000
    noise: float = 0.5
    preset: str = "veryfast"
    suffix: str = ".mkv"

    @property
    def name(self) -> str:
        """A file name that encodes every parameter."""
        return (
            f"clip-{self.seconds:g}s-{self.width}x{self.height}-{self.fps:g}fps"
            f"-gop{self.gop_seconds:g}s-{self.bitrate // 1000}kbps-noise{self.noise:g}"
            f"-{self.preset}-v{PAINTER_VERSION}{self.suffix}"
        )


@dataclass(frozen=True)
class CachedClip:
    """A benchmark clip on disk, and how long making it took (``None`` when cached)."""

    path: Path
    spec: ClipSpec
    made_in_seconds: float | None

    @property
    def bit_rate(self) -> float:
        """Average bits per second of the file."""
        return self.path.stat().st_size * 8 / self.spec.seconds


def cached_clip(
    spec: ClipSpec, *, cache: Path = CACHE, say: Callable[[str], None] = print
) -> CachedClip:
    """The clip for ``spec``, made first if the cache has none."""
    path = cache / spec.name
    if path.exists():
        return CachedClip(path, spec, None)
    cache.mkdir(parents=True, exist_ok=True)
    say(f"making {path.relative_to(REPO) if path.is_relative_to(REPO) else path} (once) ...")
    began = time.perf_counter()
    info: ClipInfo = make_clip(
        path,
        seconds=spec.seconds,
        width=spec.width,
        height=spec.height,
        fps=spec.fps,
        gop_seconds=spec.gop_seconds,
        bitrate=spec.bitrate,
        noise=spec.noise,
        preset=spec.preset,
    )
    took = time.perf_counter() - began
    say(
        f"  {info.frame_count} frames in {took:.1f} s "
        f"({info.frame_count / took:.1f} fps, x264 preset {spec.preset}, "
        f"{info.bit_rate / 1e6:.2f} Mb/s)"
    )
    return CachedClip(path, spec, took)


def parse_size(text: str) -> tuple[int, int]:
    """``"1920x1080"`` as ``(1920, 1080)``; an argparse type."""
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must look like 1920x1080, got {text!r}") from None
    return width, height


def parse_bitrate(text: str) -> int:
    """``"10M"``, ``"2500k"`` or ``"10000000"`` as bits per second; an argparse type."""
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:].lower(), 1)
    digits = text[:-1] if scale != 1 else text
    try:
        return int(float(digits) * scale)
    except ValueError:
        raise argparse.ArgumentTypeError(f"bit rate must look like 10M, got {text!r}") from None


def add_clip_arguments(parser: argparse.ArgumentParser, defaults: ClipSpec) -> None:
    """The flags that choose a benchmark clip."""
    group = parser.add_argument_group("clip")
    group.add_argument("--seconds", type=float, default=defaults.seconds)
    group.add_argument(
        "--size", type=parse_size, default=(defaults.width, defaults.height), help="WxH"
    )
    group.add_argument("--fps", type=float, default=defaults.fps)
    group.add_argument("--gop", type=float, default=defaults.gop_seconds, help="seconds")
    group.add_argument("--bitrate", type=parse_bitrate, default=defaults.bitrate, help="e.g. 10M")
    group.add_argument("--noise", type=float, default=defaults.noise, help="0 to 1")
    group.add_argument("--preset", default=defaults.preset, help="x264 preset")
    group.add_argument("--container", choices=[".mkv", ".mp4"], default=defaults.suffix)


def spec_from_arguments(args: argparse.Namespace) -> ClipSpec:
    """The :class:`ClipSpec` the flags of :func:`add_clip_arguments` ask for."""
    width, height = args.size
    return ClipSpec(
        seconds=args.seconds,
        width=width,
        height=height,
        fps=args.fps,
        gop_seconds=args.gop,
        bitrate=args.bitrate,
        noise=args.noise,
        preset=args.preset,
        suffix=args.container,
    )
