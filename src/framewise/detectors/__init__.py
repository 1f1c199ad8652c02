"""Detectors: turn batches of frames into detections, one :class:`Detections` per frame.

The protocol and the registry of detector kinds live in :mod:`framewise.detectors.base`.
"""
