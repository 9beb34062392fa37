"""Fits reply text to WhatsApp and SMS: message length, SMS encoding and segments.

Twilio refuses bodies over 1,600 characters. SMS travels in GSM-7 (160 characters, 153
per part of a long message) unless one character is outside that alphabet, and then the
whole message goes as UCS-2 (70, and 67 per part). Spanish accents á í ó ú are outside
GSM-7, so SMS replies are transliterated to it (á→a; ñ ¿ ¡ é stay): half the segments,
and readable on any phone. Punctuation GSM-7 lacks becomes its nearest sign or a space,
never nothing, so that "Tel. 089 · 24 horas" keeps its separator. A reply where a dropped
accent would change a word ("pasó" → "paso", see sms_accents.yml) keeps all its accents when
it still fits the SMS budget in UCS-2; a longer one stays GSM-7, and those words keep their
accent as the grave one GSM-7 has ("pasò", "estàs"): at no cost, their meaning is not lost.
A sentence ending in the location pin 📍 tells how to send a location, which only WhatsApp
can: SMS leaves it out.
"""

import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import FrozenSet, List

import yaml

MAX_BODY_CHARS = 1600
# The most SMS parts one reply may take: replies are written to fit (tests/test_outgoing_text.py).
SMS_SEGMENT_BUDGET = 10
GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€")  # two septets each
_REPLACEMENTS = {"•": "-", "–": "-", "—": "-", "·": "-", "“": '"', "”": '"', "«": '"', "»": '"', "‘": "'", "’": "'",
                 "…": "...", "\u00a0": " "}
_SENTENCE_END = re.compile(r"(?<=[.!?:;])\s+|\n")
LOCATION_PIN = "📍"
_PIN_SENTENCE = re.compile(r"[^.!?\n]*" + LOCATION_PIN + r"[.!?]?")
_WORD = re.compile(r"\w+")
GRAVE = str.maketrans("áíóú", "àìòù")  # GSM-7 has these lower-case vowels with a grave accent, not an acute one
ACCENTS_FILE = Path(__file__).with_name("sms_accents.yml")


@lru_cache(maxsize=1)
def meaningful_accents() -> FrozenSet[str]:
    """Words whose accent SMS must not drop (sms_accents.yml)."""
    return frozenset(yaml.safe_load(ACCENTS_FILE.read_text(encoding="utf-8"))["words"])


def is_gsm7(text: str) -> bool:
    return all(c in GSM7_BASIC or c in GSM7_EXTENDED for c in text)


def sms_segments(text: str) -> int:
    """How many SMS parts Twilio bills for `text`."""
    if is_gsm7(text):
        septets = sum(2 if c in GSM7_EXTENDED else 1 for c in text)
        return 1 if septets <= 160 else -(-septets // 153)
    units = len(text.encode("utf-16-le")) // 2
    return 1 if units <= 70 else -(-units // 67)


def _gsm7_char(char: str) -> str:
    if char in GSM7_BASIC or char in GSM7_EXTENDED:
        return char
    if char in _REPLACEMENTS:
        return _REPLACEMENTS[char]
    base = unicodedata.normalize("NFKD", char)[0]
    return base if base in GSM7_BASIC else " "


def _tidy(text: str) -> str:
    return re.sub(r"[ \t]*\n[ \t]*", "\n", re.sub(r"[ \t]{2,}", " ", text)).strip()


def to_gsm7(text: str) -> str:
    """The closest GSM-7 text: accents dropped where GSM-7 lacks them, emoji removed."""
    return _tidy("".join(_gsm7_char(c) for c in text))


def _ucs2_char(char: str) -> str:
    """A character as an SMS in UCS-2 carries it: letters and signs kept, emoji left out."""
    return char if char in _REPLACEMENTS or unicodedata.category(char)[0] in "LNPZ" or char == "\n" else " "


def marked(text: str) -> str:
    """The text with the accent of each word whose meaning needs it (sms_accents.yml) made the
    grave one GSM-7 has: "pasó" → "pasò"."""
    words = meaningful_accents()
    return _WORD.sub(lambda word: word[0].translate(GRAVE) if word[0].casefold() in words else word[0], text)


def sms_text(text: str) -> str:
    """A reply as SMS sends it: without WhatsApp-only sentences; in GSM-7, unless dropping an
    accent would change a word: then with every accent when that fits SMS_SEGMENT_BUDGET,
    else in GSM-7 with those words' accents made grave."""
    text = _PIN_SENTENCE.sub("", text)
    if not meaningful_accents() & {word.casefold() for word in _WORD.findall(text)}:
        return to_gsm7(text)
    accented = _tidy("".join(_ucs2_char(c) for c in text))
    fits = sum(sms_segments(body) for body in split_message(accented)) <= SMS_SEGMENT_BUDGET
    return accented if fits else to_gsm7(marked(text))


def split_message(text: str, limit: int = MAX_BODY_CHARS) -> List[str]:
    """Splits at line or sentence ends into parts of at most `limit` characters."""
    parts: List[str] = []
    current = ""
    for piece in _pieces(text, limit):
        candidate = f"{current}\n{piece}" if current else piece
        if len(candidate) <= limit:
            current = candidate
        else:
            parts.append(current)
            current = piece
    if current:
        parts.append(current)
    return parts


def _pieces(text: str, limit: int) -> List[str]:
    """Lines and sentences, each cut to `limit` if a single one is longer."""
    pieces = []
    for line in text.split("\n"):
        sentences = [s for s in _SENTENCE_END.split(line) if s] or [""]
        joined = ""
        for sentence in sentences:
            if joined and len(joined) + 1 + len(sentence) > limit:
                pieces.append(joined)
                joined = sentence
            else:
                joined = f"{joined} {sentence}" if joined else sentence
        pieces.append(joined)
    return [chunk for piece in pieces for chunk in _hard_cut(piece, limit)]


def _hard_cut(piece: str, limit: int) -> List[str]:
    return [piece[i:i + limit] for i in range(0, len(piece), limit)] or [""]


def bodies_for(text: str, channel: str) -> List[str]:
    """The message bodies to send for one reply on `channel` ("sms" or "whatsapp")."""
    prepared = sms_text(text) if channel == "sms" else text
    return [body for body in split_message(prepared) if body.strip()]
