"""The Escape from Tarkov profile: its pipeline, vocabularies, model and domain code."""
