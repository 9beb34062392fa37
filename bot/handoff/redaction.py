"""Hides personal data in transcripts shown to staff: names, phone numbers, CURP, RFC,
e-mails, addresses and license plates.

Patterns find what has a shape (bot/handoff/personal_patterns.py); names are found by
bot/handoff/personal_names.py. Revealing the original is a separate, audited action.
Measured on tests/redaction/: see README, "Human handoff and the staff inbox".
"""

from typing import List

from bot.handoff.personal_names import names
from bot.handoff.personal_patterns import Span, shaped


def find(text: str) -> List[Span]:
    """The spans to hide, without overlaps: the patterns' first, then names, earliest first."""
    kept: List[Span] = []
    for span in [*shaped(text), *names(text)]:
        if span.end > span.start and all(span.end <= k.start or span.start >= k.end for k in kept):
            kept.append(span)
    return sorted(kept, key=lambda span: span.start)


def redact(text: str) -> str:
    for span in reversed(find(text)):
        text = text[:span.start] + span.label + text[span.end:]
    return text
