"""The event store's contract: what a client needs, and nothing of the server.

Layout: :mod:`constants` (allowed values and limits), :mod:`types` (times, names, base
models), :mod:`schemas` (the original REST contract's bodies: sessions, raids, transitions,
kills, import), :mod:`records` (the generic core's events and artefacts with typed payloads),
:mod:`stats` (statistics answers), :mod:`errors` (what the client raises), :mod:`retry`
(backoff) and :mod:`client` (the typed HTTP client).

This package imports neither SQLAlchemy nor :mod:`framewise.store`; the server imports it.
Nothing is imported here, so ``import framewise.store_api`` stays cheap.
"""
