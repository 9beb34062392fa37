"""Text normalisation shared by keyword matching and option selection."""

import re
import unicodedata

_NOT_WORD = re.compile(r"[^\w\s]", re.UNICODE)
_SPACES = re.compile(r"\s+")
SENTENCE_ENDS = (".", "!", "?", "…")


def fold(text: str) -> str:
    """Lower-case, strip accents (á→a, ñ→n) and collapse white space."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", stripped).strip()


def bare_words(text: str) -> str:
    """Folded text without punctuation or emoji: "¡Salir! 🙏" → "salir"."""
    return _SPACES.sub(" ", _NOT_WORD.sub(" ", fold(text))).strip()


def sentence(text: str) -> str:
    """The text ended as a sentence, to be followed by another: a period added unless it
    already ends with one ("… León A.C." stays as it is, not "A.C..")."""
    return text if text.rstrip().endswith(SENTENCE_ENDS) else text + "."
