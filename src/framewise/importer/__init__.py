"""Event log → event store: plan each log, then send it through the store's REST API.

:func:`framewise.importer.runner.Importer` is the entry point; :mod:`plan` is pure,
:mod:`single` speaks the original single endpoints, :mod:`summary` reports.
"""
