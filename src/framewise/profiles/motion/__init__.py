"""The motion profile: background subtraction in a region → ``motion`` events and clips."""
