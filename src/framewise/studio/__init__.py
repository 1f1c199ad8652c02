"""The studio: workflow W2's loop (upload → extract → label → train → predict) over HTTP.

``framewise studio`` serves :func:`create_app`; see ``docs/studio-api.md`` for the API.
"""

from framewise.studio.app import create_app
from framewise.studio.settings import StudioSettings

__all__ = ["StudioSettings", "create_app"]
