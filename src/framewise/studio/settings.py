"""Settings of the studio server: where its data lives, where to bind, who may write.

Every field can come from the environment (``FRAMEWISE_STUDIO_<FIELD>``) or from the CLI,
as the event store's do. Loopback is the default; any other interface needs a write token.

Example:
    >>> StudioSettings(data_dir=Path("/tmp/studio")).max_upload_bytes
    2147483648
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from framewise.config.env import from_environment, is_loopback_host
from framewise.core.errors import ConfigError

ENV_PREFIX = "FRAMEWISE_STUDIO_"
DEFAULT_DATA_DIR = Path.home() / ".local" / "share" / "framewise" / "studio"


class StudioSettings(BaseModel):
    """How the studio runs.

    Attributes:
        data_dir: The data root: uploads, features, datasets, models, the job table.
        host: Interface to bind; loopback by default.
        port: TCP port.
        token: Write token. Required whenever ``host`` is not loopback; when set, every
            ``POST``/``PUT``/``DELETE`` must send ``Authorization: Bearer <token>``.
        max_upload_bytes: Largest request body (a video upload) accepted; 413 above it.
        default_sample_fps: Frames per second extracted when a request names no rate.
        object_model: A ``yolo_onnx`` model for the ``yolo`` and ``fusion`` detectors.
        workers: Worker processes running jobs (each one job at a time).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    data_dir: Path = DEFAULT_DATA_DIR
    host: str = "127.0.0.1"
    port: int = Field(default=8001, ge=0, le=65535)
    token: str | None = None
    max_upload_bytes: int = Field(default=2 * 1024**3, gt=0)
    default_sample_fps: float = Field(default=10.0, gt=0, le=1000)
    object_model: Path | None = None
    workers: int = Field(default=1, ge=1, le=16)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> StudioSettings:
        """Build settings from ``FRAMEWISE_STUDIO_*`` variables, then explicit overrides.

        Raises:
            ConfigError: A value is invalid; the message names the variable.
        """
        return from_environment(cls, ENV_PREFIX, "studio", environ, overrides)

    def is_loopback(self) -> bool:
        """Whether ``host`` only accepts connections from this machine."""
        return is_loopback_host(self.host)

    def check(self) -> None:
        """Refuse to serve writes to the network without a token, or a missing object model.

        Raises:
            ConfigError: ``host`` is not loopback and no token is set, or ``object_model``
                is not a file.
        """
        if not self.is_loopback() and not self.token:
            raise ConfigError(
                f"binding the studio to {self.host} needs a write token",
                subject="--host",
                hint="pass --token T (or set FRAMEWISE_STUDIO_TOKEN), or bind to 127.0.0.1",
            )
        if self.object_model is not None and not self.object_model.is_file():
            raise ConfigError(
                f"object model {self.object_model} is not a file",
                subject="--object-model",
                hint="give a yolo_onnx model file, or leave the option out",
            )

    def detectors(self) -> list[str]:
        """The detector types this server can run (``yolo`` needs the object model)."""
        names = ["pose", "hands", "fusion"]
        return [*names, "yolo"] if self.object_model is not None else names
