"""Per-frame and per-clip features computed from pixels and packets (below temporal).

``handcrafted``: the 15 forensic features of workflow W4 (noise residual, DCT statistics,
blur, block-boundary inconsistency, codec cues); ``scaled``: the ones added on scaled clips
(edge preservation, texture uniformity, artefact visibility, colour consistency);
``frames``: frames sampled uniformly by time, streamed.
"""
