"""Video sources: files, folders, live devices and streams, and replays at real-time pace.

Every source yields :class:`framewise.core.frames.Frame` objects whose ``seconds`` come from
presentation timestamps. Pick one with :func:`open_source` or construct it directly.
"""
