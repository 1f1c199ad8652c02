"""Live mode: the batch pipeline's per-frame step on a live or replayed source, served.

:mod:`sources` (what ``--source`` names), :mod:`runner` (the pipeline thread), :mod:`messages`
(events → WebSocket messages, the overlay tally), :mod:`broadcast` (fan-out to clients),
:mod:`thresholds` (``POST /config``), :mod:`store_writer` (``--store``), :mod:`app` (FastAPI
routes), :mod:`service` (all of it together), :mod:`metrics` (latency and rate).
"""
