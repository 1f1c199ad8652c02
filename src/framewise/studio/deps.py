"""What request handlers depend on, handed to them with FastAPI's ``Depends``.

Routers are built by factory functions that receive one :class:`StudioDeps`; nothing is hung
on ``app.state``, so two apps in one process (tests run several) never share data or a token.
"""

from __future__ import annotations

import hmac

from fastapi import Header

from framewise.studio.errors import StudioError
from framewise.studio.service import Studio


class StudioDeps:
    """The dependencies of every router of one app.

    Args:
        studio: The app's data, jobs and settings.
    """

    def __init__(self, studio: Studio) -> None:
        self._studio = studio

    def studio(self) -> Studio:
        """Dependency: the app's :class:`Studio`."""
        return self._studio

    def authorize(self, authorization: str | None = Header(default=None)) -> None:
        """Dependency of every write: check the bearer token when one is configured.

        Raises:
            StudioError: 401 when the token is missing or wrong.
        """
        token = self._studio.settings.token
        if not token:
            return
        scheme, _, given = (authorization or "").partition(" ")
        # compare_digest: the time taken must not tell how many leading characters matched.
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            given.strip().encode(), token.encode()
        ):
            raise StudioError(
                401,
                "unauthorized",
                "this studio needs Authorization: Bearer <token> for writes",
                "send the token the studio was started with (--token)",
            )
