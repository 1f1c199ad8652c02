"""Training: the trainer protocol (:mod:`.base`) and its YOLO trainer (:mod:`.yolo`).

Trainers read datasets only through :class:`framewise.datasets.spec.DatasetSpec`. The YOLO
trainer uses Ultralytics (the ``train`` extra: ``make train-deps``), which is AGPL-3.0, so it
is imported only inside functions of this package, never at module level and never by
inference code (detectors, pipeline, CLI ``process``). Every entry point first calls
:func:`framewise.training.ultralytics_env.configure_ultralytics`, which keeps Ultralytics off
the network and out of the user's home folder.
"""
