from __future__ import annotations

import pytest

from tests.factories import EventFactory, RoundFactory


@pytest.fixture
def round_(db):
    """Round 1 of a live event, running now."""
    return RoundFactory(event=EventFactory(live=True), number=1, running=True)
