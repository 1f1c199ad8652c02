"""Legacy import path of the YOLO export of rendered sessions (compatibility re-export).

The export reads the renderer's ground truth, so it lives on the renderer's side, in
:mod:`framewise.synth.yolo_export`; the split by session is :mod:`framewise.datasets.split`.
This module only keeps ``from framewise.datasets.yolo import export_yolo`` working for existing
callers; library code must not import it (the import-linter contracts name it as the one
exception to "the library never imports the renderer").
"""

from framewise.datasets.split import split_sessions
from framewise.synth.yolo_export import YoloExportReport, export_yolo

__all__ = ["YoloExportReport", "export_yolo", "split_sessions"]
