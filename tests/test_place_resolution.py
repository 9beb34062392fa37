"""Finding the municipality in what people write: the measured accuracy and its floor."""

import csv
from pathlib import Path
from typing import Dict, List, Optional

import pytest
import yaml

from bot.directory.catalogue import DATA, catalogue
from bot.directory.resolver import PlaceResolver, resolver
from tests.near_duplicates import normalise, why_similar

WAYS_OF_WRITING = Path(__file__).with_name("places") / "how_people_write_places.csv"
# Written apart from bot/directory/data/nicknames.yml and never used to tune it: how people
# name a place in a message; rows near a nickname or a row of the set above are left out.
FRESH_WAYS = Path(__file__).with_name("places") / "fresh_ways_of_writing.csv"
ACCURACY_FLOOR = 0.95
FRESH_FLOOR = 0.9
# Words before the place in a fresh row ("vivo en", "me asaltaron en"), left out to compare the place itself.
LEAD_IN = {"vivo", "bibo", "estoy", "estoi", "toy", "en", "soy", "de", "ando", "por", "me", "paso", "robaron",
           "asaltaron", "aqui", "desde", "el", "centro", "del"}


@pytest.fixture(scope="module")
def places() -> PlaceResolver:
    return resolver()


def test_catalogue_covers_every_municipality_and_state() -> None:
    places = catalogue()
    assert len(places.municipalities) == 2471
    assert len(places.states) == 32
    assert sum(1 for m in places.municipalities.values() if m.point) >= 2390


def rows_of(path: Path) -> List[Dict[str, str]]:
    return list(csv.DictReader(path.open(encoding="utf-8")))


def measured(places: PlaceResolver, rows: List[Dict[str, str]], what: str, floor: float, figures: List[str]) -> float:
    """The share of rows whose text resolves to their municipality, added to the figures."""
    keys = {(m.name.casefold(), m.state_key): m.key for m in catalogue().municipalities.values()}
    missed = []
    for row in rows:
        expected = keys[(row["municipality"].casefold(), row["state_key"])]
        found = places.resolve(row["text"]).place
        if not found or found.key != expected:
            missed.append(row["text"])
    accuracy = 1 - len(missed) / len(rows)
    figures.append(f"Place resolution{what}: {accuracy:.1%} of {len(rows)} ways of writing a place "
                   f"(floor {floor:.0%}); missed: {missed[:10]}")
    return accuracy


def test_accuracy_on_how_people_write_places(places: PlaceResolver, figures: List[str]) -> None:
    rows = rows_of(WAYS_OF_WRITING)
    assert len(rows) >= 300
    assert measured(places, rows, "", ACCURACY_FLOOR, figures) >= ACCURACY_FLOOR


def _place_part(normal: str) -> str:
    words = normal.split()
    while words and words[0] in LEAD_IN:
        words = words[1:]
    return " ".join(words)


def why_not_fresh(text: str, nicknames: List[str], tuned: List[str]) -> Optional[str]:
    """Why a fresh row is too close to a nickname (its place part) or to a row of the tuned set."""
    normal = normalise(text)
    for spelling in nicknames:
        reason = why_similar(_place_part(normal), spelling, one_word_rule=False)
        if reason:
            return f"nickname {spelling!r}: {reason}"
    for row in tuned:
        reason = why_similar(normal, row, one_word_rule=False)
        if reason:
            return f"tuned row {row!r}: {reason}"
    return None


def test_the_fresh_set_is_apart_from_the_nicknames_and_the_tuned_set() -> None:
    data = yaml.safe_load((DATA / "nicknames.yml").read_text(encoding="utf-8"))
    nicknames = sorted({normalise(spelling) for spellings in data["municipalities"].values() for spelling in spellings})
    tuned = [normalise(row["text"]) for row in rows_of(WAYS_OF_WRITING)]
    close = {row["text"]: why_not_fresh(row["text"], nicknames, tuned) for row in rows_of(FRESH_WAYS)}
    assert not {text: reason for text, reason in close.items() if reason}
    assert why_not_fresh("estoy en cd victoria", nicknames, tuned)  # a nickname, as the check sees it


def test_accuracy_on_a_fresh_set_written_apart_from_the_nicknames(places: PlaceResolver, figures: List[str]) -> None:
    rows = rows_of(FRESH_WAYS)
    assert len(rows) >= 100 and len({row["state_key"] for row in rows}) == 32
    assert measured(places, rows, " on a fresh set (apart from nicknames.yml)", FRESH_FLOOR, figures) >= FRESH_FLOOR


@pytest.mark.parametrize("text", ["san pedro", "juarez", "vivo en la paz", "cadereyta"])
def test_ambiguous_names_offer_options(places: PlaceResolver, text: str) -> None:
    resolution = places.resolve(text)
    assert resolution.outcome == "ambiguous"
    assert 2 <= len(resolution.options) <= 5
    assert len({option.municipality.key for option in resolution.options}) == len(resolution.options)


def test_a_state_alongside_settles_the_ambiguity(places: PlaceResolver) -> None:
    assert places.resolve("juarez nuevo leon").place.label == "Juárez, Nuevo León"
    assert places.resolve("la paz bcs").place.label == "La Paz, Baja California Sur"


@pytest.mark.parametrize("text,capital", [("cdmx", "Cuauhtémoc"), ("el df", "Cuauhtémoc"),
                                          ("edomex", "Toluca"), ("vivo en chiapas", "Tuxtla Gutiérrez")])
def test_a_state_alone_is_answered_from_its_capital(places: PlaceResolver, text: str, capital: str) -> None:
    resolution = places.resolve(text)
    assert resolution.state_only and resolution.place.name == capital


@pytest.mark.parametrize("text", ["", "hola", "necesito ayuda", "me va a matar", "🙏", "x" * 5000,
                                  "quiero ver a mi hija", "son las 3", "1"])
def test_no_place_is_not_found(places: PlaceResolver, text: str) -> None:
    assert places.resolve(text).outcome == "not_found"
