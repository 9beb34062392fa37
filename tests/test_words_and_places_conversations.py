"""Options chosen in words and places read from any message, through the trained model, the
action server and the dialogue engine (issue 16, points 5 and 1)."""

import pytest

from tests.conftest import ON_SQLITE_ONLY, RunningAssistant, answer_then_state_question
from tests.test_guidance_conversations import started, text

pytestmark = ON_SQLITE_ONLY


@pytest.mark.parametrize("message,reply", [
    ("dos", "utter_ask_state"), ("la dos", "utter_ask_state"), ("opción dos", "utter_ask_state"),
    ("el 2", "utter_ask_state"), ("la segunda", "utter_ask_state"), ("2.", "utter_ask_state"),
    ("#2", "utter_ask_state"), ("la de protección", "utter_ask_state"), ("lo de denunciar", "utter_ask_state"),
    ("la tercera", "utter_ask_place"), ("Tres", "utter_ask_place"),
    ("99", "utter_option_out_of_range"), ("-1", "utter_option_out_of_range"),
    ("opción 0", "utter_option_out_of_range"), ("9" * 40, "utter_option_out_of_range"),
    ("la novena", "utter_option_out_of_range"), ("0", "utter_main_menu"),
])
def test_the_main_menu_in_words(assistant: RunningAssistant, message: str, reply: str) -> None:
    replies = started(assistant).say(message)
    if reply == "utter_ask_state":  # what holds anywhere first
        answer_then_state_question(replies, text(reply))
    else:
        assert replies == [text(reply, highest=4)]


def test_the_welcome_and_the_language_in_words(assistant: RunningAssistant) -> None:
    chat = assistant.conversation()
    assert chat.say("hola") == [text("utter_welcome")]
    assert chat.say("la primera") == [text("utter_ask_language")]
    assert chat.say("uno") == [text("utter_main_menu")]
    answer_then_state_question(chat.say("dos"), text("utter_ask_state"))
    other = assistant.conversation()
    other.say("hola")
    assert other.say("dos")[0] == text("utter_not_safe")


def test_a_same_named_place_chosen_in_words(assistant: RunningAssistant) -> None:
    chat = started(assistant)
    chat.say("ayuda cerca de mi")
    assert chat.say("san pedro")[0].startswith(text("utter_which_place"))
    reply = chat.say("la primera")
    assert reply[0].startswith(text("utter_help_near_me", where="San Pedro, Coahuila de Zaragoza"))


def test_a_place_in_the_first_message_is_never_asked_again(assistant: RunningAssistant) -> None:
    chat = assistant.conversation()
    assert chat.say("vivo en oaxaca, mi esposo me pega y no quiero denunciarlo") == [text("utter_welcome")]
    protection = chat.say("1")  # a first message surely in Spanish: the language is not asked
    assert text("utter_ask_state") not in protection
    assert protection[0].startswith("Te explico tus opciones.") and "En Oaxaca:" in "\n".join(protection)
    assert protection[-1].endswith(text("utter_language_hint"))
    nearby = chat.say("ayuda cerca de mí")
    assert len(nearby) == 1 and nearby[0].startswith(text("utter_help_near_me", where="Oaxaca de Juárez, Oaxaca"))
    reporting = chat.say("quiero denunciar")
    assert reporting[0].startswith("Te explico los pasos en Oaxaca:")


def test_a_municipality_given_once_serves_help_nearby_and_can_be_corrected(assistant: RunningAssistant) -> None:
    chat = started(assistant)
    chat.say("estoy en tuxtla")  # remembered whatever the reply
    nearby = chat.say("ayuda cerca de mí")
    assert len(nearby) == 1 and nearby[0].startswith(text("utter_help_near_me", where="Tuxtla Gutiérrez, Chiapas"))
    corrected = chat.say("no, estoy en Puebla")
    assert len(corrected) == 1 and corrected[0].startswith(text("utter_help_near_me", where="Puebla, Puebla"))
    assert chat.say("quiero denunciar")[0].startswith("Te explico los pasos en Puebla:")


def test_the_nearest_observatory_question(assistant: RunningAssistant) -> None:
    chat = started(assistant)
    assert chat.say("¿cuál es el observatorio más cercano?") == [text("utter_ask_place")]
    assert chat.say("leon gto")[0].startswith(text("utter_help_near_me", where="León, Guanajuato"))
    again = chat.say("¿cuál es el observatorio más cercano?")  # not asked again
    assert again[0].startswith(text("utter_help_near_me", where="León, Guanajuato"))


def test_a_correction_after_guidance_answers_again_for_the_new_state(assistant: RunningAssistant) -> None:
    chat = started(assistant)
    chat.say("quiero protección sin denunciar")
    first = chat.say("oaxaca")
    assert "En Oaxaca:" in "\n".join(first)
    corrected = chat.say("no, vivo en Puebla")
    assert corrected[0].startswith("Te explico tus opciones.") and "En Puebla:" in "\n".join(corrected)
