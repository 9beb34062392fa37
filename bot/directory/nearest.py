"""The nearest organisations of given kinds to a point, over the active directory.

The index keeps every active organisation's point in numpy arrays; it is rebuilt when
the directory's version changes (checked with one small query per lookup), so an
administrator's change shows in the very next answer, without a restart.
"""

import math
from dataclasses import dataclass
from datetime import date
from typing import List, Optional, Sequence, Tuple

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.directory import repository
from bot.directory.catalogue import catalogue
from bot.directory.geo import distance_km, distances_km
from bot.directory.models import Organisation
from bot.storage.database import session_scope


@dataclass(frozen=True)
class Entry:
    """What an answer needs of an organisation."""

    id: int
    kind: str
    name: str
    state_key: Optional[str]
    place: str  # "León, Guanajuato", or "" for national and state-wide entries
    address: Optional[str]  # street and number, where a source gives it
    phone: Optional[str]
    whatsapp: Optional[str]
    website: Optional[str]
    opening_hours: Optional[str]
    services: Optional[str]
    languages: Tuple[str, ...]
    onc_network: str
    source: str
    verified_on: date
    point: Optional[Tuple[float, float]]


def entry(organisation: Organisation) -> Entry:
    municipality = catalogue().municipalities.get(organisation.municipality_key or "")
    point = None
    if organisation.latitude is not None and organisation.longitude is not None:
        point = (organisation.latitude, organisation.longitude)
    elif municipality and municipality.point and organisation.kind != "shelter_line":
        point = municipality.point
    return Entry(
        id=organisation.id, kind=organisation.kind, name=organisation.name,
        state_key=organisation.state_key, place=municipality.label if municipality else "",
        address=organisation.address,
        phone=organisation.phone, whatsapp=organisation.whatsapp, website=organisation.website,
        opening_hours=organisation.opening_hours, services=organisation.services,
        languages=tuple(filter(None, (organisation.languages or "").split(","))),
        onc_network=organisation.onc_network or "", source=organisation.source,
        verified_on=organisation.verified_on, point=point,
    )


class NearestIndex:
    def __init__(self, entries: Sequence[Entry]) -> None:
        self.entries = list(entries)
        located = [e for e in self.entries if e.point]
        self._located = located
        self._latitudes = np.array([e.point[0] for e in located], dtype=float)
        self._longitudes = np.array([e.point[1] for e in located], dtype=float)
        self._kinds = np.array([e.kind for e in located], dtype=object)

    def nearest(self, origin: Tuple[float, float], kinds: Sequence[str], limit: int = 1) -> List[Tuple[Entry, float]]:
        """The `limit` closest entries of `kinds`, with their distance in km."""
        mask = np.isin(self._kinds, list(kinds))
        if not mask.any():
            return []
        indices = np.flatnonzero(mask)
        distances = distances_km(origin, self._latitudes[indices], self._longitudes[indices])
        order = np.argsort(distances)[:limit]
        return [(self._located[indices[i]], float(distances[i])) for i in order]

    def of_state(self, state_key: str, origin: Optional[Tuple[float, float]] = None) -> List[Entry]:
        """Every entry of one state (national ones excluded); nearest to `origin` first, if given."""
        entries = [e for e in self.entries if e.state_key == state_key]
        if origin is None:
            return entries
        return sorted(entries, key=lambda e: distance_km(origin, e.point) if e.point else math.inf)

    def unlocated(self, kinds: Sequence[str], state_key: Optional[str] = None) -> List[Entry]:
        """Entries with no location (national lines, shelters' lines), nationwide or of a state."""
        return [e for e in self.entries if e.kind in kinds and not e.point
                and (e.state_key is None or e.state_key == state_key)]


class Directory:
    """The active directory, indexed, and kept current."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._version: Optional[Tuple] = None
        self._index = NearestIndex([])

    def index(self) -> NearestIndex:
        with session_scope(self.engine) as session:
            current = repository.version(session)
            if current != self._version:
                active = session.scalars(sa.select(Organisation).where(Organisation.active.is_(True)))
                self._index = NearestIndex([entry(o) for o in active])
                self._version = current
        return self._index
