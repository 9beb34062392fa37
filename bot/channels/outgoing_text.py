"""Fits reply text to WhatsApp and SMS: message length, SMS encoding and segments.

Twilio refuses bodies over 1,600 characters. SMS travels in GSM-7 (160 characters, 153
per part of a long message) unless one character is outside that alphabet, and then the
whole message goes as UCS-2 (70, and 67 per part). Spanish accents á í ó ú are outside
GSM-7, so SMS replies are transliterated to it (á→a; ñ ¿ ¡ é stay): half the segments,
and readable on any phone.
"""

import re
import unicodedata
from typing import List

MAX_BODY_CHARS = 1600
# The most SMS parts one reply may take: replies are written to fit (tests/test_outgoing_text.py).
SMS_SEGMENT_BUDGET = 10
GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€")  # two septets each
_REPLACEMENTS = {"•": "-", "–": "-", "—": "-", "“": '"', "”": '"', "‘": "'", "’": "'", "…": "...", "\u00a0": " "}
_SENTENCE_END = re.compile(r"(?<=[.!?:;])\s+|\n")


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
    return base if base in GSM7_BASIC else ""


def to_gsm7(text: str) -> str:
    """The closest GSM-7 text: accents dropped where GSM-7 lacks them, emoji removed."""
    converted = "".join(_gsm7_char(c) for c in text)
    return re.sub(r"[ \t]+\n", "\n", re.sub(r"[ \t]{2,}", " ", converted)).strip()


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
    prepared = to_gsm7(text) if channel == "sms" else text
    return [body for body in split_message(prepared) if body.strip()]
