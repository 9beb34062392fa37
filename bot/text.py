"""Text normalisation shared by keyword matching and option selection."""

import re
import unicodedata

_NOT_WORD = re.compile(r"[^\w\s]", re.UNICODE)
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower-case, strip accents (á→a, ñ→n) and collapse white space."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", stripped).strip()


def bare_words(text: str) -> str:
    """Folded text without punctuation or emoji: "¡Salir! 🙏" → "salir"."""
    return _SPACES.sub(" ", _NOT_WORD.sub(" ", fold(text))).strip()
