"""Near-duplicates between an evaluation set and the training data.

An evaluation example that is a training sentence with a comma, an emoji or one word
changed measures memory, not understanding. Two messages are near-duplicates when, after
`normalise` (case, accents, punctuation and emoji removed), any of these holds:

- they are equal;
- their normalised Levenshtein similarity is at least 0.9 (a typo or two);
- their token-sort similarity (rapidfuzz's `token_sort_ratio`, words sorted first) is at
  least 90 (the same words reordered, give or take a typo);
- the Jaccard similarity of their word sets is at least 0.9 (the same words, one repeated);
- they are one word apart (one word inserted, deleted or replaced) and the shorter has at
  least three words; for the NLU held-out set only against a training example of the same
  intent ("me estan siguiendo" and "me estan viendo" are one word apart and mean opposite
  things), for the conversation set against any training example.

rapidfuzz is in the virtualenv (a dependency of Rasa's lock), so it is used; its
`token_set_ratio` is not, because it scores 100 whenever one message's words are a subset of
the other's ("hola" and "hola buenas tardes"), which would flag every short greeting.

This module is the evaluation's own: it does not use the assistant's normalisation
(bot/text.py), so a change there cannot hide a leak.
"""

import bisect
import math
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

SIMILARITY = 0.9
MIN_WORDS_FOR_ONE_WORD_RULE = 3
_NOT_WORD = re.compile(r"[\W_]+")


def normalise(text: str) -> str:
    """Lower case, no accents (á→a, ñ→n), no punctuation or emoji, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_NOT_WORD.sub(" ", stripped).split())


@dataclass(frozen=True)
class Leak:
    example: str
    training: str
    reason: str

    def __str__(self) -> str:
        return f"{self.example!r} ~ {self.training!r} ({self.reason})"


def why_similar(a: str, b: str, one_word_rule: bool = True) -> Optional[str]:
    """Why two normalised messages are near-duplicates, or None."""
    if a == b:
        return "equal once normalised"
    if Levenshtein.normalized_similarity(a, b) >= SIMILARITY:
        return f"Levenshtein similarity {Levenshtein.normalized_similarity(a, b):.2f}"
    if fuzz.token_sort_ratio(a, b) >= SIMILARITY * 100:
        return f"token-sort similarity {fuzz.token_sort_ratio(a, b):.0f}"
    words_a, words_b = a.split(), b.split()
    union = set(words_a) | set(words_b)
    if union and len(set(words_a) & set(words_b)) / len(union) >= SIMILARITY:
        return "same word set"
    if (one_word_rule and min(len(words_a), len(words_b)) >= MIN_WORDS_FOR_ONE_WORD_RULE
            and Levenshtein.distance(words_a, words_b) <= 1):
        return "one word apart"
    return None


class _Index:
    """The training messages, indexed so that an example is compared in full (`why_similar`)
    only with those that could be its near-duplicates, by a necessary condition of each rule:
    the outcome is that of comparing it with every training message, in order."""

    def __init__(self, training: Sequence[Tuple[str, str]]) -> None:
        self.rows = [(label, text, normalise(text)) for label, text in training]
        normals = [normal for _, _, normal in self.rows]
        self.by_length = sorted(range(len(normals)), key=lambda number: len(normals[number]))
        self.lengths = [len(normals[number]) for number in self.by_length]
        self.normals = [normals[number] for number in self.by_length]
        self.sorted_words = [" ".join(sorted(normals[number].split())) for number in self.by_length]
        self.frequency = Counter(word for normal in normals for word in set(normal.split()))
        self.by_key: Dict[int, List[int]] = defaultdict(list)
        for number, normal in enumerate(normals):
            words = tuple(normal.split())
            for key in {hash(words), *_one_word_keys(words, "-"), *_one_word_keys(words, "*")}:
                self.by_key[key].append(number)
            for word in self._prefix(set(words)):
                self.by_key[hash(("set", word))].append(number)

    def _prefix(self, words: set) -> List[str]:
        """The rarest words of a set: two sets with Jaccard similarity ≥ SIMILARITY share
        one of their prefixes' words (prefix filtering)."""
        size = len(words) - math.ceil(SIMILARITY * len(words) - 1e-9) + 1
        return sorted(words, key=lambda word: (self.frequency[word], word))[:size]

    def candidates(self, normal: str) -> List[int]:
        words = tuple(normal.split())
        keys = [hash(words), *_one_word_keys(words, "-"), *_one_word_keys(words, "*"),
                *(hash(("set", word)) for word in self._prefix(set(words)))]
        found = {number for key in keys for number in self.by_key.get(key, ())}
        # Both similarities need |a| - |b| within (1 - SIMILARITY) × (|a| + |b|): every
        # edit changes the length by one at most.
        spread = 1 - SIMILARITY
        low = bisect.bisect_left(self.lengths, len(normal) * (1 - spread) / (1 + spread) - 1)
        high = bisect.bisect_right(self.lengths, len(normal) * (1 + spread) / (1 - spread) + 1)
        for choices, query, scorer, cutoff in (
                (self.normals, normal, Levenshtein.normalized_similarity, SIMILARITY),
                (self.sorted_words, " ".join(sorted(words)), fuzz.ratio, SIMILARITY * 100)):
            found |= {self.by_length[low + position] for _, _, position in process.extract(
                query, choices[low:high], scorer=scorer, processor=None, score_cutoff=cutoff, limit=None)}
        return sorted(found)


def _one_word_keys(words: Tuple[str, ...], kind: str) -> List[int]:
    """Keys shared by word sequences one edit apart: each word deleted ("-"), and each word
    replaced by a wildcard ("*"); a sequence also matches another's deletion key by its
    own full key (hash of the tuple)."""
    if kind == "-":
        return [hash(words[:i] + words[i + 1:]) for i in range(len(words))]
    return [hash(("*", words[:i], words[i + 1:])) for i in range(len(words))]


@lru_cache(maxsize=2)
def _index_of(training: Tuple[Tuple[str, str], ...]) -> _Index:
    """A training set's index, built once for the evaluation sets checked against that set."""
    return _Index(training)


def leaks(examples: Iterable[Tuple[str, str]], training: Sequence[Tuple[str, str]],
          same_label_for_one_word: bool = True) -> List[Leak]:
    """Every example (label, text) that is a near-duplicate of a training (label, text).
    With `same_label_for_one_word`, the one-word rule applies only to the same label."""
    index = _index_of(tuple(training))
    found = []
    for label, text in examples:
        normal = normalise(text)
        for number in index.candidates(normal):
            train_label, train_text, train_normal = index.rows[number]
            one_word = not same_label_for_one_word or label == train_label
            reason = why_similar(normal, train_normal, one_word_rule=one_word)
            if reason:
                found.append(Leak(text, train_text, reason))
                break
    return found
