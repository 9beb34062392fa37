"""Finding the municipality in what people write: the measured accuracy and its floor."""

import csv
from pathlib import Path
from typing import List

import pytest

from bot.directory.catalogue import catalogue
from bot.directory.resolver import PlaceResolver, resolver

WAYS_OF_WRITING = Path(__file__).with_name("places") / "how_people_write_places.csv"
ACCURACY_FLOOR = 0.95


@pytest.fixture(scope="module")
def places() -> PlaceResolver:
    return resolver()


def test_catalogue_covers_every_municipality_and_state() -> None:
    places = catalogue()
    assert len(places.municipalities) == 2471
    assert len(places.states) == 32
    assert sum(1 for m in places.municipalities.values() if m.point) >= 2390


def test_accuracy_on_how_people_write_places(places: PlaceResolver, figures: List[str]) -> None:
    keys = {(m.name.casefold(), m.state_key): m.key for m in catalogue().municipalities.values()}
    rows = list(csv.DictReader(WAYS_OF_WRITING.open(encoding="utf-8")))
    misses = []
    for row in rows:
        expected = keys[(row["municipality"].casefold(), row["state_key"])]
        found = places.resolve(row["text"]).place
        if not found or found.key != expected:
            misses.append(row["text"])
    accuracy = 1 - len(misses) / len(rows)
    figures.append(f"Place resolution: {accuracy:.1%} of {len(rows)} ways of writing a place "
                   f"(floor {ACCURACY_FLOOR:.0%}); missed: {misses[:10]}")
    assert len(rows) >= 300
    assert accuracy >= ACCURACY_FLOOR


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
