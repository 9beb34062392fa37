"""Checks an organisation record as administrators type it (web form or CSV row).

`validate(raw)` takes text fields and returns the cleaned values, or the problems found,
each tied to its field, in Spanish for the administrators.
"""

import math
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any, Dict, List, Mapping, Optional, Tuple
from urllib.parse import urlparse

import numpy as np

from bot.directory.catalogue import catalogue
from bot.directory.geo import distance_km, distances_km
from bot.directory.models import KINDS, ONC_NETWORK
from bot.handoff import hours
from bot.languages import OFFERED_LANGUAGES

FIELDS = ("kind", "name", "state_key", "municipality_key", "address", "latitude", "longitude", "phone",
          "whatsapp", "website", "opening_hours", "handoff_hours", "languages", "services", "onc_network",
          "source", "verified_on", "active")
LOCAL_KINDS = ("observatory", "women_justice_centre", "prosecutor", "victims_commission", "human_rights_commission")
# A point farther than this from every municipality of Mexico is not in Mexico; farther than
# this from the seat of the municipality given with it, it is not in that municipality.
MAX_KM_FROM_A_MUNICIPALITY = 60
MEXICO_BOUNDS = ((14.3, 32.8), (-118.6, -86.5))
SHORT_NUMBERS = ("911", "089", "079")
TRUE_WORDS, FALSE_WORDS = ("1", "true", "si", "sí", "yes", "on"), ("0", "false", "no", "off", "")


@dataclass
class Checked:
    values: Dict[str, Any] = field(default_factory=dict)
    errors: List[Tuple[str, str]] = field(default_factory=list)  # (field, message)

    def fail(self, name: str, message: str) -> None:
        self.errors.append((name, message))


def phone_number(text: str) -> Optional[str]:
    """A Mexican number as digits ("+52" and ten digits, or 911/089/079), or None if it is not one."""
    digits = re.sub(r"[\s().-]", "", text)
    if digits in SHORT_NUMBERS:
        return digits
    if digits.startswith("+52"):
        digits = digits[3:]
    return f"+52{digits}" if re.fullmatch(r"\d{10}", digits) else None


def display_phone(number: Optional[str]) -> str:
    """'+528005533000' → '800 5533 000'; '+525555335533' → '55 5533 5533'."""
    if not number or not number.startswith("+52"):
        return number or ""
    digits = number[3:]
    if digits.startswith("800"):
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    if digits[:2] in ("55", "33", "81"):
        return f"{digits[:2]} {digits[2:6]} {digits[6:]}"
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"


@lru_cache(maxsize=1)
def _municipality_points() -> Tuple[np.ndarray, np.ndarray]:
    points = [m.point for m in catalogue().municipalities.values() if m.point]
    return np.array([p[0] for p in points]), np.array([p[1] for p in points])


def in_mexico(latitude: float, longitude: float) -> bool:
    """Inside Mexico's bounding box and near one of its municipalities (approximate at borders)."""
    (south, north), (west, east) = MEXICO_BOUNDS
    if not (south <= latitude <= north and west <= longitude <= east):
        return False
    return bool(distances_km((latitude, longitude), *_municipality_points()).min() <= MAX_KM_FROM_A_MUNICIPALITY)


def validate(raw: Mapping[str, Any]) -> Checked:
    """The cleaned record, or what is wrong with it."""
    text = {name: str(raw.get(name) if raw.get(name) is not None else "").strip() for name in FIELDS}
    checked = Checked()
    _kind_and_name(text, checked)
    _place(text, checked)
    _contact(text, checked)
    _provenance(text, checked)
    return checked


def _kind_and_name(text: Dict[str, str], checked: Checked) -> None:
    if text["kind"] not in KINDS:
        checked.fail("kind", f"Tipo desconocido; use uno de: {', '.join(KINDS)}.")
    if not 2 <= len(text["name"]) <= 200:
        checked.fail("name", "El nombre es obligatorio (2 a 200 caracteres).")
    if text["onc_network"] not in ONC_NETWORK:
        checked.fail("onc_network", "Red ONC: «member», «unconfirmed» o vacío.")
    elif text["onc_network"] and text["kind"] != "observatory":
        checked.fail("onc_network", "Solo un observatorio puede pertenecer a la red ONC.")
    checked.values.update(kind=text["kind"], name=text["name"], onc_network=text["onc_network"])


def _place(text: Dict[str, str], checked: Checked) -> None:
    places = catalogue()
    state, municipality = text["state_key"].zfill(2) if text["state_key"] else "", text["municipality_key"]
    if state and state not in places.states:
        checked.fail("state_key", "Clave de estado INEGI inválida (01 a 32).")
    if not state and text["kind"] != "national_line":
        checked.fail("state_key", "El estado es obligatorio salvo para líneas nacionales.")
    if municipality:
        municipality = municipality.zfill(5)
        if municipality not in places.municipalities:
            checked.fail("municipality_key", "Clave de municipio INEGI inexistente.")
        elif state and not municipality.startswith(state):
            checked.fail("municipality_key", "El municipio no pertenece al estado indicado.")
    point = _point(text, checked)
    seat = places.municipalities.get(municipality)
    if point and seat and seat.point and distance_km(point, seat.point) > MAX_KM_FROM_A_MUNICIPALITY:
        checked.fail("latitude", f"Las coordenadas están a {distance_km(point, seat.point):.0f} km de {seat.label}: "
                                 "revise el municipio o las coordenadas.")
    if text["kind"] == "shelter_line" and (point or municipality or text["address"]):
        checked.fail("latitude", "De un refugio solo se guarda su línea de contacto, nunca su ubicación.")
    if text["kind"] in LOCAL_KINDS and not point and not municipality:
        checked.fail("municipality_key", "Indique el municipio o las coordenadas.")
    checked.values.update(
        state_key=state or None, municipality_key=municipality or None,
        latitude=point[0] if point else None, longitude=point[1] if point else None,
    )


def _point(text: Dict[str, str], checked: Checked) -> Optional[Tuple[float, float]]:
    if not text["latitude"] and not text["longitude"]:
        return None
    try:
        latitude, longitude = float(text["latitude"]), float(text["longitude"])
    except ValueError:
        checked.fail("latitude", "Latitud y longitud deben ser números (ambas o ninguna).")
        return None
    if not (math.isfinite(latitude) and math.isfinite(longitude)) or not in_mexico(latitude, longitude):
        checked.fail("latitude", "Las coordenadas no están en México.")
        return None
    return round(latitude, 6), round(longitude, 6)


def _contact(text: Dict[str, str], checked: Checked) -> None:
    for name in ("phone", "whatsapp"):
        number = phone_number(text[name]) if text[name] else None
        if text[name] and number is None:
            checked.fail(name, "Teléfono mexicano de 10 dígitos (o 911, 089, 079).")
        checked.values[name] = number
    website = text["website"]
    parsed = urlparse(website)
    if website and (parsed.scheme not in ("http", "https") or not parsed.netloc or " " in website):
        checked.fail("website", "Dirección web completa, con https://.")
    languages = [code.strip() for code in text["languages"].split(",") if code.strip()]
    unknown = [code for code in languages if code not in OFFERED_LANGUAGES]
    if unknown:
        checked.fail("languages", f"Idiomas desconocidos: {', '.join(unknown)}.")
    for name, limit in (("address", 300), ("opening_hours", 300), ("services", 2000)):
        if len(text[name]) > limit:
            checked.fail(name, f"Máximo {limit} caracteres.")
    try:
        hours.parse(text["handoff_hours"], text["state_key"] or None)
    except hours.InvalidHours as error:
        checked.fail("handoff_hours", str(error))
    checked.values.update(
        handoff_hours=text["handoff_hours"] or None,
        address=text["address"] or None, website=website or None, languages=",".join(languages) or None,
        opening_hours=text["opening_hours"] or None, services=text["services"] or None,
    )


def _provenance(text: Dict[str, str], checked: Checked) -> None:
    if len(text["source"]) < 5:
        checked.fail("source", "La fuente es obligatoria: de dónde sale cada dato.")
    try:
        verified = date.fromisoformat(text["verified_on"])
        if not date(2000, 1, 1) <= verified <= date.today():
            raise ValueError
    except ValueError:
        verified = None
        checked.fail("verified_on", "Fecha de verificación AAAA-MM-DD, no futura.")
    active = text["active"].casefold()
    if active not in TRUE_WORDS + FALSE_WORDS:
        checked.fail("active", "Activo: sí o no.")
    checked.values.update(source=text["source"], verified_on=verified, active=active in TRUE_WORDS)
