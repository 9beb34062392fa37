"""The help-nearby actions against a real, migrated and seeded directory database."""

from typing import Any, Dict, List

import pytest
from rasa_sdk import Action
from rasa_sdk.executor import CollectingDispatcher

from actions.help_nearby import ActionAskPlace, ActionFindHelp, ActionHelpNearMe, ValidatePlaceForm
from bot.directory import repository
from bot.directory.validation import validate
from bot.replies.catalogue import Catalogues
from bot.replies.render import render
from bot.storage.database import engine_for, session_scope
from tests.test_actions import run, slot, tracker


def validated(text: str, slots: Dict[str, Any] = None) -> tuple:
    dispatcher = CollectingDispatcher()
    current = tracker("inform", text, slots=slots)
    values = ValidatePlaceForm().validate_place(text, dispatcher, current, {})
    return values, dispatcher.messages


def help_text(action: Action, **slots: Any) -> str:
    _, _, messages = run(action, tracker(slots=slots))
    message = messages[0]
    rendered = render(message["response"], "es", Catalogues.load(), {"where": message.get("where")},
                      parts=message.get("parts") or ())
    return rendered["text"]


def test_find_help_asks_where_when_no_place_is_known() -> None:
    _, events, _ = run(ActionFindHelp(), tracker(slots={"place": "algo", "place_options": ["05033"]}))
    assert slot(events, "place") is None and slot(events, "place_key") is None
    assert events[-1]["name"] == "place_form"


def test_find_help_answers_at_once_for_a_place_already_known(seeded: str) -> None:
    replies, events, messages = run(ActionFindHelp(), tracker("find_help", "ayuda cerca", slots={"place_key": "11020"}))
    assert replies == ["utter_help_near_me"] and messages[0]["where"] == "León, Guanajuato"
    assert not any(event.get("event") == "followup" for event in events)


def test_find_help_for_a_place_named_in_the_message_itself(seeded: str) -> None:
    replies, events, messages = run(ActionFindHelp(), tracker("find_help", "ayuda cerca, estoy en tuxtla",
                                                              slots={"place_key": "11020"}))
    assert replies == ["utter_help_near_me"] and messages[0]["where"] == "Tuxtla Gutiérrez, Chiapas"
    assert slot(events, "place_key") == "07101"


@pytest.mark.parametrize("slots,replies", [({}, ["utter_ask_place"]),
                                           ({"requested_slot": "place"}, ["utter_place_not_found"]),
                                           ({"place_options": ["05033", "05017"]}, [])])
def test_the_place_question(slots: Dict[str, Any], replies: List[str]) -> None:
    assert run(ActionAskPlace(), tracker(slots=slots))[0] == replies


def test_a_place_is_resolved_to_its_municipality() -> None:
    values, messages = validated("vivo en leon gto")
    assert values == {"place": "vivo en leon gto", "place_key": "11020", "place_options": None}
    assert messages == []


def test_a_state_alone_is_kept_as_the_state() -> None:
    assert validated("cdmx")[0]["place_key"] == "09"


def test_an_ambiguous_place_lists_numbered_choices_and_a_number_picks_one() -> None:
    values, messages = validated("san pedro")
    assert values["place"] is None and len(values["place_options"]) >= 2
    assert messages[0]["response"] == "utter_which_place"
    assert [c["payload"] for c in messages[0]["choices"]] == [str(n) for n in range(1, len(values["place_options"]) + 1)]
    picked, _ = validated("2", {"place_options": values["place_options"]})
    assert picked["place_key"] == values["place_options"][1]
    out_of_range, messages = validated("9", {"place_options": values["place_options"]})
    assert out_of_range == {"place": None} and messages[0]["response"] == "utter_option_out_of_range"


def test_an_unknown_place_is_asked_again() -> None:
    assert validated("asdfgh qwerty")[0] == {"place": None, "place_options": None}


def test_leon_gets_the_leon_observatory_and_the_national_lines(seeded: str) -> None:
    text = help_text(ActionHelpNearMe(), place_key="11020")
    assert text.startswith("Esto es lo más cercano a León, Guanajuato:")
    assert "Observatorio ciudadano: Observatorio Ciudadano de León A.C. (León, Guanajuato), a 1 km. · http://www.ocl.org.mx" in text
    assert "• Línea Nacional contra la Trata de Personas · Tel. 800 5533 000 · WhatsApp 800 5533 000" in text
    assert "Fuente: directorio de Orienta. Revisé los datos entre el 2026-11-01 y el 2026-12-01." in text
    assert len(text) <= 1600


def test_far_from_any_observatory_says_so(seeded: str) -> None:
    text = help_text(ActionHelpNearMe(), place_key="31050")  # Mérida
    assert "El observatorio más cercano está lejos: Observatorio Ciudadano de Seguridad, Justicia y Legalidad de Carmen" in text


def test_a_location_pin_is_used_directly(seeded: str) -> None:
    _, _, messages = run(ActionHelpNearMe(), tracker("share_location", slots={"latitude": 25.54, "longitude": -103.42}))
    assert messages[0]["response"] == "utter_help_near_pin"
    assert "Consejo Cívico de las Instituciones de la Laguna" in messages[0]["parts"][0]["values"]["name"]


def test_unconfirmed_members_are_flagged(seeded: str) -> None:
    assert "no sé aún si es parte de la red" in help_text(ActionHelpNearMe(), place_key="14039")  # Guadalajara


def test_a_change_in_the_directory_shows_in_the_next_answer(seeded: str) -> None:
    before = help_text(ActionHelpNearMe(), place_key="11020", topic="protection")
    assert "Centro de Justicia para las Mujeres de León (prueba)" not in before
    checked = validate({"kind": "women_justice_centre", "name": "Centro de Justicia para las Mujeres de León (prueba)",
                        "state_key": "11", "municipality_key": "11020", "phone": "477 000 0000",
                        "source": "Prueba", "verified_on": "2026-11-20", "active": "sí"})
    with session_scope(engine_for(seeded)) as session:
        repository.save(session, "test", checked.values)
    after = help_text(ActionHelpNearMe(), place_key="11020", topic="protection")
    assert "• Centro de Justicia para las Mujeres de León (prueba) (León, Guanajuato), a 1 km. · Tel. 477 000 0000" in after


@pytest.mark.parametrize("told, heading", [
    ("authority_abuse", "Te explico tus opciones en Oaxaca:"),  # the state's human-rights commission
    ("disappearance", "Te explico los pasos en Oaxaca:"),  # the search starts at once
])
def test_help_nearby_asked_beside_what_has_its_own_answer_gets_that_answer(seeded: str, told: str, heading: str) -> None:
    situation = [{"entity": "situation", "value": told}]
    replies, events, messages = run(ActionFindHelp(), tracker("find_help", "¿a quién acudo en oaxaca?",
                                                              slots={"place_key": "20"}, entities=situation))
    assert set(replies) == {"utter_guidance"} and messages[0]["body"].startswith(heading)
    assert slot(events, "crime") == told


def test_help_nearby_beside_a_crime_with_the_common_steps_or_beside_who_is_affected_stays_help_nearby(seeded: str) -> None:
    told = [{"entity": "situation", "value": "migrants"}, {"entity": "situation", "value": "robbery"}]
    replies, _, _ = run(ActionFindHelp(), tracker("find_help", "ayuda cerca", slots={"place_key": "11020"}, entities=told))
    assert replies == ["utter_help_near_me"]


def test_a_first_message_asking_for_help_nearby_beside_a_disappearance_is_answered_with_the_report_after_the_welcome() -> None:
    situation = [{"entity": "situation", "value": "disappearance"}]
    _, events, _ = run(ActionFindHelp(), tracker("find_help", "donde reporto a una persona no localizada",
                                                 slots={"welcomed": False}, entities=situation))
    assert slot(events, "pending_intent") == "report_crime" and slot(events, "crime") == "disappearance"


def test_a_request_for_the_nearest_observatory_gets_the_list_whatever_else_it_tells(seeded: str) -> None:
    situation = [{"entity": "situation", "value": "disappearance"}]
    replies, _, _ = run(ActionFindHelp(), tracker("find_help", "cual es el observatorio mas cercano? mi hijo desaparecio en 2019",
                                                  slots={"place_key": "21114"}, entities=situation))
    assert replies == ["utter_help_near_me"]
