"""The REST channel (the web chat's): what it accepts, whose conversation it writes, its
limits and its switch; and the tracker store, which raises where Rasa would exit."""

import asyncio
from pathlib import Path

import pytest

from tests.test_tracker_store import store_for


@pytest.mark.parametrize("backend, sender", [("sqlite", "\ud800"), ("postgresql", "\ud800"), ("postgresql", "a\x00b")])
def test_an_id_the_database_cannot_take_is_an_error_not_an_exit(backend: str, sender: str, tmp_path: Path) -> None:
    store = store_for(backend, tmp_path)
    with pytest.raises(ValueError):  # Rasa's session_scope raised SystemExit here
        asyncio.run(store.get_or_create_tracker(sender))
    assert asyncio.run(store.get_or_create_tracker("after-the-error")).sender_id == "after-the-error"
