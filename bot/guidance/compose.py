"""Turns the guidance content into the messages of one answer for one state.

An answer is at most three messages (WhatsApp shows each as one bubble, SMS as a few
segments); what does not fit waits for "más" as numbered sections ("report_crime:0"). Each
answer also lists the facts it rests on, for "¿De dónde sale esto?".

The state's prosecutor's office, Centros de Justicia para las Mujeres and victims' commission
come from the referral directory (`local`: its active entries in that state), so that an
administrator's change shows in the next answer; the rest comes from guidance/.
"""

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Dict, List, Optional, Sequence, Tuple

from bot.directory.catalogue import catalogue
from bot.directory.nearest import Entry
from bot.directory.validation import display_phone
from bot.guidance.content import LINE_PLACEHOLDER, guidance
from bot.guidance.texts import ONLINE_FIELDS, Say, item_key, line_texts, online_key
from bot.languages import DEFAULT_LANGUAGE
from bot.replies.catalogue import Catalogues
from bot.text import bare_words

MAX_MESSAGES = 3
DIRECTORY_REF = "directory"  # "directory:<oldest>:<newest>": entries of the referral directory
ENTRY_REF = "entry"  # "entry:<id>": one of them, whose own source "fuente" shows
# Which state fact a placeholder or a `needs` condition rests on.
_FACT_OF_PLACEHOLDER = {"{online_where}": "online_reporting"}
_FACT_OF_NEED = {"online": "online_reporting"}
# Which directory kind a placeholder or a `needs` condition rests on.
_LISTED_KINDS = {"{centres}": "women_justice_centre", "{commission}": "victims_commission",  # named as a list
                 "{rights_commission}": "human_rights_commission"}
_KIND_OF_PLACEHOLDER = {**_LISTED_KINDS, **{f"{{{name}}}": "prosecutor" for name in ("prosecutor", "prosecutor_contact", "website")}}
_KIND_OF_NEED = {"centres": "women_justice_centre", "commission": "victims_commission", "prosecutor": "prosecutor",
                 "rights_commission": "human_rights_commission"}
# Which part of an answer to compose: all of it for a known state; before the state is known,
# what holds anywhere (NATIONAL); once it is named, only what depends on it (LOCAL).
WHOLE, NATIONAL, LOCAL = "whole", "national", "local"
# The state's entries that list the person's language (any kind): placeholder and `needs`.
SPEAKERS = "speakers"
# Placeholders whose value depends on the state (its facts or its directory entries).
_STATE_PLACEHOLDERS = (*_KIND_OF_PLACEHOLDER, *_FACT_OF_PLACEHOLDER, "{online_crimes}", "{online_notes}",
                       f"{{{SPEAKERS}}}")
NATIONAL_NEED, STATE_NEED = "no_state", "state"  # an item shown only before / once the state is known


MAX_PER_KIND = 2  # entries of one kind an answer names; the rest are counted (help nearby lists them)


@lru_cache(maxsize=1)
def _catalogues() -> Catalogues:
    return Catalogues.load()


def in_spanish(key: str) -> str:
    """A catalogue entry's Spanish text (what an answer says when no language is asked for)."""
    return _catalogues().say(key, DEFAULT_LANGUAGE)


@dataclass
class Answer:
    """The messages to send, the facts they cite, and the sections left for "más"."""

    messages: List[str] = field(default_factory=list)
    refs: List[str] = field(default_factory=list)
    more: List[str] = field(default_factory=list)

    @property
    def checked(self) -> str:
        """The oldest check date among the facts cited (what a reader should trust)."""
        dates = [fact.checked for fact in map(guidance().fact, self.refs) if fact]
        return min(dates).strftime("%d-%m-%Y") if dates else ""

    @property
    def source_names(self) -> str:
        """Short names of the sources cited, in order of first use."""
        names: List[str] = []
        for fact in filter(None, map(guidance().fact, self.refs)):
            for source in fact.sources:
                name = source.get("short") or ("sitio oficial" if source["title"].endswith("sitio oficial") else "")
                if name and name not in names:
                    names.append(name)
        return ", ".join(names)


def depends_on_state(item: Dict[str, Any]) -> bool:
    """Whether an item says something only a known state tells (its offices, its facts)."""
    return item.get("needs") not in (None, NATIONAL_NEED) or any(p in item["text"] for p in _STATE_PLACEHOLDERS)


class Composer:
    """Answers for one state (None: not known yet) and, optionally, what happened; `local`: the
    directory's entries of that state, nearest to the person first; `part`: WHOLE, NATIONAL
    (what holds in any state; the only part without a state) or LOCAL (what the state adds);
    `case`: the crime or situation the person's words named (default: `crime`), which items
    meant only for other cases (`only_for`) are left out of; `affected`: who the person said is
    affected (a migrant), whose item every answer adds (and whose items fit too); `say`: each
    sentence of the content in the reader's language (bot/guidance/texts.py; default Spanish),
    its placeholders filled afterwards; `language`: the person's language, whose speakers in
    the directory `{speakers}` names."""

    def __init__(self, state_key: Optional[str], crime: Optional[str] = None, local: Sequence[Entry] = (),
                 part: str = WHOLE, case: Optional[str] = None, affected: Sequence[str] = (),
                 say: Say = in_spanish, language: Optional[str] = None) -> None:
        self.content = guidance()
        self.say = say
        self.state_key, self.crime = state_key, crime
        self.case = case or crime
        self.groups = [key for key in affected if key in self.content.affected]
        self.affected = [self.content.affected[key]["item"] for key in self.groups]
        self.part = NATIONAL if state_key is None else part
        self.state = self.content.state(state_key) if state_key else {}
        self.local = [entry for entry in local if entry.state_key == state_key]
        self.speakers = [entry for entry in self.local if language and language in entry.languages]

    def answer(self, topic: str, general: bool = True) -> Answer:
        """The answer for `topic` ("report_crime" or "protection"); with a crime, its own steps.

        `general=False` answers only the crime's steps (the person already has the rest).
        """
        messages, more = self._plan(topic, general)
        return self._render(messages, more)

    def depends_on_state(self, topic: str, general: bool = True) -> bool:
        """Whether the state adds anything to this answer (its offices, its facts)."""
        messages, _ = self._plan(topic, general)
        return any(depends_on_state(self.content.items[name]) for names in messages for name in names)

    def _plan(self, topic: str, general: bool) -> Tuple[List[List[str]], List[str]]:
        """The items of each message, and the sections kept for "más"."""
        plan = self.content.answer(topic)
        messages = [list(message) for message in plan["messages"]] if general else []
        if topic == "report_crime" and self.crime:
            crime_message = ["crime.heading", f"crime.{self.crime}"] if general else [
                "report.heading", f"crime.{self.crime}", "report.online", "report.no_online"]
            messages = (messages + [crime_message])[:MAX_MESSAGES]
        for_them = [item for item in self.affected if not any(item in message for message in messages)]
        if messages and for_them:  # who is affected: at the end of the answer, before its sources
            messages[-1] = [*messages[-1], *for_them]
        return messages, [f"{topic}:{index}" for index in range(len(plan["more"]))]

    def more(self, section: str) -> Answer:
        """One section kept for "más" ("report_crime:0")."""
        topic, index = section.split(":")
        return self._render([self.content.answer(topic)["more"][int(index)]], [])

    def _render(self, messages: List[List[str]], more: List[str]) -> Answer:
        answer = Answer(more=more)
        values = self._values()
        for names in messages:
            chosen = [name for name in names if self._shows(name)]
            if all(name.endswith("heading") for name in chosen):
                continue  # headings alone: nothing of this message belongs to the part
            lines = []
            for name in chosen:
                item = self.content.items[name]
                lines.append(self.say(item_key(name)).format_map(values))
                answer.refs += [ref for ref in self._refs(name, item) if ref not in answer.refs]
            answer.messages.append("\n".join(lines))
        return answer

    def _shows(self, name: str) -> bool:
        """Whether an item belongs to this answer: its condition holds and it is of the part composed
        (a heading goes with any part)."""
        item = self.content.items[name]
        cases = self.content.cases_of(item)
        if not self._needed(item.get("needs")) or not self.content.fits_case(cases, self.case, self.groups):
            return False
        if self.part == WHOLE or name.endswith("heading"):
            return True
        return depends_on_state(item) == (self.part == LOCAL)

    def _needed(self, need: Optional[str]) -> bool:
        if need is None:
            return True
        if need in (NATIONAL_NEED, STATE_NEED):
            return (self.state_key is None) == (need == NATIONAL_NEED)
        if self.state_key is None:
            return False
        present = {"online": self._online_for_crime(), SPEAKERS: bool(self.speakers),
                   **{name: bool(self._of_kind(kind)) for name, kind in _KIND_OF_NEED.items()}}
        return present[need.removeprefix("no_")] != need.startswith("no_")

    def _of_kind(self, kind: str) -> List[Entry]:
        return [entry for entry in self.local if entry.kind == kind]

    @staticmethod
    def _shown(kind: str) -> int:
        """How many entries of a kind an answer names: the nearest office, the two nearest of a list."""
        return MAX_PER_KIND if kind in _LISTED_KINDS.values() else 1

    def _entries_text(self, kind: str) -> str:
        """The first entries of a kind (the nearest, as `local` is ordered), and how many more there are."""
        entries = self._of_kind(kind)
        text = "; ".join(map(self._summary, entries[:self._shown(kind)]))
        if len(entries) > MAX_PER_KIND:
            text += self.say(item_key("directory.more")).format(
                count=len(entries) - MAX_PER_KIND, state=catalogue().states[self.state_key])
        return text

    def _summary(self, entry: Entry) -> str:
        """An entry as an answer names it: name, place, how to reach it, or its address, or that
        no contact is known yet."""
        contact = [self.say("value_phone").format(phone=display_phone(entry.phone)) if entry.phone else "",
                   self.say("value_whatsapp").format(whatsapp=display_phone(entry.whatsapp)) if entry.whatsapp
                   else "", entry.website or ""]
        reach = ", ".join(filter(None, contact)) or (
            self.say("value_at_address").format(address=entry.address) if entry.address
            else self.say("value_no_phone"))
        hours = f", {entry.opening_hours}" if entry.opening_hours else ""
        place = f" ({entry.place})" if entry.place else ""
        return f"{entry.name}{place}: {reach}{hours}"

    def _online_for_crime(self) -> bool:
        online = self.state.get("online_reporting")
        if not online:
            return False
        return online["crimes"] == "all" or self.crime is None or self.crime in online["crimes"]

    def _refs(self, name: str, item: Dict[str, Any]) -> List[str]:
        facts = {fact for placeholder, fact in _FACT_OF_PLACEHOLDER.items() if placeholder in item["text"]}
        if item.get("needs") in _FACT_OF_NEED:
            facts.add(_FACT_OF_NEED[item["needs"]])
        refs = [f"item:{name}"] + [f"state:{self.state_key}:{fact}" for fact in sorted(facts) if self.state.get(fact)]
        refs += [f"line:{line}" for line in LINE_PLACEHOLDER.findall(item["text"])]
        kinds = {kind for placeholder, kind in _KIND_OF_PLACEHOLDER.items() if placeholder in item["text"]}
        entries = [entry for kind in sorted(kinds) for entry in self._of_kind(kind)]
        shown = [entry for kind in sorted(kinds) for entry in self._of_kind(kind)[:self._shown(kind)]]
        if f"{{{SPEAKERS}}}" in item["text"]:
            entries, shown = entries + self.speakers, shown + self.speakers[:MAX_PER_KIND]
        if entries:
            dates = sorted(entry.verified_on.isoformat() for entry in entries)
            refs.append(f"{DIRECTORY_REF}:{dates[0]}:{dates[-1]}")
            refs += [f"{ENTRY_REF}:{entry.id}" for entry in shown]
        return refs

    def _prosecutor_values(self) -> Dict[str, str]:
        """The state's prosecutor's office as the directory has it now (the nearest, if several)."""
        office = next(iter(self._of_kind("prosecutor")), None)
        if office is None:
            return {"prosecutor": self.say("value_no_prosecutor"), "website": self.say("value_no_website"),
                    "prosecutor_contact": ""}
        contact = [office.website or "",
                   self.say("value_phone").format(phone=display_phone(office.phone)) if office.phone else ""]
        return {"prosecutor": office.name, "website": office.website or self.say("value_no_website"),
                "prosecutor_contact": ", ".join(filter(None, contact))}

    def _values(self) -> Dict[str, str]:
        online = self.state.get("online_reporting") or {}
        said = {field: self.say(online_key(self.state_key, field)) if online.get(field) else ""
                for field in ONLINE_FIELDS}
        return {
            "state": catalogue().states[self.state_key] if self.state_key else self.say("value_any_state"),
            **self._prosecutor_values(),
            "online_where": said["where"], "online_crimes": said["label"], "online_notes": said["notes"],
            **{placeholder.strip("{}"): self._entries_text(kind) for placeholder, kind in _LISTED_KINDS.items()},
            SPEAKERS: "; ".join(map(self._summary, self.speakers[:MAX_PER_KIND])),
            **line_texts(self.say),
        }


# An infinitive with a pronoun attached ("robarme", "deportarlo") reads as the infinitive itself.
_ENCLITIC = re.compile(r"\b(\w+[aei]r)(?:me|te|le|lo|la|nos|les|los|las|se)\b")


@lru_cache(maxsize=None)
def _bare(phrase: str) -> str:
    """A phrase of the guidance data as messages are compared with it (folded once)."""
    return f" {bare_words(phrase)} "


def _said(phrases: Sequence[str], words: str) -> bool:
    return any(_bare(phrase) in words for phrase in phrases)


def _named(text: str, catalogue_entries: Dict[str, Dict[str, Any]]) -> List[str]:
    """Every entry whose words the message uses, in the catalogue's order; an entry's
    `weak_words` count only as written and only when none of its `unless` is named too."""
    bare = bare_words(text)
    infinitives = _ENCLITIC.sub(r"\1", bare)
    words = f" {bare} | {infinitives} "  # "|": no phrase reads across the two
    named = [key for key, entry in catalogue_entries.items() if _said(entry["words"], words)]
    weakly = [key for key, entry in catalogue_entries.items() if key not in named
              and _said(entry.get("weak_words", ()), f" {bare} ") and not set(entry.get("unless", ())) & set(named)]
    return [key for key in catalogue_entries if key in named or key in weakly]


def who_is_affected(text: str) -> Tuple[List[str], List[str]]:
    """Who the message says is affected, in their own words ("soy de Honduras"), and who it
    says is not ("no soy migrante"): the groups of `affected` in guidance/national.yml."""
    bare = f" {bare_words(text)} "
    said, denied = [], []
    for group, entry in guidance().affected.items():
        if _said([f"no {phrase}" for phrase in entry["words"]], bare):
            denied.append(group)
        elif _said(entry["words"], bare):
            said.append(group)
    return said, denied


# The entity that carries what the NLU read a message to be about (bot/nlu/situation_classifier.py).
SITUATION_ENTITY = "situation"


def all_named_in_words(text: str) -> List[str]:
    """The crimes and situations a message names in its own words ("me robaron…", "un policía me
    golpeó", "soy migrante"): the urgent crimes first (their first step cannot wait), then the
    situations ("un policía me robó" is abuse by an authority), then the other crimes."""
    content = guidance()
    urgent = {crime: content.crimes[crime] for crime in content.urgent_crimes}
    return _named(text, {**urgent, **content.situations, **content.crimes})


def named_in_words(text: str) -> Optional[str]:
    """The first of them, if any."""
    return next(iter(all_named_in_words(text)), None)


def what_happened(named: Sequence[str]) -> Optional[str]:
    """Of the crimes and situations a message was read to name (bot/nlu/situation_classifier.py),
    an urgent crime first, else the first with an answer of its own, else the first crime (the
    reporting answer adds its steps; any answer fits that case, `Composer.case`)."""
    content = guidance()
    own = [key for key in named if content.has_answer(key)]
    urgent = [key for key in named if key in content.urgent_crimes]
    crimes = [key for key in named if key in content.crimes]
    return next(iter(urgent + own + crimes), None)
