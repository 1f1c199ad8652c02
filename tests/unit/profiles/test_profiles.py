"""Profiles: the registry, the default, and the game's store rules that the importer and the
live store writer share."""

from __future__ import annotations

import pytest

from framewise.core.errors import ConfigError
from framewise.profiles import DEFAULT_PROFILE, PROFILES, hooks_for, load_profile
from framewise.profiles.base import GenericHooks
from framewise.profiles.tarkov.hooks import TarkovHooks
from framewise.profiles.tarkov.store_rules import kill_fields, raid_end_fields, raid_fields


def test_the_registry_and_its_default() -> None:
    assert DEFAULT_PROFILE in PROFILES
    assert isinstance(hooks_for(None), TarkovHooks)
    assert isinstance(hooks_for("generic"), GenericHooks)
    tarkov = load_profile("tarkov")
    assert tarkov.pipeline is not None and tarkov.pipeline.name == "pipeline.yaml"
    assert "kill" in tarkov.hooks.event_fields
    with pytest.raises(ConfigError, match="unknown profile 'chess'"):
        hooks_for("chess")


def test_the_store_rules() -> None:
    assert raid_fields({"map_name": "Customs", "character_type": "PMC", "game_mode": "PvE"}) == {
        "map_name": "Customs",
        "character_type": "pmc",
        "game_mode": "pve",
    }
    assert kill_fields({"weapon_used": "AK-74M", "headshot": True}) == {
        "enemy_type": None,
        "weapon": "AK-74M",
        "headshot": True,
    }
    assert raid_end_fields({"outcome": "Survived", "extract_location": "ZB-1011"}) == (
        "survived",
        "ZB-1011",
    )
    assert raid_end_fields({}) == ("unknown", None)
