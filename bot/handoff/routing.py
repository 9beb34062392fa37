"""Which observatory takes a handoff: the route that always ends at a person or an honest answer.

A person's handoff goes to the staffed observatory of their state nearest to where they
are (the place they named, or their WhatsApp pin when it came later); a state without one
goes to the national desk an administrator designated (if it has staff); without either,
there is nobody and the assistant says so. Among those, one whose staff answer now comes
before one that is closed. An interpreter's handoff prefers an observatory that lists
the language, wherever it is.
"""

from datetime import datetime, timezone
from functools import lru_cache
from typing import List, Optional, Sequence, Tuple

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.directory.catalogue import catalogue
from bot.directory.geo import distance_km, distances_km
from bot.directory.models import Organisation
from bot.handoff.models import DESK_ROW, NationalDesk
from bot.handoff.service import answers_now, point_of, staffed_observatories

Point = Tuple[float, float]


@lru_cache(maxsize=1)
def _municipality_points() -> Tuple[np.ndarray, np.ndarray, List[str]]:
    located = [key for key, m in catalogue().municipalities.items() if m.point]
    points = [catalogue().municipalities[key].point for key in located]
    return np.array([p[0] for p in points]), np.array([p[1] for p in points]), located


def municipality_of_point(point: Point) -> str:
    """The key of the municipality whose centre is nearest to a pin (near a line it may be the neighbour)."""
    latitudes, longitudes, keys = _municipality_points()
    return keys[int(np.argmin(distances_km(point, latitudes, longitudes)))]


def state_of_point(point: Point) -> str:
    """The state of a pin: that of the municipality whose centre is nearest (near a state
    line it may be the neighbour's)."""
    return catalogue().municipalities[municipality_of_point(point)].state_key


def national_desk(session: Session) -> Optional[Organisation]:
    """The designated national desk, if any (staffed or not)."""
    desk = session.get(NationalDesk, DESK_ROW)
    return session.get(Organisation, desk.observatory_id) if desk else None


def _by_distance(observatories: Sequence[Organisation], origin: Optional[Point]) -> List[Organisation]:
    if origin is None:
        return list(observatories)

    def far(observatory: Organisation) -> float:
        point = point_of(observatory)
        return distance_km(origin, point) if point else float("inf")

    return sorted(observatories, key=far)


def candidates(session: Session, origin: Optional[Point], state_key: Optional[str],
               language: Optional[str] = None) -> List[Organisation]:
    """Who could take the handoff, in the order of the route (before staffed hours count)."""
    staffed = staffed_observatories(session)
    if language:
        listing = [o for o in staffed if language in (o.languages or "").split(",")]
        if listing:
            return _by_distance(listing, origin)
    desk = national_desk(session)
    desks = [desk] if desk is not None and desk in staffed else []
    if not state_key:  # nowhere known: the desk, else whoever has staff
        return desks + [o for o in _by_distance(staffed, origin) if o not in desks]
    own = _by_distance([o for o in staffed if o.state_key == state_key], origin)
    return own + [d for d in desks if d not in own]


def route(session: Session, origin: Optional[Point], state_key: Optional[str], language: Optional[str] = None,
          now: Optional[datetime] = None) -> Optional[Organisation]:
    """The observatory to take a handoff, or None when nobody can: the first of the route
    whose staff answer now, else the first of the route (it says when it answers)."""
    found = candidates(session, origin, state_key, language)
    moment = now or datetime.now(timezone.utc)
    return next((o for o in found if answers_now(o, moment)), found[0] if found else None)


def staffed_desk(session: Session) -> Optional[Organisation]:
    """The national desk, when it has active staff to answer."""
    desk = national_desk(session)
    return desk if desk is not None and desk in staffed_observatories(session) else None
