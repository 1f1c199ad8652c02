"""Server settings read from the environment, shared by the event store and the studio.

Example:
    >>> class S(BaseModel):
    ...     port: int = 8000
    >>> from_environment(S, "APP_", "app", {"APP_PORT": "9000"}, {}).port
    9000
    >>> is_loopback_host("127.0.0.1"), is_loopback_host("0.0.0.0")
    (True, False)
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from framewise.core.errors import ConfigError

SettingsT = TypeVar("SettingsT", bound=BaseModel)


def from_environment(
    cls: type[SettingsT],
    prefix: str,
    what: str,
    environ: Mapping[str, str] | None,
    overrides: Mapping[str, Any],
) -> SettingsT:
    """Settings from ``<prefix><FIELD>`` variables, then ``overrides`` (``None`` ignored).

    Args:
        cls: The settings model.
        prefix: The variables' prefix, e.g. ``FRAMEWISE_STORE_``.
        what: The server's name in messages, e.g. ``event store``.
        environ: The environment to read (``os.environ`` when ``None``).
        overrides: Values that win over the environment (the command line's).

    Raises:
        ConfigError: A value is invalid; the message names the variable.
    """
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for name in cls.model_fields:
        key = prefix + name.upper()
        if key in env:
            values[name] = env[key]
    values.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return cls(**values)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise ConfigError(
            f"invalid {what} setting {field}: {first['msg']}",
            subject=prefix + field.upper(),
            hint="fix the variable or the matching command-line option",
        ) from None


def is_loopback_host(host: str) -> bool:
    """Whether a server bound to ``host`` only accepts connections from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        # A host name other than localhost may resolve to anything: treat it as public.
        return False
