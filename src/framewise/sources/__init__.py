"""Video sources: files, folders, image folders, devices, streams, and real-time replays.

Every source yields :class:`framewise.core.frames.Frame` objects whose ``seconds`` come from
presentation timestamps. Pick one from a ``source:`` config with
:func:`framewise.sources.registry.open_source` (the registry of kinds), or construct it
directly.
"""
