"""The text profile: lines of text on screen (hard subtitles) → ``text_shown`` events, SRT."""
