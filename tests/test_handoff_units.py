"""Handoff pieces on their own: the offer and its honesty, staffed hours, redaction."""

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from actions.handoff import ActionHumanHandoff, ActionStartHandoff
from actions.safety import ActionDanger
from bot.directory.models import Organisation
from bot.handoff import hours
from bot.handoff.models import Handoff
from bot.handoff.redaction import redact
from bot.storage.database import engine_for, session_scope
from bot.web import accounts
from tests.test_actions import run, slot, tracker

LEON = "Observatorio Ciudadano de León A.C."


@pytest.fixture()
def staffed(seeded: str) -> str:
    """The seeded directory with one staff member at the León observatory."""
    engine = engine_for(seeded)
    with session_scope(engine) as session:
        leon = session.query(Organisation).filter_by(name=LEON).one()
        leon.handoff_hours = "lun-vie 09:00-18:00"
        leon_id = leon.id
    accounts.create(engine, "leon", "una-contraseña-larga", "staff", leon_id)
    return seeded


def test_no_staffed_observatory_means_an_honest_answer(seeded: str) -> None:
    assert run(ActionHumanHandoff(), tracker("human_handoff"))[0] == ["utter_human_handoff"]
    assert run(ActionDanger(), tracker("danger", slots={"welcomed": False}))[0] == ["utter_danger"]


def test_the_offer_names_the_observatory_and_when_it_answers(staffed: str) -> None:
    replies, events, messages = run(ActionHumanHandoff(), tracker("human_handoff", slots={"place_key": "11020"}))
    assert replies == ["utter_handoff_offer"]
    assert messages[0]["observatory"] == LEON
    where, membership, when, consent = messages[0]["parts"]
    assert where == {"key": "handoff_where", "values": {"place": "León, Guanajuato"}}
    assert membership == {"key": "handoff_onc_member"}
    assert when["key"] in ("handoff_when_open", "handoff_when_closed") and consent == {"key": "handoff_consent"}
    assert slot(events, "handoff_reason") == "asked"


def test_the_offer_says_when_the_onc_membership_is_not_confirmed(staffed: str) -> None:
    engine = engine_for(staffed)
    with session_scope(engine) as session:
        jalisco = session.query(Organisation).filter_by(name="Jalisco Cómo Vamos").one()
        assert jalisco.onc_network == "unconfirmed"
        jalisco_id = jalisco.id
    accounts.create(engine, "jalisco", "una-contraseña-larga", "staff", jalisco_id)
    _, _, messages = run(ActionHumanHandoff(), tracker("human_handoff", slots={"place_key": "14039"}))
    assert messages[0]["observatory"] == "Jalisco Cómo Vamos"
    assert messages[0]["parts"][:2] == [{"key": "handoff_where", "values": {"place": "Guadalajara, Jalisco"}},
                                        {"key": "handoff_onc_unconfirmed"}]


def test_danger_is_followed_by_the_offer(staffed: str) -> None:
    replies, events, _ = run(ActionDanger(), tracker("danger"))
    assert replies == ["utter_danger", "utter_handoff_offer"]
    assert slot(events, "handoff_reason") == "danger"


def test_consent_opens_one_handoff(staffed: str) -> None:
    _, events, _ = run(ActionHumanHandoff(), tracker("human_handoff"))
    observatory = slot(events, "handoff_observatory")
    for _ in range(2):
        replies, _, _ = run(ActionStartHandoff(), tracker("confirm_handoff", slots={"handoff_observatory": observatory}))
        assert replies == ["utter_handoff_started"]
    with session_scope(engine_for(staffed)) as session:
        assert session.query(Handoff).filter_by(sender_id="test", status="waiting").count() == 1
    assert run(ActionHumanHandoff(), tracker("human_handoff"))[0] == []  # already with a person


MEXICO_CITY = ZoneInfo("America/Mexico_City")


def test_staffed_hours_in_the_states_time_zone() -> None:
    schedule = hours.parse("lun-vie 09:00-18:00; sáb 10:00-14:00", "11")
    monday_noon = datetime(2026, 11, 23, 12, 0, tzinfo=MEXICO_CITY)
    saturday_evening = datetime(2026, 11, 28, 19, 0, tzinfo=MEXICO_CITY)
    assert schedule.is_open(monday_noon) and not schedule.is_open(saturday_evening)
    assert schedule.next_opening(saturday_evening) == datetime(2026, 11, 30, 9, 0, tzinfo=MEXICO_CITY)
    tijuana = hours.parse("lun-dom 09:00-10:00", "02")
    assert tijuana.is_open(datetime(2026, 11, 23, 17, 30, tzinfo=timezone.utc))  # 09:30 in Tijuana


@pytest.mark.parametrize("text", ["todos los días", "lun-vie 18:00-09:00", "lun-xyz 09:00-10:00", "lun 25:00-26:00"])
def test_unreadable_hours_are_refused(text: str) -> None:
    with pytest.raises(hours.InvalidHours):
        hours.parse(text, "09")


@pytest.mark.parametrize(
    "original,hidden,shown",
    [("Me llamo María López", "María López", "[nombre]"),
     ("mi cel es 477 123 4567", "477 123 4567", "[teléfono]"),
     ("escríbeme a ana.perez@example.org", "ana.perez@example.org", "[correo]"),
     ("vivo en Calle Sauce 14, col. Centro", "Sauce 14", "[dirección]")],
)
def test_redaction(original: str, hidden: str, shown: str) -> None:
    redacted = redact(original)
    assert hidden not in redacted and shown in redacted


def test_a_language_without_reviewed_text_offers_an_interpreter_where_the_language_is_listed(staffed: str) -> None:
    from actions.language import ActionSetLanguage

    engine = engine_for(staffed)
    with session_scope(engine) as session:
        durango = session.query(Organisation).filter_by(name="Observatorio Ciudadano de Durango").one()
        durango.languages = "es,nah"
        durango_id = durango.id
    accounts.create(engine, "durango", "una-contraseña-larga", "staff", durango_id)
    current = tracker("choose_language", entities=[{"entity": "language", "value": "nah"}])
    replies, events, messages = run(ActionSetLanguage(), current)
    assert replies == ["utter_language_fallback", "utter_guidance", "utter_handoff_offer"]  # the right, then a person
    assert messages[2]["observatory"] == "Observatorio Ciudadano de Durango"
    assert slot(events, "interpreter_language") == "nah" and slot(events, "handoff_reason") == "interpreter"
    started = tracker("confirm_handoff", slots={"handoff_observatory": str(durango_id), "handoff_reason": "interpreter",
                                                "interpreter_language": "nah", "language": "nah"})
    run(ActionStartHandoff(), started)
    with session_scope(engine) as session:
        handoff = session.query(Handoff).filter_by(sender_id="test").one()
        assert (handoff.observatory_id, handoff.reason, handoff.interpreter_language) == (durango_id, "interpreter", "nah")


def test_a_message_in_otomi_is_offered_otomi() -> None:
    from actions.language import ActionLanguageDetected

    current = tracker("other_language", "Ma zi dada, xta ñ'u̱ ra ngu", slots={"welcomed": False},
                      entities=[{"entity": "language", "value": "ote"}])
    replies, events, messages = run(ActionLanguageDetected(), current)
    assert replies == ["utter_language_detected"]
    assert messages[0]["language_name"] == "Otomí"
    assert [c["payload"] for c in messages[0]["choices"]] == ['/choose_language{"language": "ote"}', "/menu"]
    assert slot(events, "welcomed") is True
