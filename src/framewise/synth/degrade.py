"""Degraded renders: footage as real recordings are (grain, 720p, low bit rates, overlays).

A :class:`Degradation` is parsed from ``framewise synth --degrade`` (comma-separated items,
combinable, each seeded by ``--degrade-seed``):

==================  ======================================================================
``grain[=S]``       film grain on the luma, σ = S levels of 255 (default 10)
``downscale=H``     the video is H pixels high (720, 480 …); the game is drawn at ``--size``
``bitrate=R``       x264 at R bit/s (``2M``, ``1500k``)
``blur[=PX]``       motion blur of the game world (not the UI), up to PX pixels at 720p (12)
``gamma[=G]``       gamma G (default: 0.75 or 1.35, by seed)
``colour[=S]``      per-channel gains and offsets up to ±S (default 0.12), by seed
``overlay=webcam``  a webcam box at the bottom left (a face that moves)
``overlay=chat``    a chat column at the left, scrolling a message every 2.5 s
``ui-scale=F``      the game's UI drawn F times its size (0.8–1.25)
==================  ======================================================================

The ground truth's events do not change; its boxes are those drawn (``ui-scale``) and
scaled to the video (``downscale``). The game world is blurred before the UI is drawn on
it; colour, overlays, downscaling, grain and the encoder follow in that order (a capture
card or OBS after the game).

Example:
    >>> d = parse_degradation("grain,downscale=720,bitrate=2M,overlay=chat")
    >>> (d.grain, d.height, d.bitrate, d.overlays, d.label())
    (10.0, 720, 2000000, ('chat',), 'grain=10,downscale=720,bitrate=2M,overlay=chat')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from framewise.core.errors import ConfigError

OVERLAYS = ("webcam", "chat")
"""What ``overlay=`` may draw."""

DEGRADE_HELP = (
    "Comma-separated, combinable: grain[=SIGMA] downscale=HEIGHT bitrate=RATE (2M, 1500k) "
    "blur[=PX] gamma[=G] colour[=S] overlay=webcam overlay=chat ui-scale=F; "
    "e.g. grain,downscale=720,bitrate=2M. Ground truth events are unchanged."
)
"""The ``--degrade`` help line."""

_EXAMPLES = {"grain": "10", "downscale": "720", "blur": "12", "gamma": "1.3", "colour": "0.1"}
_EXAMPLES |= {"ui-scale": "0.9"}
_RATE = re.compile(r"^(\d+(?:\.\d+)?)([kKmM]?)$")


@dataclass(frozen=True)
class Degradation:
    """What to do to a rendered session (all off by default).

    Attributes:
        grain: Standard deviation of the luma grain, in levels of 255 (0: none).
        height: Output height (``None``: the drawn size).
        bitrate: Encoder bit rate in bit/s (``None``: the renderer's default for the size).
        blur: Longest motion blur of the game world, in pixels at 720p (0: none).
        gamma: Gamma applied to the picture (1: none; ``None``: chosen by seed).
        colour: Largest per-channel gain and offset change (0: none).
        overlays: ``webcam`` and/or ``chat``.
        ui_scale: Size of the game's UI relative to the default.
    """

    grain: float = 0.0
    height: int | None = None
    bitrate: int | None = None
    blur: float = 0.0
    gamma: float | None = 1.0
    colour: float = 0.0
    overlays: tuple[str, ...] = ()
    ui_scale: float = 1.0

    def label(self) -> str:
        """The canonical ``--degrade`` text (``clean`` when nothing is degraded)."""
        parts = []
        if self.grain:
            parts.append(f"grain={self.grain:g}")
        if self.height is not None:
            parts.append(f"downscale={self.height}")
        if self.bitrate is not None:
            parts.append(f"bitrate={_rate_text(self.bitrate)}")
        if self.blur:
            parts.append(f"blur={self.blur:g}")
        if self.gamma != 1.0:
            parts.append("gamma" if self.gamma is None else f"gamma={self.gamma:g}")
        if self.colour:
            parts.append(f"colour={self.colour:g}")
        parts += [f"overlay={name}" for name in self.overlays]
        if self.ui_scale != 1.0:
            parts.append(f"ui-scale={self.ui_scale:g}")
        return ",".join(parts) or "clean"

    def output_size(self, width: int, height: int) -> tuple[int, int]:
        """The video's size for a game drawn at ``width`` × ``height`` (even numbers)."""
        if self.height is None or self.height >= height:
            return width, height
        out_w = max(2, round(width * self.height / height / 2) * 2)
        return out_w, self.height


def _rate_text(bits: int) -> str:
    if bits % 1_000_000 == 0:
        return f"{bits // 1_000_000}M"
    if bits % 1000 == 0:
        return f"{bits // 1000}k"
    return str(bits)


def _number(item: str, value: str, low: float, high: float) -> float:
    try:
        number = float(value)
    except ValueError:
        number = float("nan")
    if not low <= number <= high:
        raise ConfigError(
            f"--degrade {item}={value}: expected a number from {low:g} to {high:g}",
            hint=f"e.g. --degrade {item}={_EXAMPLES.get(item, 1)}",
        )
    return number


def parse_degradation(text: str) -> Degradation:
    """Parse ``--degrade`` (see the module docstring); ``clean`` or empty is no degradation.

    Raises:
        ConfigError: An unknown item or a value out of range (the message names it).
    """
    result = Degradation()
    for raw in (part.strip() for part in text.split(",")):
        if not raw or raw == "clean":
            continue
        item, has_value, value = raw.partition("=")
        item = item.strip().lower().replace("_", "-")
        value = value.strip()
        if item == "grain":
            result = replace(result, grain=_number(item, value, 0.5, 60) if has_value else 10.0)
        elif item == "downscale":
            result = replace(result, height=int(_number(item, value or "?", 90, 4320)))
        elif item == "bitrate":
            result = replace(result, bitrate=_parse_rate(value))
        elif item == "blur":
            result = replace(result, blur=_number(item, value, 1, 80) if has_value else 12.0)
        elif item == "gamma":
            result = replace(result, gamma=_number(item, value, 0.3, 3.0) if has_value else None)
        elif item in ("colour", "color"):
            result = replace(result, colour=_number(item, value, 0.01, 0.5) if has_value else 0.12)
        elif item == "overlay":
            if value not in OVERLAYS:
                raise ConfigError(
                    f"--degrade overlay={value or '?'}: unknown overlay",
                    hint=f"use overlay={' or overlay='.join(OVERLAYS)}",
                )
            if value not in result.overlays:
                result = replace(result, overlays=(*result.overlays, value))
        elif item == "ui-scale":
            result = replace(result, ui_scale=_number(item, value or "?", 0.8, 1.25))
        else:
            raise ConfigError(f"--degrade: unknown item {raw!r}", hint=DEGRADE_HELP)
    return result


def _parse_rate(value: str) -> int:
    match = _RATE.match(value)
    if match is None:
        raise ConfigError(
            f"--degrade bitrate={value or '?'}: expected a rate like 2M or 1500k",
            hint="e.g. --degrade bitrate=2M",
        )
    scale = {"": 1, "k": 1000, "m": 1_000_000}[match.group(2).lower()]
    bits = int(float(match.group(1)) * scale)
    if not 100_000 <= bits <= 100_000_000:
        raise ConfigError(
            f"--degrade bitrate={value}: expected 100k to 100M", hint="e.g. --degrade bitrate=2M"
        )
    return bits
