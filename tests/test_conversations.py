"""Whole conversations with the trained model, the action server and the dialogue engine,
all started by `python -m bot.run` (as `make run` does) and reached over HTTP."""

import urllib.request
import uuid
from typing import List

import pytest

from bot.replies.catalogue import Catalogues
from bot.replies.render import render
from tests.conftest import ON_SQLITE_ONLY, HANDOFF_OFFER, RunningAssistant, answer_then_state_question, assert_handoff_path

pytestmark = ON_SQLITE_ONLY

CATALOGUES = Catalogues.load()


def text(key: str, **values: object) -> str:
    """What the person reads for reply `key`, in Spanish."""
    return render(key, "es", CATALOGUES, values)["text"]


def stored_rows(assistant: RunningAssistant, sql: str, *params: str) -> int:
    return assistant.query(sql, *params)[0][0]


def test_launcher_says_where_to_open_the_chat_and_serves_the_page(assistant: RunningAssistant) -> None:
    assert f"http://localhost:{assistant.port}/webhooks/webchat/" in assistant.banner
    with urllib.request.urlopen(f"{assistant.base_url}/webhooks/webchat/") as page:
        assert "<title>Orienta" in page.read().decode()


def test_first_contact_is_neutral_then_safety_then_language_then_menu(assistant: RunningAssistant) -> None:
    """A first message too short to tell its language: the language is asked."""
    chat = assistant.conversation()
    welcome = chat.say("Hola")
    assert welcome == [text("utter_welcome")]
    assert welcome[0].splitlines()[0] == "Hola 👋"
    assert chat.say("sí") == [text("utter_ask_language")]
    assert chat.say("1") == [text("utter_main_menu")]


def test_a_first_message_surely_in_spanish_skips_the_language_question(assistant: RunningAssistant) -> None:
    chat = assistant.conversation()
    assert chat.say("Hola buenas noches, quisiera información") == [text("utter_welcome")]
    assert chat.say("sí") == [text("utter_language_hint"), text("utter_main_menu")]
    assert chat.say("idioma") == [text("utter_ask_language")]


def test_a_first_message_with_a_request_is_answered_after_the_welcome(assistant: RunningAssistant) -> None:
    chat = assistant.conversation()
    assert chat.say("mi pareja me golpea y no quiero denunciar") == [text("utter_welcome")]
    answer = answer_then_state_question(chat.say("1"), text("utter_ask_state"))
    assert answer[0].startswith("Te explico tus opciones.") and answer[-1].endswith(text("utter_language_hint"))
    assert chat.say("Oaxaca")[0].startswith("En Oaxaca:")  # what the state adds


@pytest.mark.parametrize(
    "message,reply",
    [
        ("mi pareja me golpea y no quiero denunciar", "utter_ask_state"),
        ("me robaron el celular, ¿cómo denuncio?", "utter_ask_state"),
        ("1", "utter_ask_state"),
        ("2", "utter_ask_state"),
        ("3", "utter_ask_place"),
        ("la 2", "utter_ask_state"),
        ("donde hay un observatorio cerca", "utter_ask_place"),
        ("9", "utter_option_out_of_range"),
    ],
)
def test_main_menu_by_number_or_free_text(assistant: RunningAssistant, message: str, reply: str) -> None:
    """Reporting and protection answer at once what holds anywhere, then ask the state."""
    chat = assistant.conversation()
    chat.start()
    replies = chat.say(message)
    if reply == "utter_ask_state":
        answer_then_state_question(replies, text(reply))
    else:
        assert replies == [text(reply, highest=4)]


@pytest.mark.parametrize("word", ["menú", "0", "MENU"])
def test_menu_any_time(assistant: RunningAssistant, word: str) -> None:
    chat = assistant.conversation()
    chat.start()
    chat.say("me robaron el celular, ¿cómo denuncio?")
    assert chat.say(word) == [text("utter_main_menu")]


@pytest.mark.parametrize("message", ["me está siguiendo", "me va a matar", "estoy encerrada", "AUXILIO!!!"])
def test_danger_as_the_very_first_message_gets_911_before_anything(
    assistant: RunningAssistant, message: str
) -> None:
    replies = assistant.conversation().say(message)
    assert replies[0] == text("utter_danger")
    assert "911" in replies[0]


@pytest.mark.parametrize("before", [[], ["hola"], ["hola", "1"], ["hola", "1", "1"], ["hola", "1", "1", "2"]])
def test_danger_is_answered_in_every_state(assistant: RunningAssistant, before: List[str]) -> None:
    chat = assistant.conversation()
    for message in before:
        chat.say(message)
    assert chat.say("ayuda me va a matar, esta afuera de mi casa")[0] == text("utter_danger")


def test_not_understood_rephrase_then_menu_then_a_person(assistant: RunningAssistant) -> None:
    chat = assistant.conversation()
    chat.start()
    assert chat.say("asdkjh qwe") == [text("utter_rephrase")]
    assert chat.say("jsjsjsjs") == [text("utter_main_menu")]
    assert chat.say("quiero comprar tortillas") == [text("utter_offer_person")]
    assert_handoff_path(chat.say("1"))


def test_not_safe_now_says_how_to_come_back_and_asks_again_later(assistant: RunningAssistant) -> None:
    chat = assistant.conversation()
    chat.say("hola")
    assert chat.say("no") == [text("utter_not_safe")]
    assert chat.say("hola") == [text("utter_welcome")]


def test_small_talk(assistant: RunningAssistant) -> None:
    chat = assistant.conversation()
    chat.start()
    assert chat.say("eres un robot?") == [text("utter_bot_challenge")]
    assert chat.say("muchas gracias") == [text("utter_acknowledge")]


def test_a_language_without_reviewed_text_falls_back_to_spanish_and_says_so(assistant: RunningAssistant) -> None:
    chat = assistant.conversation()
    chat.say("hola")
    chat.say("1")
    replies = chat.say("2")
    assert replies[0] == text("utter_language_fallback", language_name="Náhuatl")
    assert replies[1].startswith("Tu derecho a un intérprete:") and "No te puedo prometer" in replies[1]
    assert replies[2] == text("utter_main_menu") or replies[2].startswith(HANDOFF_OFFER)  # an interpreter, if staffed
    if replies[2].startswith(HANDOFF_OFFER):
        chat.say("no")
    assert chat.say("idioma") == [text("utter_ask_language")]
    assert chat.say("1") == [text("utter_main_menu")]


@pytest.mark.parametrize("message", ["", "   ", "🙏😭🙏", "x" * 5000, "¡¿ñ?!", "<script>alert(1)</script>"])
def test_odd_input_gets_a_reply(assistant: RunningAssistant, message: str) -> None:
    chat = assistant.conversation()
    chat.start()
    replies = chat.say(message)
    assert replies and all(replies)


def test_quick_exit_answers_one_neutral_line_and_erases_everything(assistant: RunningAssistant) -> None:
    chat = assistant.conversation()
    secret = f"me llamo Ana {uuid.uuid4().hex} y mi esposo me pega"
    chat.start()
    chat.say(secret)
    assert secret in assistant.everything_stored()
    assert stored_rows(assistant, "SELECT count(*) FROM events WHERE sender_id = ?", chat.sender) > 0

    assert chat.say("Salir") == [text("utter_quick_exit")]

    assert stored_rows(assistant, "SELECT count(*) FROM events WHERE sender_id = ?", chat.sender) == 0
    assert secret not in assistant.everything_stored()
    assert chat.say("hola") == [text("utter_welcome")]


def test_help_near_a_place_named_in_free_text(assistant: RunningAssistant) -> None:
    chat = assistant.conversation()
    chat.start()
    assert chat.say("3") == [text("utter_ask_place")]
    reply = chat.say("vivo en leon gto")
    assert len(reply) == 1 and reply[0].startswith(text("utter_help_near_me", where="León, Guanajuato"))
    assert "Observatorio Ciudadano de León A.C." in reply[0]
    reporting = chat.say("quiero denunciar")  # the place question is over: the state is known
    assert len(reporting) == 2 and reporting[0].startswith("Te explico los pasos en Guanajuato:")


def test_an_ambiguous_place_is_chosen_by_number(assistant: RunningAssistant) -> None:
    chat = assistant.conversation()
    chat.start()
    chat.say("ayuda cerca de mi")
    choices = chat.say("san pedro")
    assert choices[0].startswith(text("utter_which_place"))
    assert "1. San Pedro, Coahuila de Zaragoza" in choices[0]
    reply = chat.say("1")
    assert reply[0].startswith(text("utter_help_near_me", where="San Pedro, Coahuila de Zaragoza"))
    assert "Consejo Cívico de las Instituciones de la Laguna" in reply[0]


def test_an_unknown_place_is_asked_again_and_menu_leaves(assistant: RunningAssistant) -> None:
    chat = assistant.conversation()
    chat.start()
    chat.say("3")
    assert chat.say("asdfgh qwerty") == [text("utter_place_not_found")]
    assert chat.say("menú") == [text("utter_main_menu")]
    answer_then_state_question(chat.say("2"), text("utter_ask_state"))


def test_danger_while_asked_where(assistant: RunningAssistant) -> None:
    chat = assistant.conversation()
    chat.start()
    chat.say("3")
    assert chat.say("me está siguiendo")[0] == text("utter_danger")
    assert chat.say("menu") == [text("utter_main_menu")]


def test_a_first_message_asking_for_help_nearby_is_asked_where_after_the_welcome(assistant: RunningAssistant) -> None:
    chat = assistant.conversation()
    assert chat.say("necesito ayuda cerca de mi") == [text("utter_welcome")]
    assert chat.say("1") == [text("utter_language_hint"), text("utter_ask_place")]
    assert "Jalisco Cómo Vamos" in chat.say("guadalajara")[0]


def test_a_first_message_asking_for_help_near_a_named_place_gets_that_help_alone_after_the_welcome(
        assistant: RunningAssistant) -> None:
    """Nothing after the answer: no "no te entendí", no menu, no repeated offers of a person."""
    chat = assistant.conversation()
    assert chat.say("necesito ayuda cerca de guadalajara") == [text("utter_welcome")]
    reply = chat.say("1")
    assert len(reply) == 1 and reply[0].startswith(text("utter_help_near_me", where="Guadalajara, Jalisco"))


@pytest.mark.parametrize("message", ["4", "quiero hablar con una persona"])
def test_asking_for_a_person(assistant: RunningAssistant, message: str) -> None:
    chat = assistant.conversation()
    chat.start()
    assert_handoff_path(chat.say(message))


def test_delete_my_data_erases_everything_and_says_so(assistant: RunningAssistant) -> None:
    chat = assistant.conversation()
    secret = f"vivo en la calle Olmo {uuid.uuid4().hex}"
    chat.start()
    chat.say(secret)
    assert chat.say("quiero que borren mis datos") == [text("utter_data_deleted")]
    assert stored_rows(assistant, "SELECT count(*) FROM events WHERE sender_id = ?", chat.sender) == 0
    assert secret not in assistant.everything_stored()


def test_a_first_message_in_nahuatl_is_offered_nahuatl_then_an_interpreter(assistant: RunningAssistant) -> None:
    chat = assistant.conversation()
    offered = chat.say("Niltze, nimitztlahpaloa. Nechpaleuia, nimomauhtia")
    assert offered[0].startswith(text("utter_language_detected", language_name="Náhuatl"))
    assert offered[0].endswith("1. Sí, en Náhuatl\n2. No, seguir en español")
    replies = chat.say("sí")
    assert replies[0] == text("utter_language_fallback", language_name="Náhuatl")
    assert "intérprete certificado de mi lengua" in replies[1]
    assert replies[2] == text("utter_main_menu") or replies[2].startswith(HANDOFF_OFFER)


@pytest.mark.parametrize("message,language", [  # article 3 of the UDHR (tests/language_id/udhr.yml)
    ("Tuláakal wíinikeʼ Sijnal u Najmalmajil u kuxtal, maʼ u palitziltaʼal beeyxan", "Maya"),
    ("Spisil winiketik ay srerechoik te bit´il ya sk´an xkuxinik, xu´ spas beluk ya sk´anik", "Tseltal"),
])
def test_a_first_message_in_maya_or_tseltal_is_offered_that_language(assistant: RunningAssistant, message: str,
                                                                     language: str) -> None:
    """Languages with no corpus, recognised by their profiles: an offer, not a switch."""
    offered = assistant.conversation().say(message)
    assert offered[0].startswith(text("utter_language_detected", language_name=language))
    assert offered[0].endswith(f"1. Sí, en {language}\n2. No, seguir en español")


@pytest.mark.parametrize("message", [
    "ya llego y viene bien pedo, tengo miedo",
    "no puedo hablar, esta en el cuarto de al lado y me escucha",
    "se llevaron a mi hijo en una camioneta hace rato",
    "me amenazo hace un año y ahorita esta afuera de mi casa",  # the present outweighs the past
])
def test_danger_in_other_words_gets_911_first(assistant: RunningAssistant, message: str) -> None:
    chat = assistant.conversation()
    chat.start()
    assert chat.say(message)[0] == text("utter_danger")


@pytest.mark.parametrize("message,reply,line", [
    ("ya no quiero vivir, pienso en quitarme la vida", "utter_danger_self_harm", "800 911 2000"),
    ("me quitaron mi pasaporte y me obligan a trabajar sin paga", "utter_danger_trafficking", "800 5533 000"),
])
def test_self_harm_and_trafficking_get_their_line_with_911(
        assistant: RunningAssistant, message: str, reply: str, line: str) -> None:
    first = assistant.conversation().say(message)[0]  # even as the very first message
    assert first == text(reply)
    assert "911" in first.split(line)[0] and line in first


def test_the_request_beside_past_danger_is_answered_after_the_911_reminder(assistant: RunningAssistant) -> None:
    chat = assistant.conversation()
    chat.start()
    reminder, *replies = chat.say("me secuestraron hace un año, quiero saber cómo denunciar")
    assert reminder == text("utter_danger_reminder")
    assert answer_then_state_question(replies, text("utter_ask_state"))[0].startswith("Te explico los pasos")


def test_a_first_message_with_past_danger_and_a_request_gets_911_then_the_welcome_then_the_answer(
        assistant: RunningAssistant) -> None:
    chat = assistant.conversation()
    assert chat.say("me secuestraron hace un año, quiero saber cómo denunciar") == [
        text("utter_danger_reminder"), text("utter_welcome")]
    answer = answer_then_state_question(chat.say("1"), text("utter_ask_state"))
    assert answer[0].startswith("Te explico los pasos") and answer[-1].endswith(text("utter_language_hint"))
