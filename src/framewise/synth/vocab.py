"""What synthetic sessions show: maps, extracts, enemies, weapons, and the detection classes.

The class names are those of the tarkov profile's state machine table
(``profiles/tarkov/state_machine.yaml``); a unit test keeps the two in step. Of the table's
two names for the post-raid statistics screen the renderer draws ``statistics_screen``
(``post_raid_screen`` stays in the table as an alias for labels made by hand).
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

MAPS: Final = (
    "Customs",
    "Woods",
    "Shoreline",
    "Interchange",
    "Reserve",
    "Lighthouse",
    "Streets of Tarkov",
    "Factory",
    "Ground Zero",
    "The Lab",
)
"""Map names as the map selection screen writes them (``map_name`` values)."""

EXTRACTS: Final = MappingProxyType(
    {
        "Customs": ("Crossroads", "ZB-1011", "Smuggler's Boat", "Old Gas Station", "Trailer Park"),
        "Woods": ("Outskirts", "UN Roadblock", "South V-Ex", "Bridge V-Ex", "ZB-016"),
        "Shoreline": ("Road to Customs", "Tunnel", "Pier Boat", "Rock Passage", "Climber's Trail"),
        "Interchange": (
            "Emercom Checkpoint",
            "Railway Exfil",
            "Power Station V-Ex",
            "Hole in Fence",
        ),
        "Reserve": ("Cliff Descent", "Hermetic Door", "Armored Train", "Scav Lands", "D-2"),
        "Lighthouse": ("Path to Shoreline", "Southern Road", "Side Tunnel", "Mountain Pass"),
        "Streets of Tarkov": ("Collapsed Crane", "Evacuation Zone", "Damaged House", "Crash Site"),
        "Factory": ("Gate 3", "Gate 0", "Cellars", "Med Tent Gates", "Office Window"),
        "Ground Zero": ("Police Cordon V-Ex", "Mira Ave", "Nakatani Basement", "Scav Checkpoint"),
        "The Lab": ("Main Elevator", "Parking Gate", "Hangar Gate", "Cargo Elevator", "Vent Shaft"),
    }
)
"""Extraction points of each map (``extract_location`` values)."""

ENEMY_TYPES: Final = MappingProxyType(
    {"scav": "SCAV", "pmc": "PMC", "boss": "BOSS", "raider": "RAIDER", "rogue": "ROGUE"}
)
"""``enemy_type`` value → how the kill feed writes it."""

ENEMY_WEIGHTS: Final = MappingProxyType(
    {"scav": 0.5, "pmc": 0.25, "raider": 0.1, "rogue": 0.1, "boss": 0.05}
)
"""How often each enemy type is killed."""

WEAPONS: Final = (
    "AK-74M",
    "AK-74N",
    "AKM",
    "M4A1",
    "HK 416A5",
    "MP-133",
    "MP-153",
    "SVD-S",
    "Mosin",
    "SA-58",
    "RPK-16",
    "Saiga-12",
    "MP5",
    "MP7A1",
    "ASh-12",
    "VSS Vintorez",
    "M1A",
    "SR-25",
    "Glock 17",
    "AS VAL",
    "PP-19-01",
    "DVL-10",
    "M700",
    "MCX",
)
"""Weapon names as the kill feed writes them (``weapon`` values)."""

CHARACTER_TYPES: Final = MappingProxyType({"pmc": "PMC", "scav": "SCAV"})
"""``character_type`` value → its label on the character selection screen."""

GAME_MODES: Final = MappingProxyType({"pve": "PVE", "pvp": "PVP"})
"""``game_mode`` value → its label on the map selection toggle."""

HEADSHOT_TEXT: Final = "HEADSHOT"
"""The marker a kill-feed line ends with when the kill was a headshot."""

STATE_OF_CLASS: Final = MappingProxyType(
    {
        "main_menu": "menu",
        "stash_screen": "menu",
        "character_select": "character_select",
        "map_select": "map_select",
        "insurance_screen": "insurance",
        "loading_screen": "deploying",
        "queue_timer": "deploying",
        "match_found": "deploying",
        "get_ready": "get_ready",
        "gameplay_hud": "raid",
        "transfer_screen": "transfer",
        "survived_screen": "survived",
        "death_screen": "killed",
        "mia_screen": "mia",
        "kill_list_screen": "kill_list",
        "statistics_screen": "statistics",
        "experience_screen": "experience",
    }
)
"""Screen class → the state machine state it signals (as in the profile's table)."""

OUTCOME_OF_CLASS: Final = MappingProxyType(
    {
        "survived_screen": "survived",
        "death_screen": "killed",
        "mia_screen": "mia",
        "transfer_screen": "transfer",
    }
)
"""Terminal screen class → the ``outcome`` of the raid it ends."""

CLASSES: Final = (*STATE_OF_CLASS, "kill_notification")
"""Every class the renderer labels, in YOLO class-index order."""

BLANK: Final = "blank"
"""A short dark gap between screens: no state, nothing labelled (the dataset's negatives)."""
INITIAL_STATE: Final = "idle"
"""The state machine's state before the first screen."""
