"""People's names in messages typed on phones, in any case ("fernanda", "FERNANDA LOPEZ").

Three signals: the given names and surnames used in Mexico (data/names.csv, built by
build_names.py), words that announce a name ("me llamo", "mi esposo", "la señora"), and
spaCy's Spanish named entities for names the list lacks. A name that is also an everyday
word ("rosa", "paz", "flores") counts only where the message announces a name, or beside
a name that is no word.
"""

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, Iterator, List, Optional

from spacy.lang.es.stop_words import STOP_WORDS
from spacy.tokens import Doc

from bot.directory.catalogue import catalogue
from bot.handoff.personal_patterns import Span
from bot.text import bare_words, fold

NAMES = Path(__file__).with_name("data") / "names.csv"
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*\.?")
PARTICLES = {"de", "del", "la", "las", "los"}
LABEL = "[nombre]"
# After these a name follows, whatever it is ("me llamo yesenia"); at most MAX_ANNOUNCED words.
ANNOUNCING = re.compile(r"(?:me\s+llamo|mi\s+nombre\s+es|nombre\s*:|se\s+llama(?:ba)?|atte\.?|atentamente)\s*$",
                        re.IGNORECASE)
MAX_ANNOUNCED = 3
ANNOUNCING_REACH = 40  # characters before a word in which an announcing phrase is looked for
# After these a listed name is a name even when it is also a word ("mi mamá Rosa", "doña Luz").
INTRODUCING = {fold(word) for word in """
soy llamo llama llamaba nombre dicen apodo atte atentamente esposo esposa pareja novio novia ex exesposo
exesposa exnovio exnovia marido mujer hijo hija hijos hermano hermana mamá mama madre papá papa padre tío tia
tío tía primo prima vecino vecina jefe jefa patrón patrona suegro suegra cuñado cuñada amigo amiga compañero
compañera sobrino sobrina nieto nieta abuelo abuela padrastro madrastra señor señora sr sra srita señorita don
doña lic licenciado licenciada dr dra doctor doctora profe profesor profesora maestro maestra ing oficial agente
comandante
""".split()}
NOT_A_NAME = {fold(word) for word in STOP_WORDS}
NOT_PEOPLE_AFTER = {"san", "santa", "santo", "santisima", "santisimo", "virgen", "ay", "oh", "dios"}


@dataclass(frozen=True)
class Listed:
    ordinary: bool  # also an everyday word
    surname_only: bool  # never a given name ("juárez" is a street as often as a person)


@lru_cache(maxsize=1)
def _listed() -> Dict[str, Listed]:
    with NAMES.open(newline="") as handle:
        return {row["name"]: Listed(row["ordinary"] == "yes", row["kind"] == "surname") for row in csv.DictReader(handle)}


def is_listed(word: str) -> bool:
    """A given name or surname of the list."""
    return fold(word) in _listed()


@dataclass(frozen=True)
class Word:
    index: int  # among the message's words
    start: int
    end: int
    folded: str
    text: str

    @property
    def listed(self) -> Optional[Listed]:
        return _listed().get(self.folded)


def _words(text: str) -> List[Word]:
    return [Word(i, m.start(), m.start() + len(m.group().rstrip(".")), fold(m.group().rstrip(".")), m.group())
            for i, m in enumerate(WORD.finditer(text))]


def _joined(text: str, before: Word, after: Word) -> bool:
    """Two words with only spaces between them (no comma, no full stop)."""
    return not before.text.endswith(".") and text[before.end:after.start].strip() == ""


def _capitalised(word: Word) -> bool:
    return (word.text[:1].isupper() and not word.text.isupper() and word.folded not in NOT_A_NAME
            and word.folded not in NOT_PEOPLE_AFTER)


def _beside_listed(words: List[Word], index: int) -> bool:
    """A capitalised word the list lacks, next to a listed one ("Yesenia Cruz")."""
    return any(0 <= i < len(words) and words[i].listed for i in (index - 1, index + 1))


def _runs(text: str, words: List[Word]) -> Iterator[List[Word]]:
    """Listed words next to each other, with the particles between them ("María de la Luz")."""
    run: List[Word] = []
    for index, word in enumerate(words):
        if run and not _joined(text, run[-1], word):
            yield run
            run = []
        if word.listed or (_capitalised(word) and _beside_listed(words, index)):
            run.append(word)
        elif word.folded in PARTICLES and run and any(w.listed for w in words[index + 1:index + 3]):
            run.append(word)
        elif run:
            yield run
            run = []
    if run:
        yield run


def _announced(text: str, word: Word) -> bool:
    return bool(ANNOUNCING.search(text, max(0, word.start - ANNOUNCING_REACH), word.start))


def _introduced(text: str, words: List[Word], word: Word) -> bool:
    return bool(word.index and words[word.index - 1].folded in INTRODUCING) or _announced(text, word)


def _not_a_person(words: List[Word], first: Word) -> bool:
    """A saint, a virgin, a place named after one, or an exclamation: "San Juan del Río",
    "la virgen de Guadalupe", "ay Jesús"."""
    before = [word.folded for word in words[max(0, first.index - 2):first.index]]
    return bool(before) and (before[-1] in NOT_PEOPLE_AFTER or before == ["virgen", "de"])


def _is_name(text: str, words: List[Word], run: List[Word]) -> bool:
    """Announced, or holding a listed name that is no everyday word (a lone surname needs
    announcing); never a saint's or an exclamation."""
    if _not_a_person(words, run[0]):
        return False
    if _introduced(text, words, run[0]):
        return True
    listed = [word.listed for word in run if word.listed]
    return any(not name.ordinary for name in listed) and not (len(listed) == 1 and listed[0].surname_only)


def _listed_names(text: str, words: List[Word]) -> Iterator[Span]:
    for run in _runs(text, words):
        while run and run[0].folded in INTRODUCING:  # "mi pareja miguel": pareja is a surname too
            run.pop(0)
        while run and run[-1].folded in PARTICLES:
            run.pop()
        if run and _is_name(text, words, run):
            yield Span(run[0].start, run[-1].end, LABEL)


def _announced_names(text: str, words: List[Word]) -> Iterator[Span]:
    """The words right after "me llamo", "mi nombre es"…, listed or not, up to a common word."""
    for index, word in enumerate(words):
        if not _announced(text, word) or word.folded in NOT_A_NAME:
            continue
        name = [word]
        for following in words[index + 1:index + MAX_ANNOUNCED]:
            if following.folded in NOT_A_NAME or not _joined(text, name[-1], following):
                break
            name.append(following)
        yield Span(name[0].start, name[-1].end, LABEL)


def _is_place(text: str) -> bool:
    return bare_words(text) in catalogue().names


def _recognised_names(doc: Doc) -> Iterator[Span]:
    """spaCy's PER entities, where every word is capitalised (not all capitals) and none is a
    common word, the entity does not open the message ("Hola me…" is no name) and is not a
    Mexican place ("el ministerio público de León")."""
    for entity in doc.ents:
        tokens = [token for token in entity if token.is_alpha]
        if (entity.label_ == "PER" and entity.start_char > 0 and tokens and not _is_place(entity.text)
                and all(t.text.istitle() and fold(t.text) not in NOT_A_NAME for t in tokens)):
            yield Span(entity.start_char, entity.end_char, LABEL)


def names(text: str, doc: Doc) -> List[Span]:
    """The names in a message, with spaCy's reading of it (`doc`)."""
    words = _words(text)
    return [*_listed_names(text, words), *_announced_names(text, words), *_recognised_names(doc)]
