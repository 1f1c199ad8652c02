"""The people profile: people found (HOG), tracked (ByteTrack) → entered / left events, a count."""
