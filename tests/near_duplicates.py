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

import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable, List, Optional, Sequence, Tuple

from rapidfuzz import fuzz
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


def leaks(examples: Iterable[Tuple[str, str]], training: Sequence[Tuple[str, str]],
          same_label_for_one_word: bool = True) -> List[Leak]:
    """Every example (label, text) that is a near-duplicate of a training (label, text).
    With `same_label_for_one_word`, the one-word rule applies only to the same label."""
    prepared = [(label, text, normalise(text)) for label, text in training]
    found = []
    for label, text in examples:
        normal = normalise(text)
        for train_label, train_text, train_normal in prepared:
            one_word = not same_label_for_one_word or label == train_label
            reason = why_similar(normal, train_normal, one_word_rule=one_word)
            if reason:
                found.append(Leak(text, train_text, reason))
                break
    return found
