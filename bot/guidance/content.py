"""The guidance content under guidance/: national items, states' online reporting, national lines, and their schema.

`Guidance.load()` reads and validates the files; `problems()` lists what is wrong with
them (schema errors and references to unknown sources, items or crimes), so that a
broken file is reported with its cause instead of reaching a person.
"""

import datetime as dt
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

import jsonschema
import yaml

from bot.directory.catalogue import catalogue

CONTENT_DIR = Path(__file__).resolve().parents[2] / "guidance"
STATE_FACTS = ("online_reporting",)
LINE_PLACEHOLDER = re.compile(r"\{line_([a-z_]+)\}")  # "{line_women}": the line's `says` text


def _plain(value: Any) -> Any:
    """YAML dates as ISO strings, so that the schema and the code see one type."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _read(path: Path) -> Any:
    return _plain(yaml.safe_load(path.read_text(encoding="utf-8")))


@dataclass(frozen=True)
class Fact:
    """One checked piece of content: what it says, where it comes from, when it was checked."""

    ref: str  # "item:report.where", "state:09:online_reporting" or "line:women"
    label: str
    sources: Tuple[Dict[str, str], ...]  # each: title, url (optional), articles (optional)
    checked: dt.date
    verification: str  # "official": read in the official text or site; "desk": in copies and the press


class Guidance:
    """National items, answers, crimes, national lines and the online reporting of the states that have it."""

    def __init__(self, national: Dict[str, Any], states: Dict[str, Any], lines: Dict[str, Any],
                 schema: Dict[str, Any]) -> None:
        self.national, self.states, self.lines, self.schema = national, states, lines, schema

    @classmethod
    def load(cls, directory: Path = CONTENT_DIR) -> "Guidance":
        return cls(_read(directory / "national.yml"), _read(directory / "states.yml"),
                   _read(directory / "lines.yml"), _read(directory / "schema.yml"))

    @property
    def items(self) -> Dict[str, Dict[str, Any]]:
        return self.national["items"]

    @property
    def crimes(self) -> Dict[str, Dict[str, Any]]:
        return self.national["crimes"]

    def answer(self, topic: str) -> Dict[str, List[List[str]]]:
        return self.national["answers"][topic]

    @property
    def situations(self) -> Dict[str, Dict[str, Any]]:
        """Situations that are not one crime (a migrant, a witness), each answered by the answer of its name."""
        return self.national.get("situations", {})

    @property
    def urgent_crimes(self) -> List[str]:
        """Crimes named before any situation: their first step cannot wait."""
        return self.national.get("urgent_crimes", [])

    @property
    def nearby_words(self) -> List[str]:
        """Words that ask for the list of help nearby itself ("el observatorio más cercano")."""
        return self.national.get("nearby_words", [])

    @property
    def affected(self) -> Dict[str, Dict[str, Any]]:
        """Who may be affected (a situation's key): the item every other answer adds for them
        and the words people say it of themselves with."""
        return self.national.get("affected", {})

    def has_answer(self, name: str) -> bool:
        """Whether a crime or situation has an answer of its own (instead of the reporting steps)."""
        return name in self.national["answers"]

    def state(self, key: str) -> Dict[str, Any]:
        """A state's facts (its online reporting), empty for a state with none verified."""
        return self.states.get(key, {})

    def problems(self) -> List[str]:
        """Everything wrong with the content, one line each; empty when it is sound."""
        found = [self._schema_error("national.yml", self.national, "national"),
                 self._schema_error("states.yml", self.states, "states"),
                 self._schema_error("lines.yml", self.lines, "lines")]
        problems = [problem for problem in found if problem]
        if problems:
            return problems
        sources, items = self.national["sources"], self.items
        for name, item in items.items():
            problems += [f"item {name}: unknown source {cite['source']!r}"
                         for cite in item["cites"] if cite["source"] not in sources]
            problems += [f"item {name}: unknown line {line!r}"
                         for line in LINE_PLACEHOLDER.findall(item["text"]) if line not in self.lines]
        for topic, answer in self.national["answers"].items():
            for message in answer["messages"] + answer["more"]:
                problems += [f"answer {topic}: unknown item {name!r}" for name in message if name not in items]
        problems += [f"crime {crime}: no item crime.{crime} nor an answer of its own" for crime in self.crimes
                     if f"crime.{crime}" not in items and not self.has_answer(crime)]
        problems += [f"situation {key}: no answer of its own" for key in self.situations if not self.has_answer(key)]
        problems += [f"situation {key}: unless {crime!r} is not a crime" for key, entry in self.situations.items()
                     for crime in entry.get("unless", []) if crime not in self.crimes]
        problems += [f"situation {key}: unless without weak_words" for key, entry in self.situations.items()
                     if entry.get("unless") and not entry.get("weak_words")]
        problems += [f"urgent crime {crime}: not a crime" for crime in self.urgent_crimes if crime not in self.crimes]
        problems += [f"affected {key}: not a situation, or unknown item {entry['item']!r}"
                     for key, entry in self.affected.items() if key not in self.situations or entry["item"] not in items]
        situations = set(self.national["answers"]) | set(self.crimes) | set(self.situations) | {"help_nearby"}
        for key, line in self.lines.items():
            problems += [f"line {key}: unknown topic or crime {fit!r}" for fit in line.get("fits", []) if fit not in situations]
        cases = set(self.crimes) | set(self.situations)
        for kind, entries in (("item", items), ("line", self.lines)):
            problems += [f"{kind} {key}: only_for names an unknown crime or situation {case!r}"
                         for key, entry in entries.items() for case in entry.get("only_for", []) if case not in cases]
        known_states = set(catalogue().states)
        for key, state in self.states.items():
            if key not in known_states:
                problems.append(f"state {key}: not a state of the place catalogue")
            crimes = (state.get("online_reporting") or {}).get("crimes", "all")
            if crimes != "all":
                problems += [f"state {key}: unknown crime {crime!r}" for crime in crimes if crime not in self.crimes]
        return problems

    def _schema_error(self, file_name: str, content: Any, definition: str) -> Optional[str]:
        schema = {**self.schema, "$ref": f"#/$defs/{definition}"}
        error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema).iter_errors(content))
        if error is None:
            return None
        where = "/".join(str(part) for part in error.absolute_path) or "(top)"
        return f"{file_name}: {where}: {error.message}"

    def facts(self) -> Iterator[Fact]:
        """Every item, state fact and national line, with its sources and check date."""
        sources = self.national["sources"]
        for name, item in self.items.items():
            cited = tuple({**sources[cite["source"]], "articles": cite.get("articles", "")} for cite in item["cites"])
            yield Fact(f"item:{name}", name, cited, dt.date.fromisoformat(item["checked"]),
                       item.get("verification", "desk"))
        for key, state in sorted(self.states.items()):
            for fact_name in STATE_FACTS:
                fact = state.get(fact_name)
                if fact:
                    yield Fact(f"state:{key}:{fact_name}", f"{catalogue().states[key]}: {fact_name}",
                               tuple(fact["sources"]), dt.date.fromisoformat(fact["checked"]), fact["verification"])
        for key, line in self.lines.items():
            yield Fact(f"line:{key}", f"line {key}: {line['name']}", tuple(line["sources"]),
                       dt.date.fromisoformat(line["checked"]), line["verification"])

    def lines_for(self, *situations: Optional[str]) -> List[str]:
        """The keys of the lines that fit a topic or a crime ("protection", "disappearance"), in file order."""
        return [key for key, line in self.lines.items() if set(line.get("fits", [])) & set(situations)]

    def cases_of(self, item_or_line: Dict[str, Any]) -> List[str]:
        """The crimes and situations an item or a line is meant only for (empty: for every case):
        its own `only_for`, and that of each line an item names."""
        named = [self.lines[key] for key in LINE_PLACEHOLDER.findall(item_or_line.get("text", ""))]
        return sorted({case for entry in (item_or_line, *named) for case in entry.get("only_for", [])})

    def line_named(self, name: str) -> Optional[Dict[str, Any]]:
        """The line of lines.yml a directory entry of that name stands for, if any."""
        return next((line for line in self.lines.values() if line["name"] == name), None)

    @staticmethod
    def fits_case(cases: Sequence[str], case: Optional[str], affected: Sequence[str] = ()) -> bool:
        """Whether what is meant only for `cases` belongs in an answer to `case`, the crime or
        situation the person's words named: always when meant for every case or when none was
        named yet; otherwise only for one of its cases (no trafficking line after family
        violence), or when it is meant for who is affected (a migrant)."""
        return not cases or case is None or case in cases or bool(set(cases) & set(affected))

    @cached_property
    def _facts_by_ref(self) -> Dict[str, Fact]:
        return {fact.ref: fact for fact in self.facts()}

    def fact(self, ref: str) -> Optional[Fact]:
        return self._facts_by_ref.get(ref)


@lru_cache(maxsize=1)
def guidance() -> Guidance:
    """The shipped content, validated once per process."""
    content = Guidance.load()
    problems = content.problems()
    if problems:
        raise ValueError("Guidance content is invalid:\n" + "\n".join(problems))
    return content
