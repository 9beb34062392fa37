"""Redaction measured on messages as people type them (tests/redaction/), per kind of data.

A labelled span is found when every letter and digit of it is hidden; a hidden span is
right when at least half of its letters and digits are personal data. Recall and
precision are printed per kind, and the floors of README, "Human handoff", enforced.
"""

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Set, Tuple

import pytest
import yaml

from bot.handoff.personal_patterns import Span
from bot.handoff.redaction import find, redact

SETS = Path(__file__).with_name("redaction")
SET_NAMES = ("personal_data.yml", "personal_data_heldout.yml", "personal_data_fresh.yml")
KIND_OF_LABEL = {"[nombre]": "name", "[teléfono]": "phone", "[CURP]": "curp", "[RFC]": "rfc", "[correo]": "email",
                 "[dirección]": "address", "[placa]": "plate"}
RECALL_FLOORS = {"phone": 0.98, "curp": 0.98, "email": 0.98, "name": 0.90, "address": 0.90}
PRECISION_FLOOR = 0.90
RIGHT_SHARE = 0.5


@dataclass(frozen=True)
class Labelled:
    text: str
    spans: Tuple[Tuple[str, int, int], ...]  # kind, start, end


def _labelled(path: Path) -> List[Labelled]:
    entries = []
    for entry in yaml.safe_load(path.read_text(encoding="utf-8")):
        text, spans = entry["text"], []
        for kind, parts in (entry.get("personal") or {}).items():
            for part in parts:
                part = str(part)
                assert part in text, (part, text)
                start = text.find(part)
                while start >= 0:
                    spans.append((kind, start, start + len(part)))
                    start = text.find(part, start + 1)
        entries.append(Labelled(text, tuple(spans)))
    return entries


def _alphanumeric(text: str, start: int, end: int) -> Set[int]:
    return {i for i in range(start, end) if text[i].isalnum()}


@dataclass
class Score:
    found: Counter
    labelled: Counter
    right: Counter
    hidden: Counter

    def recall(self, kind: str) -> float:
        return self.found[kind] / self.labelled[kind] if self.labelled[kind] else 1.0

    def precision(self, kind: str) -> float:
        return self.right[kind] / self.hidden[kind] if self.hidden[kind] else 1.0

    def overall_precision(self) -> float:
        return sum(self.right.values()) / max(1, sum(self.hidden.values()))


def score(entries: List[Labelled], finder: Callable[[str], List[Span]] = find) -> Score:
    result = Score(Counter(), Counter(), Counter(), Counter())
    for entry in entries:
        hidden = finder(entry.text)
        covered = set().union(*(_alphanumeric(entry.text, s.start, s.end) for s in hidden))
        personal = set().union(*(_alphanumeric(entry.text, start, end) for _, start, end in entry.spans))
        for kind, start, end in entry.spans:
            result.labelled[kind] += 1
            result.found[kind] += _alphanumeric(entry.text, start, end) <= covered
        for span in hidden:
            characters = _alphanumeric(entry.text, span.start, span.end)
            kind = KIND_OF_LABEL[span.label]
            result.hidden[kind] += 1
            result.right[kind] += len(characters & personal) >= RIGHT_SHARE * len(characters)
    return result


def report(name: str, result: Score) -> List[str]:
    lines = [f"Redaction on {name}: kind, recall (found/labelled), precision (right/hidden)"]
    for kind in sorted(set(result.labelled) | set(result.hidden)):
        lines.append(f"  {kind:8} recall {result.recall(kind):6.1%} ({result.found[kind]}/{result.labelled[kind]})"
                     f"  precision {result.precision(kind):6.1%} ({result.right[kind]}/{result.hidden[kind]})")
    lines.append(f"  all      precision {result.overall_precision():6.1%}")
    return lines


@pytest.mark.parametrize("name", SET_NAMES)
def test_redaction_meets_its_floors(name: str, figures: List[str]) -> None:
    result = score(_labelled(SETS / name))
    lines = report(name, result)
    figures.extend(lines)
    print("\n".join(lines))
    misses = {kind: f"{result.recall(kind):.1%}" for kind, floor in RECALL_FLOORS.items()
              if result.recall(kind) < floor}
    imprecise = {kind: f"{result.precision(kind):.1%}" for kind in result.hidden
                 if result.precision(kind) < PRECISION_FLOOR}
    assert not misses and not imprecise and result.overall_precision() >= PRECISION_FLOOR, (misses, imprecise)


def test_the_measure_sees_misses_and_overreach() -> None:
    entries = _labelled(SETS / "personal_data.yml")
    hiding_nothing = score(entries, lambda text: [])
    hiding_everything = score(entries, lambda text: [Span(0, len(text), "[nombre]")])
    assert all(hiding_nothing.recall(kind) == 0 for kind in RECALL_FLOORS)
    assert hiding_everything.recall("phone") == 1 and hiding_everything.precision("name") < PRECISION_FLOOR


def test_the_sets_are_labelled_by_what_they_hold() -> None:
    """Every set holds every kind, and messages with nothing personal."""
    for name in SET_NAMES:
        entries = _labelled(SETS / name)
        kinds: Dict[str, int] = Counter(kind for entry in entries for kind, _, _ in entry.spans)
        assert set(kinds) == set(KIND_OF_LABEL.values()), (name, kinds)
        assert sum(not entry.spans for entry in entries) >= 20, name


@pytest.mark.parametrize("text,hidden", [
    ("hola me asaltaron", ""),
    ("me llamo fernanda", "fernanda"),
    ("mi curp es GOML850312MDFRPR09", "GOML850312MDFRPR09"),
    ("vivo en la colonia reforma", "reforma"),
    ("fue en Col. Centro", "Centro"),
])
def test_what_the_issue_found(text: str, hidden: str) -> None:
    redacted = redact(text)
    assert (hidden not in redacted and redacted != text) if hidden else redacted == text, redacted
