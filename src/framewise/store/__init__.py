"""The event store's server: a generic core behind a REST API, and the Tarkov extension.

The core is sessions, events and artefacts; the Tarkov profile's raids, state transitions and
kills extend it.

Layout: :mod:`settings` (where and how it runs), :mod:`models` (tables), :mod:`db` (engines,
Alembic migrations in :mod:`migrations`), :mod:`repository_core` and :mod:`repository` (the
only SQL), :mod:`stats` (pure functions over rows), :mod:`api` (FastAPI app and routers),
:mod:`local` (a server in a background thread), :mod:`openapi` (writes ``docs/openapi.json``).

The contract (request and response bodies, the typed HTTP client) is :mod:`framewise.store_api`,
which never imports this package; :mod:`schemas` and :mod:`client` here are compatibility
re-exports of it. Nothing is imported here, so ``import framewise.store`` stays cheap.
"""
