"""Compatibility: the live messages and tally of the bundled game profile.

The rules live with their profile, in :mod:`framewise.profiles.tarkov.messages`; a live run
asks its profile's hooks (:class:`framewise.profiles.base.ProfileHooks`). This module keeps
the old import path working.
"""

from __future__ import annotations

from framewise.profiles.tarkov.messages import (
    MESSAGE_TYPES,
    NOT_SENT,
    Tally,
    message_type,
    to_message,
)

__all__ = ["MESSAGE_TYPES", "NOT_SENT", "Tally", "message_type", "to_message"]
