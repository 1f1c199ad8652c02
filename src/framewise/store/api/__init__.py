"""The event store's FastAPI app: :func:`create_app` wires small routers to one :class:`Store`."""

from framewise.store.api.app import create_app

__all__ = ["create_app"]
