"""Replies fitted to WhatsApp and SMS: length, GSM-7/UCS-2 segments, splitting."""

import re

import pytest

from typing import Iterator, List, Optional

from bot.channels.outgoing_text import (
    GRAVE, MAX_BODY_CHARS, SMS_SEGMENT_BUDGET, bodies_for, is_gsm7, meaningful_accents, sms_segments,
    split_message, to_gsm7,
)
from bot.directory.catalogue import catalogue
from bot.guidance.compose import Composer
from bot.guidance.content import guidance
from bot.replies.catalogue import Catalogues
from bot.replies.render import render
from tests.test_catalogue import SAMPLE_VALUES

UNGRAVE = str.maketrans("àìòù", "aiou")


def words(text: str) -> List[str]:
    """The words of a text as GSM-7 spells them, accents aside: what SMS must not lose."""
    return re.sub(r"\W+", " ", to_gsm7(text).translate(UNGRAVE)).split()


def accents_lost(written: str, sent: str) -> set:
    """The words whose accent changes their meaning that the SMS text lost (kept acute or grave)."""
    needed = {word for word in meaningful_accents() if re.search(rf"\b{word}\b", written, re.IGNORECASE)}
    return {word for word in needed if not re.search(rf"\b({word}|{word.translate(GRAVE)})\b", sent, re.IGNORECASE)}


@pytest.mark.parametrize(
    "text,segments",
    [("a" * 160, 1), ("a" * 161, 2), ("a" * 306, 2), ("a" * 307, 3), ("{" * 80, 1), ("{" * 81, 2),
     ("á" * 70, 1), ("á" * 71, 2), ("á" * 134, 2), ("á" * 135, 3), ("🙏" * 35, 1), ("", 1)],
)
def test_segments_follow_gsm7_and_ucs2_rules(text: str, segments: int) -> None:
    assert sms_segments(text) == segments


def test_gsm7_keeps_what_it_has_and_transliterates_the_rest() -> None:
    assert to_gsm7("¿Cómo estás? ¡Ñandú! é ü • “sí” 👋") == '¿Como estas? ¡Ñandu! é ü - "si"'
    assert is_gsm7(to_gsm7("Árbol, índice, último — niño…"))


def test_long_text_splits_at_sentences_within_the_limit() -> None:
    sentence = "Esta es una oración completa que termina aquí. "
    text = sentence * 100
    parts = split_message(text)
    assert len(parts) > 1 and all(len(part) <= MAX_BODY_CHARS for part in parts)
    assert all(part.endswith("aquí.") for part in parts)
    assert " ".join(parts).split() == text.split()


def test_a_single_endless_word_is_still_cut() -> None:
    assert [len(p) for p in split_message("x" * 4000)] == [1600, 1600, 800]


def test_lines_are_kept() -> None:
    assert split_message("uno\ndos\ntres") == ["uno\ndos\ntres"]


def test_sms_bodies_are_gsm7_and_whatsapp_bodies_untouched() -> None:
    assert bodies_for("Hola 👋 ¿Cómo te llamas?", "sms") == ["Hola ¿Como te llamas?"]
    assert bodies_for("Hola 👋 ¿Cómo estás?", "whatsapp") == ["Hola 👋 ¿Cómo estás?"]
    assert bodies_for("", "whatsapp") == []


def test_every_reply_is_one_whatsapp_message_and_within_the_sms_budget() -> None:
    catalogues = Catalogues.load()
    for key in sorted(k for k in catalogues.keys() if k.startswith("utter_")):
        text = render(key, "es", catalogues, SAMPLE_VALUES)["text"]
        assert len(bodies_for(text, "whatsapp")) == 1, key
        assert sum(sms_segments(body) for body in bodies_for(text, "sms")) <= SMS_SEGMENT_BUDGET, key


def test_sms_keeps_separators_and_single_periods() -> None:
    assert bodies_for("• 089 Denuncia Anónima · Tel. 089 · 24 horas", "sms") == ["- 089 Denuncia Anonima - Tel. 089 - 24 horas"]
    assert bodies_for("Por ejemplo: «León, Gto.».", "sms") == ['Por ejemplo: "Leon, Gto.".']
    assert to_gsm7("uno✔dos") == "uno dos"  # an unknown sign separates, never glues


def test_sms_keeps_an_accent_that_changes_the_meaning_and_drops_the_pin_sentence() -> None:
    assert bodies_for("¿En qué estado pasó o estás?", "sms") == ["¿En qué estado pasó o estás?"]
    assert bodies_for("Escribe tu ciudad. En WhatsApp puedes mandar tu ubicación 📍. Escribe MENÚ.", "sms") == [
        "Escribe tu ciudad. Escribe MENU."]
    assert "📍" in bodies_for("Manda tu ubicación 📍.", "whatsapp")[0]


def test_every_reply_as_sent_by_sms_reads_as_written() -> None:
    catalogues = Catalogues.load()
    for key in sorted(k for k in catalogues.keys() if k.startswith(("utter_", "help_", "handoff_", "guidance_", "source_"))):
        written = render(key, "es", catalogues, {**SAMPLE_VALUES, "phone": "089", "hours": "24 horas"},
                         parts=[{"key": "help_hours", "values": {"hours": "24 horas"}, "inline": True}])["text"]
        sent = "\n".join(bodies_for(written, "sms"))
        assert "WhatsApp" not in sent or "ubicación" not in sent.replace("ubicacion", "ubicación"), key
        assert not re.search(r"(?<!\.)\.\.(?!\.)", sent), (key, sent)  # "Gto.." but "..." stays
        assert words(written) == words(sent) or "📍" in written, key
        assert not accents_lost(written, sent), (key, sent)
        assert sum(sms_segments(body) for body in bodies_for(written, "sms")) <= SMS_SEGMENT_BUDGET, key


def test_a_long_reply_stays_gsm7_and_keeps_the_accents_that_change_meaning_as_grave_ones() -> None:
    text = "¿En qué estado pasó o estás? " + "Aquí tienes información útil. " * 30  # too long for UCS-2's budget
    sent = bodies_for(text, "sms")
    assert all(is_gsm7(body) for body in sent) and sent[0].startswith("¿En qué estado pasò o estàs? Aqui tienes")
    assert sum(map(sms_segments, sent)) <= SMS_SEGMENT_BUDGET
    assert bodies_for("¿Qué pasó?", "sms") == ["¿Qué pasó?"]  # short: every accent, in UCS-2


def guidance_messages() -> Iterator[str]:
    """Every message of every guidance answer, in every state and before it is known, for every
    crime and situation and none, with the "más" sections, as utter_guidance sends it."""
    content, catalogues = guidance(), Catalogues.load()
    cases: List[Optional[str]] = [None, *content.crimes, *content.situations]
    for state in (None, *catalogue().states):
        for case in cases:
            own = bool(case and content.has_answer(case))
            for topic in ("report_crime", "protection", *([case] if own else [])):
                composer = Composer(state, None if own else case, case=case)
                answer = composer.answer(topic)
                for body in answer.messages + [m for section in answer.more for m in composer.more(section).messages]:
                    yield render("utter_guidance", "es", catalogues, {"body": body})["text"]


def test_every_guidance_message_as_sent_by_sms_keeps_its_words_and_the_accents_that_matter() -> None:
    for written in set(guidance_messages()):
        sent = "\n".join(bodies_for(written, "sms"))
        assert words(written) == words(sent), written
        assert not accents_lost(written, sent), sent
        assert sum(sms_segments(body) for body in bodies_for(written, "sms")) <= SMS_SEGMENT_BUDGET, written
