"""A request body size limit, enforced before the body reaches a handler.

The middleware is shared with the review app and now lives in :mod:`framewise.serving`;
this name stays for code that imports it from here.
"""

from __future__ import annotations

from framewise.serving import BodySizeLimit

__all__ = ["BodySizeLimit"]
