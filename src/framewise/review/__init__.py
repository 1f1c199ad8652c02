"""The review web app: check and correct an event log in the browser, beside its video.

:func:`open_review` reads the log and prepares its video, :func:`create_app` builds the FastAPI
app, :class:`ReviewServer` serves it on 127.0.0.1 in a thread.
"""

from framewise.review.app import create_app, open_review
from framewise.review.deps import ReviewSettings
from framewise.review.server import ReviewServer
from framewise.review.session import ReviewSession

__all__ = ["ReviewServer", "ReviewSession", "ReviewSettings", "create_app", "open_review"]
