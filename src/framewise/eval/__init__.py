"""Scoring against ground truth: events, OCR, and (to come) 3-D trajectories and classifiers.

- :mod:`.events`: an event log against true events (recall, precision, time error, fields);
- :mod:`.compare`: models run through the same pipeline on the same sessions, ranked;
- :mod:`.ocr`, :mod:`.ocr_report`, :mod:`.ocr_metrics`: stock OCR against text ground truth.

Ground truth comes in as data (event files, or objects shaped like
:class:`~framewise.eval.ocr.TextTruth`); this package never imports the renderer
(``framewise.synth``), which supplies such truth for its own sessions.
"""
