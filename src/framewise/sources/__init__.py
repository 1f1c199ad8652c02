"""Video sources: files, folders, image folders, devices, streams, and real-time replays.

Every source yields :class:`framewise.core.frames.Frame` objects with true times: presentation
timestamps for recordings (best-effort ones where a file has none, see
:mod:`framewise.sources.timing`), arrival for live sources, the rate or a timestamps CSV for an
image folder. A recording's ``Frame.index`` is the frame's index in the video, however it was
read. Pick one from a ``source:`` config with
:func:`framewise.sources.registry.open_source` (the registry of kinds), or construct it
directly.
"""
