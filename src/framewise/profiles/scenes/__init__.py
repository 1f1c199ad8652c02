"""The scenes profile: cuts and fades on any footage → ``scene_cut`` events, CSV/EDL, split."""
