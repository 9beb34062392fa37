"""Pseudonymous ids and sealed personal data."""

import pytest
from cryptography.fernet import InvalidToken

from bot.identity import bare_number, pseudonym
from bot.storage.crypto import Sealer, new_key

KEY = b"k" * 32


@pytest.mark.parametrize(
    "address,number",
    [("whatsapp:+5215512345678", "+525512345678"), ("+525512345678", "+525512345678"),
     ("whatsapp:+14155238886", "+14155238886"), (" +525512345678 ", "+525512345678")],
)
def test_one_number_per_person_across_channels(address: str, number: str) -> None:
    assert bare_number(address) == number


def test_pseudonym_is_shared_by_sms_and_whatsapp_and_reveals_nothing() -> None:
    whatsapp, sms = pseudonym("whatsapp:+5215512345678", KEY), pseudonym("+525512345678", KEY)
    assert whatsapp == sms
    assert "5512345678" not in whatsapp and len(whatsapp) == 64
    assert pseudonym("+525512345678", b"another key") != sms
    assert pseudonym("+525512345679", KEY) != sms


def test_sealed_text_opens_only_with_the_key() -> None:
    sealer = Sealer([new_key()])
    token = sealer.seal("whatsapp:+5215512345678")
    assert "5512345678" not in token
    assert sealer.open(token) == "whatsapp:+5215512345678"
    with pytest.raises(InvalidToken):
        Sealer([new_key()]).open(token)


def test_key_rotation_reads_old_data_and_reseals_under_the_new_key() -> None:
    old, new = new_key(), new_key()
    token = Sealer([old]).seal("+525512345678")
    rotated = Sealer([new, old])
    assert rotated.open(token) == "+525512345678"
    assert Sealer([new]).open(rotated.reseal(token)) == "+525512345678"


def test_a_sealer_needs_a_key() -> None:
    with pytest.raises(ValueError):
        Sealer([])


def test_resealing_lets_the_old_key_go(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from datetime import datetime, timezone

    from bot.storage.contacts import ContactBook, remember
    from bot.storage.database import engine_for, session_scope
    from bot.storage.migrate import upgrade
    from bot.storage.reseal import reseal

    url = f"sqlite:///{tmp_path / 'keys.db'}"
    upgrade(url)
    engine = engine_for(url)
    old, new = new_key(), new_key()
    with session_scope(engine) as session:
        remember(session, Sealer([old]), "p", "+525512345678", "+15005550006", "sms", datetime.now(timezone.utc))
    with pytest.raises(InvalidToken):
        ContactBook(engine, Sealer([new])).find("p")
    assert reseal(engine, Sealer([new, old])) == 1
    assert ContactBook(engine, Sealer([new])).find("p").address == "+525512345678"
