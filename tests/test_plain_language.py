"""Plain Spanish for people who read little: every Spanish reply, as a person reads it, is
measured with the Fernández-Huerta readability index (textstat's implementation) and must
reach a floor; `make test` prints the table.

Fernández-Huerta reads 100 as very easy; 70 to 80 is "bastante fácil", what a reader with
primary schooling (6th grade) reads without help. The index says little of a text of a few
words (a name, an option, a web address), so texts shorter than MIN_WORDS are not measured.
"""

from typing import Iterator, List, Tuple

import pytest
import textstat

from bot.directory.catalogue import catalogue
from bot.directory.nearest import Directory
from bot.guidance.compose import Composer
from bot.guidance.content import guidance
from bot.replies.catalogue import Catalogues
from bot.replies.render import render
from bot.storage.database import engine_for
from tests.test_catalogue import SAMPLE_VALUES

FLOOR = 70.0  # Fernández-Huerta: "bastante fácil" (6th grade) and above
MIN_WORDS = 10


def spanish_replies(seeded: str) -> Iterator[Tuple[str, str]]:
    """(name, text) of every Spanish catalogue reply and every message of every guidance answer,
    for every state, with the seeded directory's entries."""
    catalogues = Catalogues.load()
    for key in sorted(catalogues.keys()):
        message = render(key, "es", catalogues, SAMPLE_VALUES)
        if message:
            yield key, message["text"]
    for name in guidance().national["answers"]:  # before the state is known: what holds anywhere
        for number, text in enumerate(Composer(None).answer(name).messages, start=1):
            yield f"any state {name} #{number}", text
    index = Directory(engine_for(seeded)).index()
    for state in sorted(catalogue().states):
        composer = Composer(state, None, index.of_state(state, catalogue().capital(state).point))
        answers = [("protection", composer.answer("protection"))] + [
            (f"report_crime/{crime}", Composer(state, crime, composer.local).answer("report_crime"))
            for crime in guidance().crimes]
        for name, answer in answers:
            more = [m for section in answer.more for m in composer.more(section).messages]
            for number, text in enumerate(answer.messages + more, start=1):
                yield f"{state} {name} #{number}", text


def words(text: str) -> int:
    return textstat.lexicon_count(text)


def test_every_spanish_reply_reads_easily(seeded: str, figures: List[str]) -> None:
    textstat.set_lang("es")
    scored = {}
    for name, text in spanish_replies(seeded):
        if words(text) >= MIN_WORDS:
            scored.setdefault(text, (name, textstat.fernandez_huerta(text), textstat.szigriszt_pazos(text)))
    rows = sorted(scored.values(), key=lambda row: row[1])
    figures.append(f"Readability of {len(rows)} Spanish replies (Fernández-Huerta, floor {FLOOR:.0f}; "
                   "Szigriszt-Pazos/INFLESZ beside it), the hardest first:")
    figures.extend(f"  {huerta:5.1f} {szigriszt:5.1f}  {name}" for name, huerta, szigriszt in rows[:15])
    figures.append(f"  median {rows[len(rows) // 2][1]:.1f}; easiest {rows[-1][1]:.1f}")
    below = [(name, round(huerta, 1)) for name, huerta, _ in rows if huerta < FLOOR]
    assert not below, below


@pytest.mark.parametrize("text,easy", [
    ("Denunciar es gratis. Te deben dar un abogado. Pide una copia.", True),
    ("La interposición de la querella correspondiente requiere la acreditación fehaciente de la legitimación "
     "procesal activa del ofendido ante la autoridad ministerial competente.", False),
])
def test_the_index_tells_plain_from_legal_spanish(text: str, easy: bool) -> None:
    textstat.set_lang("es")
    assert (textstat.fernandez_huerta(text) >= FLOOR) == easy
