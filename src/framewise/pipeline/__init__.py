"""The pipeline: source → detectors → temporal logic → sinks, one object for batch and live."""
