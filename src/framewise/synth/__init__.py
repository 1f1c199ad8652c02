"""Synthetic game sessions with exact ground truth (``framewise synth``).

A seeded script of screens, raids and kills (:mod:`.script`) is painted frame by frame
(:mod:`.compose`) and encoded to H.264 (:mod:`.render`); the ground truth (:mod:`.groundtruth`)
holds every event and every labelled box. See ``README.md`` for the JSON layout.
"""

from framewise.synth.groundtruth import GroundTruth, groundtruth_path
from framewise.synth.render import RenderSettings, render_session
from framewise.synth.script import make_script

__all__ = ["GroundTruth", "RenderSettings", "groundtruth_path", "make_script", "render_session"]
