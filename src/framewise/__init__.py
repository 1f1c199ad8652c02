"""framewise: video in; reviewed events, training datasets and trained models out."""

__version__ = "0.1.0"
