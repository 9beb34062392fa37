"""Mexico's states, municipalities and towns (bot/directory/data/*.csv), indexed by name."""

import csv
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Set, Tuple

import yaml

from bot.text import bare_words

DATA = Path(__file__).with_name("data")
NICKNAME_WEIGHT = 10**8  # a nickname means its municipality above any same-named town
# A municipality's own name outweighs towns of the same name in other municipalities.
MUNICIPALITY_WEIGHT = 3
# Honorifics that people leave out: "Heroica Ciudad de Huajuapan de León" is "Huajuapan".
_HONORIFICS = re.compile(r"^(heroica ciudad de|heroica|general) ")
_CONNECTOR = re.compile(r" (de|del|de la|de los|de las) ")


def short_forms(name: str) -> Set[str]:
    """How people shorten an official name: without honorifics, before its first "de"."""
    full = _HONORIFICS.sub("", bare_words(name))
    forms = {full, _CONNECTOR.split(full)[0]}
    return {form for form in forms if len(form) >= 4} - {bare_words(name)}


@dataclass(frozen=True)
class Municipality:
    key: str  # INEGI key: two digits of state, three of municipality
    name: str
    state_key: str
    state: str
    point: Optional[Tuple[float, float]]

    @property
    def label(self) -> str:
        return f"{self.name}, {self.state}"


@dataclass(frozen=True)
class Candidate:
    """A municipality a name may mean, with the population of the named place."""

    municipality: Municipality
    population: int
    name: str  # the town or municipality as spelled in the catalogue

    @property
    def label(self) -> str:
        if bare_words(self.name) == bare_words(self.municipality.name):
            return self.municipality.label
        return f"{self.name} ({self.municipality.label})"


class PlaceCatalogue:
    def __init__(self) -> None:
        self.municipalities: Dict[str, Municipality] = {}
        self.states: Dict[str, str] = {}
        self.names: Dict[str, List[Candidate]] = defaultdict(list)
        self.state_names: Dict[str, str] = {}  # full names: enough on their own
        self.state_abbreviations: Dict[str, str] = {}  # only to choose between municipalities
        self._load()

    def _load(self) -> None:
        with (DATA / "places.csv").open(encoding="utf-8") as handle:
            places = list(csv.DictReader(handle))
        population: Dict[str, int] = defaultdict(int)
        for place in places:
            population[place["inegi_key"]] += int(place["population"])
        with (DATA / "municipalities.csv").open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                point = (float(row["latitude"]), float(row["longitude"])) if row["latitude"] else None
                municipality = Municipality(row["inegi_key"], row["municipality"], row["state_key"], row["state"], point)
                self.municipalities[municipality.key] = municipality
                self.states[municipality.state_key] = municipality.state
                weight = MUNICIPALITY_WEIGHT * population[municipality.key]
                for name in [row["municipality"], *filter(None, row["aliases"].split("|"))]:
                    self._add(name, municipality, weight)
                for form in short_forms(row["municipality"]):
                    self._add(form, municipality, weight, municipality.name)
        for place in places:
            self._add(place["name"], self.municipalities[place["inegi_key"]], int(place["population"]))
        nicknames = yaml.safe_load((DATA / "nicknames.yml").read_text(encoding="utf-8"))
        for key, spellings in nicknames["municipalities"].items():
            municipality = self.municipalities[key]
            for spelling in spellings:
                self._add(spelling, municipality, NICKNAME_WEIGHT, municipality.name)
        self.capitals = {state: self.municipalities[key] for state, key in nicknames["capitals"].items()}
        vague = {bare_words(word) for word in nicknames["not_state_names"]}
        for state_key, name in self.states.items():
            if bare_words(name) not in vague:
                self.state_names[bare_words(name)] = state_key
        for section, index in (("state_names", self.state_names), ("states", self.state_abbreviations)):
            for state_key, spellings in nicknames[section].items():
                for spelling in spellings:
                    index[bare_words(spelling)] = state_key

    def _add(self, name: str, municipality: Municipality, population: int, label: str = "") -> None:
        candidates = self.names[bare_words(name)]
        for index, known in enumerate(candidates):
            if known.municipality.key == municipality.key:
                if population > known.population:
                    candidates[index] = Candidate(municipality, population, known.name)
                return
        candidates.append(Candidate(municipality, population, label or name))

    def capital(self, state_key: str) -> Municipality:
        """The state's capital: where a message naming only the state is answered from."""
        return self.capitals[state_key]


@lru_cache(maxsize=1)
def catalogue() -> PlaceCatalogue:
    """The catalogue, read once per process."""
    return PlaceCatalogue()
