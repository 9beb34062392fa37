"""Reporting and protection for every state, through the trained assistant and the action server."""

from typing import List

import pytest

from bot.directory import seed
from bot.directory.catalogue import catalogue
from bot.replies.catalogue import Catalogues
from bot.replies.render import render
from tests.conftest import ON_SQLITE_ONLY, Conversation, RunningAssistant, answer_then_state_question

pytestmark = ON_SQLITE_ONLY

CATALOGUES = Catalogues.load()
# How a person would name each state (the catalogue's official names work too).
TYPED = {"05": "Coahuila", "15": "Estado de México", "16": "Michoacán", "19": "Nuevo León",
         "30": "Veracruz"}
PRESSURE = ("debes denunciar", "tienes que denunciar", "primero denuncia", "necesitas denunciar")


def text(key: str, **values: object) -> str:
    return render(key, "es", CATALOGUES, values)["text"]


def started(assistant: RunningAssistant) -> Conversation:
    chat = assistant.conversation()
    chat.start()
    return chat


def test_every_state_gets_its_prosecutors_office_and_protection_without_a_complaint(
        assistant: RunningAssistant) -> None:
    for key, name in sorted(catalogue().states.items()):
        prosecutor = seed.prosecutors()[key]
        chat = started(assistant)
        anywhere = answer_then_state_question(chat.say("quiero denunciar"), text("utter_ask_state"))
        assert "• Dónde: en cualquier Ministerio Público" in anywhere[0]
        report = chat.say(TYPED.get(key, name))  # what the state adds: its office, online reporting
        assert 1 <= len(report) <= 3, key
        assert report[0].startswith(f"Te explico los pasos en {name}:"), (key, report[0][:80])
        assert prosecutor["name"] in report[0] and prosecutor["website"] in report[0], key
        assert all(len(message) <= 1600 for message in report)
        protection = chat.say("quiero protección sin denunciar")  # the state is remembered
        assert 1 <= len(protection) <= 3, key
        joined = "\n".join(protection).lower()
        assert "esto no necesita denuncia:" in joined and f"en {name.lower()}:" in joined
        assert not any(phrase in joined for phrase in PRESSURE)


def sources_of(reply: List[str]) -> str:
    assert len(reply) == 1 and reply[0].startswith(text("utter_sources")), reply
    return reply[0]


def test_a_crime_named_first_is_answered_with_its_steps_within_three_messages(assistant: RunningAssistant) -> None:
    chat = started(assistant)
    anywhere = answer_then_state_question(chat.say("me robaron el celular, ¿cómo denuncio?"), text("utter_ask_state"))
    assert len(anywhere) == 3 and anywhere[2].startswith("Para tu caso:\nEsto es lo primero.\nRobo:")
    reply = chat.say("CDMX")
    assert len(reply) == 1 and reply[0].startswith("Te explico los pasos en Ciudad de México:")
    assert "Denuncia Digital" in reply[0] and "Fuentes: CNPP" in reply[0] and "Escribe MÁS" in reply[0]
    sources = sources_of(chat.say("¿de dónde sale esto?"))
    assert "Código Nacional de Procedimientos Penales, arts. " in sources and "222" in sources
    assert "https://vlex.com.mx/vid/acuerdo-fgjcdmx-12-2021-863150411" in sources and "Revisado: 2026-11-22" in sources
    assert "Directorio de Orienta: cada lugar tiene su fuente" in sources  # the office, from the directory


def test_what_happened_by_number_then_more_then_the_sources(assistant: RunningAssistant) -> None:
    chat = started(assistant)
    chat.say("1")
    report = chat.say("oaxaca")
    assert len(report) == 1 and text("guidance_crime_question") in report[0]
    assert "4. Desaparición de una persona" in report[0]
    steps = chat.say("4")
    assert len(steps) == 1 and "no hay que esperar 24 ni 72 horas" in steps[0]
    assert "https://www.fge.oaxaca.gob.mx" in steps[0]
    assert "Ley General en Materia de Desaparición" in sources_of(chat.say("fuente"))
    more = chat.say("más")
    assert len(more) == 1 and more[0].startswith("Más información:\nLéela cuando puedas.\nDenuncia o querella")
    assert chat.say("más") == [text("utter_no_more")]


def test_the_source_follow_up_works_after_every_kind_of_answer(assistant: RunningAssistant) -> None:
    chat = started(assistant)
    assert chat.say("fuente") == [text("utter_no_source")]  # after the menu: nothing to source
    chat.say("menú")
    chat.say("2")
    chat.say("Jalisco")
    sources = sources_of(chat.say("¿de dónde sale esto?"))  # the answer anywhere, and what Jalisco adds
    assert "Ley General de Acceso de las Mujeres" in sources and "Directorio de Orienta" in sources
    assert "Escribe MÁS" in chat.say("quiero denunciar")[-1]
    assert "Fiscalía del Estado de Jalisco" in sources_of(chat.say("fuente"))
    chat.say("más")
    assert "Ley General de Víctimas" in sources_of(chat.say("fuente"))
    chat.say("menú")
    chat.say("3")
    chat.say("vivo en leon gto")
    assert "Directorio de Orienta" in sources_of(chat.say("¿de dónde sale esto?"))
    chat.say("gracias")
    assert chat.say("fuente") == [text("utter_no_source")]


def test_the_answer_before_the_state_question_has_its_sources_and_more(assistant: RunningAssistant) -> None:
    """Asking where the answer comes from, or for more, ends the state question and is answered."""
    chat = started(assistant)
    chat.say("2")
    assert "Ley General de Acceso de las Mujeres" in sources_of(chat.say("¿de dónde sale esto?"))
    chat.say("1")
    more = chat.say("más")
    assert len(more) == 1 and more[0].startswith("Más información:")


def test_the_state_question_lets_the_person_thank_ask_anew_or_name_the_state_later(assistant: RunningAssistant) -> None:
    chat = started(assistant)
    chat.say("2")
    assert chat.say("gracias") == [text("utter_acknowledge")]  # not "No encontré ese lugar"
    answer_then_state_question(chat.say("quiero denunciar"), text("utter_ask_state"))  # a new request, answered
    sources_of(chat.say("fuente"))  # ends the question...
    later = chat.say("Jalisco")  # ...and the state named afterwards still gets what it adds
    assert len(later) == 1 and later[0].startswith("Te explico los pasos en Jalisco:")
    assert "Fiscalía del Estado de Jalisco" in later[0]


def test_the_first_message_is_answered_after_the_welcome_with_the_state_question(assistant: RunningAssistant) -> None:
    chat = assistant.conversation()
    chat.say("mi pareja me golpea y no quiero denunciar")
    anywhere = answer_then_state_question(chat.say("1"), text("utter_ask_state"))
    assert anywhere[0].startswith("Te explico tus opciones.") and anywhere[-1].endswith(text("utter_language_hint"))
    assert chat.say("Chiapas")[0].startswith("En Chiapas:")


def test_a_situation_named_first_is_answered_right_after_the_safety_question(assistant: RunningAssistant) -> None:
    chat = assistant.conversation()
    chat.say("unos policías me quitaron mi dinero en Oaxaca, ¿puedo poner una queja?")
    answer = "\n".join(chat.say("1"))
    assert "Defensoría de los Derechos Humanos del Pueblo de Oaxaca" in answer and "CNDH" in answer
    assert "no necesitas denunciar para ponerla" in answer
    chat = assistant.conversation()
    chat.say("me violaron hace dos días, ¿qué hago?")
    health = answer_then_state_question(chat.say("sí"), text("utter_ask_state"))
    assert health[0].startswith("Primero, tu salud:") and "120 horas" in health[0] and "72 horas" in health[0]
    assert "Fiscalía General del Estado de Puebla" in "\n".join(chat.say("Puebla"))


def test_a_situation_chosen_from_what_happened_gets_its_own_answer(assistant: RunningAssistant) -> None:
    chat = started(assistant)
    chat.say("1")
    question = chat.say("oaxaca")[-1]
    assert "8. Abuso de policías u otras autoridades" in question and "13. Otro" in question
    answer = "\n".join(chat.say("8"))
    assert "Defensoría de los Derechos Humanos del Pueblo de Oaxaca" in answer and "CNDH" in answer
