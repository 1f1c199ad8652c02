"""Contracts shared by every stage: time, frames, detections, events, errors.

Nothing here imports a heavy library beyond numpy and pydantic.
"""
