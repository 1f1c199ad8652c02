"""Multi-camera recording sessions (W1): episodes with pre/post roll, stereo, manifests.

Modules, in data-flow order: :mod:`.config` (the ``recording:`` YAML), :mod:`.calibration`
(checkerboard → intrinsics, distortion, extrinsics), :mod:`.stereo` (epipolar check and
triangulation), :mod:`.pairing` (frames of N cameras grouped by capture time),
:mod:`.episodes` (active frames → episodes with rolls), :mod:`.video` and :mod:`.writer`
(episode folders), :mod:`.session` (the recorder loop), :mod:`.verify` and :mod:`.evaluate`.
Nothing is imported here, so ``import framewise.record.config`` stays light.
"""
