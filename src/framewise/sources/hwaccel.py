"""Hardware decoding (PyAV's ``HWAccel``) behind the ``source.decode.hwaccel`` option.

A pipeline written for a GPU machine must still run on one without: the device is tried per
file and, where it cannot start, files are decoded on the CPU with one warning line a process.
"""

from __future__ import annotations

import logging
from pathlib import Path

import av
import av.error
from av.codec.hwaccel import HWAccel, hwdevices_available

log = logging.getLogger(__name__)


_UNAVAILABLE: dict[str, str] = {}
"""Device types that could not start in this process, and why (a machine without the device
says so once, not once per file of a folder)."""


def hardware_decoder(kind: str | None, path: Path) -> HWAccel | None:
    """PyAV's hardware decoding on a ``kind`` device for ``path``, or ``None`` (the CPU).

    Tried here: a device type this FFmpeg lacks, or one it has but this machine cannot open
    (no GPU, no driver), logs one warning — the first time in a process; later files only at
    debug level — and decodes on the CPU instead.
    """
    if kind is None:
        return None
    if kind in _UNAVAILABLE:
        log.debug("%s: hwaccel %r unavailable (%s); decoding on the CPU", path, kind,
                  _UNAVAILABLE[kind])  # fmt: skip
        return None
    if kind not in hwdevices_available():
        reason = f"not in this FFmpeg build (has {', '.join(hwdevices_available()) or 'none'})"
    else:
        accel = HWAccel(device_type=kind, allow_software_fallback=True)
        try:
            av.open(str(path), mode="r", metadata_errors="ignore", hwaccel=accel).close()
        except av.error.FFmpegError as exc:
            reason = f"could not start ({exc.strerror})"
        else:
            return accel
    _UNAVAILABLE[kind] = reason
    log.warning("%s: hwaccel %r %s; decoding on the CPU", path, kind, reason)
    return None
