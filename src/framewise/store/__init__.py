"""The event store: sessions, raids, state transitions and kills behind a REST API.

Layout: :mod:`settings` (where and how it runs), :mod:`models` (tables), :mod:`db` (engines,
Alembic migrations in :mod:`migrations`), :mod:`repository` (the only SQL), :mod:`stats`
(pure functions over rows), :mod:`schemas` (the API's DTOs), :mod:`api` (FastAPI app and
routers), :mod:`client` (typed HTTP client with retries), :mod:`local` (a server in a
background thread), :mod:`openapi` (writes ``docs/openapi.json``).
"""
