"""The danger lexicon of keywords.yml: whether a text signals danger, of which kind, and
the cues (now, past, negation, reported) that decide which danger reply it gets.

No Rasa import: the action server reads it too (actions/safety.py). A message about
violence in the past, already over, or told of someone else, with no cue of the present
("hace un mes me amenazaron", "me contó que su esposo la golpeaba"), gets the 911 reminder
instead of the emergency reply, and its request is answered after it; any cue of the
present ("ahorita", "sigue afuera", "me está…", "hace rato") keeps the emergency reply.
The 911 line is never removed (see `danger_cues` in keywords.yml).
"""

import re
from pathlib import Path
from typing import Dict, FrozenSet, List, Optional, Pattern, Sequence

import yaml

from bot.text import fold

KEYWORDS_FILE = Path(__file__).with_name("keywords.yml")
SELF_HARM, TRAFFICKING = "self_harm", "trafficking"
# What the situation classifier reads of danger caused by someone else (bot/nlu/situation_classifier.py).
OTHER_DANGER = "other_danger"
# The reply of each kind of danger, in the catalogues; any other danger gets utter_danger.
REPLY_BY_KIND: Dict[Optional[str], str] = {
    SELF_HARM: "utter_danger_self_harm", TRAFFICKING: "utter_danger_trafficking", None: "utter_danger"}
# Danger that may not be happening now: one line with 911, then the person's request.
REMINDER_REPLY = "utter_danger_reminder"
NOW, PAST, NEGATED, REPORTED = "now", "past", "negated", "reported"
NOT_NOW = frozenset({PAST, NEGATED, REPORTED})


def _compiled(patterns: List[str]) -> List[Pattern[str]]:
    return [re.compile(pattern) for pattern in patterns]


class DangerLexicon:
    """The danger patterns, the kinds with lines of their own, and the time cues."""

    def __init__(self, path: Path = KEYWORDS_FILE) -> None:
        lists = yaml.safe_load(path.read_text(encoding="utf-8"))
        self.patterns = _compiled(lists["danger"])
        # In order: a message with both gets the first kind (self-harm before trafficking).
        self.kinds = {kind: _compiled(patterns) for kind, patterns in lists["danger_kinds"].items()}
        self.cue_patterns = {cue: _compiled(patterns) for cue, patterns in lists["danger_cues"].items()}
        self.by_someone_else = _compiled(lists["harm_by_someone_else"])

    def is_danger(self, text: str) -> bool:
        folded = fold(text)
        return any(p.search(folded) for p in self.patterns) or self.kind(text) is not None

    def kind(self, text: str, read: Sequence[str] = ()) -> Optional[str]:
        """self_harm or trafficking when the text says so in the lexicon's words, or when the
        NLU read it so (`read`: the message's situations, bot/nlu/situation_classifier.py) —
        except self-harm read in a threat from someone else ("mi esposo quiere matarme")."""
        folded = fold(text)
        said = next((kind for kind, patterns in self.kinds.items() if any(p.search(folded) for p in patterns)), None)
        threatened = self.threatened(text)
        return said or next((kind for kind in self.kinds if kind in read and not (kind == SELF_HARM and threatened)), None)

    def threatened(self, text: str) -> bool:
        """Whether the text tells of harm threatened by someone else, now or before."""
        folded = fold(text)
        return any(p.search(folded) for p in self.by_someone_else)

    def cues(self, text: str) -> FrozenSet[str]:
        """Which of now, past, negated, reported the text shows."""
        folded = fold(text)
        return frozenset(cue for cue, patterns in self.cue_patterns.items()
                         if any(p.search(folded) for p in patterns))

    def in_doubt(self, text: str, read: Sequence[str] = ()) -> bool:
        """Whether danger in this text may not be happening now: a cue of the past, of
        something over or told of someone else, none of the present, and no self-harm or
        trafficking (those always get their line)."""
        cues = self.cues(text)
        return NOW not in cues and bool(cues & NOT_NOW) and self.kind(text, read) is None

    def reply(self, text: str, read: Sequence[str] = ()) -> str:
        """The catalogue reply for danger in this text; every one of them leads with 911."""
        return REMINDER_REPLY if self.in_doubt(text, read) else REPLY_BY_KIND[self.kind(text, read)]
