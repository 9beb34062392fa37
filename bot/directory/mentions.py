"""A place mentioned in any message, not only in the answer to "¿dónde estás?".

"vivo en oaxaca, mi esposo me pega", "no, estoy en Puebla", "soy de tuxtla y me robaron":
a free message is read for a place more strictly than an answer to the place question.
After "vivo en", "estoy en" and the like (STRONG_CUES), the next words of the clause are
read as the place question reads them (typos too: "estoy en tuxla"). After a plain "en",
"de", "desde", and in a message of up to SHORT_MESSAGE words, only a catalogue name
written exactly counts, and only for a place of at least MIN_POPULATION people ("en el
camión" is not a town). A state named in full counts anywhere. An ambiguous name is not
guessed: the place question asks it when it matters.
"""

import re
from typing import List, Optional

from spacy.lang.es.stop_words import STOP_WORDS

from bot.directory.resolver import PlaceResolver, resolver
from bot.text import bare_words, fold

STRONG_CUES = ("vivo en", "vivimos en", "estoy en", "estamos en", "ando en", "andamos en",
               "radico en", "me encuentro en", "aqui en", "soy de", "somos de", "estoy por",
               "vivo por", "ahorita en")
WEAK_CUES = ("en", "de", "desde")
MAX_TAIL = 4
SHORT_MESSAGE = 3  # words
MIN_POPULATION = 50_000  # as the catalogue weighs it (a municipality's own name counts three times)
# Countries people come from, which also name small Mexican towns ("soy de honduras").
# "México" alone is the country ("estoy en mexico de forma irregular"); the state is named in full.
NOT_HERE = frozenset({"honduras", "guatemala", "el salvador", "salvador", "nicaragua", "venezuela",
                      "cuba", "haiti", "colombia", "ecuador", "peru", "estados unidos", "usa", "eu", "mexico"})
_CLAUSE = re.compile(r"[,.;:!?¿¡()\n]+|\b(?:y|pero|porque|que|q)\b")


def mentioned_place(text: str, places: Optional[PlaceResolver] = None) -> Optional[str]:
    """The place key a message names: a municipality's five digits, a state's two, or None."""
    places = places or resolver()
    folded = fold(text or "")[:500]
    if not folded or folded.startswith("/"):
        return None
    clauses = [words for words in (bare_words(c).split() for c in _CLAUSE.split(folded) if c) if words]
    for cues, read in ((STRONG_CUES, _resolved), (WEAK_CUES, _exact)):
        for words in clauses:
            for tail in _after(words, cues):
                key = read(places, tail)
                if key:
                    return key
    words = bare_words(folded).split()
    if 0 < len(words) <= SHORT_MESSAGE:
        key = _exact(places, words)
        if key:
            return key
    for words in clauses:
        named, _ = places._take_state_names(words)
        if named:
            return named[0]
    return None


def _after(words: List[str], cues: tuple) -> List[List[str]]:
    """The words after each cue, up to MAX_TAIL, in the order they come."""
    tails = []
    for cue in cues:
        size = len(cue.split())
        for index in range(len(words) - size):
            if " ".join(words[index:index + size]) == cue:
                tails.append((index, words[index + size:index + size + MAX_TAIL]))
    return [tail for _, tail in sorted(tails)]


def _spans(words: List[str]) -> List[str]:
    """The tail's beginnings, longest first."""
    return [" ".join(words[:size]) for size in range(len(words), 0, -1)]


def _resolved(places: PlaceResolver, words: List[str]) -> Optional[str]:
    """The place the tail names, read as an answer to the place question — typos too, but only
    for a name right after the cue: "estoy en el baño" is a room, not Ébano (read exactly)."""
    if any(" ".join(words[:size]) in NOT_HERE for size in (1, 2)):
        return None
    if words and words[0] in STOP_WORDS:
        return _exact(places, words)
    for span in _spans(words):
        if span in NOT_HERE:
            return None
        resolution = places.resolve(span)
        if resolution.outcome == "found":
            return resolution.place.state_key if resolution.state_only else resolution.place.key
    return None


def _exact(places: PlaceResolver, words: List[str]) -> Optional[str]:
    """A catalogue name written exactly at the tail's start, of a populous enough place."""
    for span in _spans(words):
        if span in NOT_HERE:
            return None
        if span in places.places.state_names and not places._named(span):
            return places.places.state_names[span]
        candidates = [c for c in places._named(span) if c.population >= MIN_POPULATION]
        if candidates and not places._is_common(span):
            resolution = places._decide(candidates, set())
            if resolution.place:
                return resolution.place.key
            return None
    return None
