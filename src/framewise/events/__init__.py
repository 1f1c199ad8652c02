"""Events out: the JSON event log, the detection journal (checkpoints), thumbnails, sinks."""
