"""Options chosen in words: "dos", "la dos", "opción dos", "el 2", "la segunda", "2.", "#2",
or by what they say: "la de protección", "lo de denunciar".

The words are data (option_words.yml). `option_number` reads a whole message that is one
number among filler words; `option_named` reads a message that names an option ("la de …")
and `option_by_label` finds which of the offered options it names. Numbers out of any
menu's range ("0", "99", "-1", a thousand digits) are still read as numbers, so that the
person is told which numbers the list has.
"""

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, FrozenSet, List, Optional, Sequence, Tuple

import yaml

from bot.text import bare_words, fold

WORDS_FILE = Path(__file__).with_name("option_words.yml")
MAX_DIGITS = 6  # longer numbers are out of every list's range: read as this many nines
_TOKEN = re.compile(r"-?\d+[a-z]*|[a-z]+")
_PAYLOAD_INTENT = re.compile(r"^/([\w-]+)")
_STEM = 5  # words sharing their first five letters are the same word ("proteccion", "protegerme")


@dataclass(frozen=True)
class OptionWords:
    numbers: Dict[str, int]
    fillers: FrozenSet[str]
    naming: Tuple[Tuple[str, ...], ...]  # longest first
    ignored: FrozenSet[str]
    aliases: Dict[str, Tuple[Tuple[str, ...], ...]]

    @classmethod
    def load(cls, path: Path = WORDS_FILE) -> "OptionWords":
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        numbers = {fold(str(word)): int(value) for value, words in data["numbers"].items() for word in words}
        naming = sorted((tuple(bare_words(p).split()) for p in data["naming"]), key=len, reverse=True)
        aliases = {intent: tuple(tuple(bare_words(a).split()) for a in words)
                   for intent, words in data["aliases"].items()}
        return cls(numbers, frozenset(bare_words(str(w)) for w in data["fillers"]), tuple(naming),
                   frozenset(data["ignored_label_words"]), aliases)


@lru_cache(maxsize=1)
def option_words() -> OptionWords:
    return OptionWords.load()


def _number(token: str, words: OptionWords) -> Optional[int]:
    if token in words.numbers:
        return words.numbers[token]
    digits = token.lstrip("-")
    if not digits.isdigit():
        return None
    value = int("9" * MAX_DIGITS) if len(digits) > MAX_DIGITS else int(digits)
    return -value if token.startswith("-") else value


def option_number(text: str, words: Optional[OptionWords] = None) -> Optional[int]:
    """The number a whole message chooses, or None when it says anything else."""
    words = words or option_words()
    tokens = _TOKEN.findall(fold(text or "")[:200])
    numbers = [n for n in (_number(t, words) for t in tokens) if n is not None]
    if len(numbers) != 1:
        return None
    rest = [t for t in tokens if _number(t, words) is None]
    return numbers[0] if all(t in words.fillers for t in rest) else None


def option_named(text: str, words: Optional[OptionWords] = None) -> Optional[str]:
    """What a message of the form "la de protección" names ("proteccion"), else None."""
    words = words or option_words()
    tokens = bare_words(text or "")[:200].split()
    while tokens and tokens[0] in ("quiero", "elijo", "escojo", "prefiero", "mejor", "pues", "este", "ok"):
        tokens = tokens[1:]
    for phrase in words.naming:
        if tuple(tokens[:len(phrase)]) == phrase and len(tokens) > len(phrase):
            return " ".join(tokens[len(phrase):])
    return None


def is_option_reference(text: str) -> bool:
    """Whether a message chooses an option by number or by name (the intent choose_option)."""
    return option_number(text) is not None or option_named(text) is not None


def _same(word: str, other: str) -> bool:
    return word == other or (len(word) >= _STEM and len(other) >= _STEM and word[:_STEM] == other[:_STEM])


def _label_words(title: str, ignored: FrozenSet[str]) -> List[str]:
    """A label's telling words; those after "sin" are what the option is not ("Protección sin denunciar")."""
    words = bare_words(title).split()
    if "sin" in words:
        words = words[:words.index("sin")]
    return [w for w in words if w not in ignored]


def _score(query: List[str], option: Dict[str, Any], words: OptionWords) -> int:
    score = sum(1 for q in query for w in _label_words(str(option.get("title") or ""), words.ignored) if _same(q, w))
    intent = _PAYLOAD_INTENT.match(str(option.get("payload") or ""))
    for alias in words.aliases.get(intent.group(1) if intent else "", ()):
        if len(alias) <= len(query) and any(
                all(_same(a, q) for a, q in zip(alias, query[i:i + len(alias)]))
                for i in range(len(query) - len(alias) + 1)):
            score += 2 * len(alias)
    return score


def option_by_label(query: str, options: Sequence[Dict[str, Any]], words: Optional[OptionWords] = None) -> Optional[int]:
    """The 1-based number of the one option whose label (or alias) the query names best."""
    words = words or option_words()
    terms = [w for w in bare_words(query).split() if w not in words.ignored]
    if not terms:
        return None
    scores = [_score(terms, option, words) for option in options]
    best = max(scores, default=0)
    if best == 0 or scores.count(best) > 1:
        return None
    return scores.index(best) + 1
