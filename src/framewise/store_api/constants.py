"""Allowed values and limits of the store's contract, shared by the client and the server.

The server's tables (``framewise.store.models``) take their CHECK constraints from here, so the
contract is the one source of truth and never imports the server.
"""

from __future__ import annotations

# ----------------------------------------------------------------------------- generic core

SESSION_TYPES = ("stream", "practice", "casual")
"""What a session is; the original contract's three kinds."""

NAME_MAX = 200
"""Longest name-like text (a state, a map, an event type, an artefact kind)."""

NOTES_MAX = 10_000
"""Longest free text (notes, a source video path, an artefact's URI)."""

IMPORT_KEY_MAX = 64
"""Longest import key (a hex digest fits)."""

BATCH_MAX = 100_000
"""Most items in one batch body."""

PAYLOAD_MAX_BYTES = 64 * 1024
"""Largest event or artefact payload, counted as compact UTF-8 JSON."""

PAYLOAD_MAX_DEPTH = 32
"""Deepest nesting of a payload (objects and arrays); deeper is refused, never recursed."""

MEDIA_TYPE_MAX = 255
"""Longest media type (RFC 6838 allows 127 + 1 + 127)."""

LIST_LIMIT_MAX = 10_000
"""Most records one list request returns."""

RECORD_ID_MAX = 2**63 - 1
"""Largest id a 64-bit INTEGER column holds; no stored record has a bigger one."""

LIST_OFFSET_MAX = 2**53 - 1
"""Largest list offset: the largest integer every JSON client holds exactly."""

DUPLICATE_CODE = "duplicate"
"""Code of the 409 answered when a session with the same import key already exists."""

# ----------------------------------------------------------------------------- tarkov extension
# The original app's raids: the Tarkov profile's extension of the generic core. Kept here
# because the original REST contract (unchanged) validates them.

CHARACTER_TYPES = ("pmc", "scav")
GAME_MODES = ("pve", "pvp")
INITIAL_RAID_STATE = "stash_management"
SURVIVED_STATE = "survived"
