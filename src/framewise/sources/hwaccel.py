"""Hardware decoding (PyAV's ``HWAccel``) behind the ``source.decode.hwaccel`` option.

A pipeline written for a GPU machine must still run on one without: the device is tried per
file and, where it cannot start, the file is decoded on the CPU (one warning line for each
device type in a process, not one per file).
"""

from __future__ import annotations

import logging
from pathlib import Path

import av
import av.error
from av.codec.hwaccel import HWAccel, hwdevices_available

log = logging.getLogger(__name__)


_WARNED: set[str] = set()
"""Device types already warned about in this process (a machine without the device says so
once, not once per file of a folder; later files fall back at debug level)."""


def hardware_decoder(kind: str | None, path: Path) -> HWAccel | None:
    """PyAV's hardware decoding on a ``kind`` device for ``path``, or ``None`` (the CPU).

    Tried for every file: a device type this FFmpeg lacks, or one it has but that cannot open
    this file (no GPU, no driver, a codec the device does not decode), decodes on the CPU with
    a warning — the first time for each device type in a process; later at debug level.
    """
    if kind is None:
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
    level = logging.DEBUG if kind in _WARNED else logging.WARNING
    _WARNED.add(kind)
    log.log(level, "%s: hwaccel %r %s; decoding on the CPU", path, kind, reason)
    return None
