"""Datasets: frames for labelling, YOLO / CVAT / COCO export and import, feature tables."""
