"""The game profile's state machine, loaded once for the temporal tests."""

from __future__ import annotations

import pytest

from framewise.config import StateMachineSpec, load_state_machine
from tests.unit.temporal.temporal_timeline import TARKOV


@pytest.fixture(scope="session")
def spec() -> StateMachineSpec:
    """The Tarkov profile's ``state_machine.yaml`` (read-only: tests never change it)."""
    return load_state_machine(TARKOV)
