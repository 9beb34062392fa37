"""Designating the national desk: the observatory that takes the handoffs of states without
a staffed observatory of their own, and the ones left waiting too long elsewhere
(bot/handoff/routing.py, bot/handoff/escalation.py). An administrator sets or clears it,
from the page (/admin/desk/) or `python -m bot.handoff.desk ID|--clear`; each change is
in the staff audit ("antes → después")."""

import argparse
import sys
from datetime import datetime, timezone
from typing import List, Optional

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.directory.models import Organisation
from bot.handoff.models import DESK_ROW, NationalDesk, StaffAudit
from bot.settings import database_url
from bot.storage.database import engine_for, session_scope

NONE = "ninguna"


def _name(session: Session, observatory_id: Optional[int]) -> str:
    observatory = session.get(Organisation, observatory_id) if observatory_id else None
    return observatory.name if observatory else NONE


def designate(engine: Engine, observatory_id: Optional[int], by: Optional[int] = None) -> bool:
    """Makes the observatory the national desk (None: no desk); False if it already was.
    Raises ValueError for anything but an active observatory of the directory. Two first
    designations at once both find no row to lock, and one's insert then conflicts with
    the other's: it is done again, now over the other's row, locked."""
    try:
        return _designate(engine, observatory_id, by)
    except IntegrityError:
        return _designate(engine, observatory_id, by)


def _designate(engine: Engine, observatory_id: Optional[int], by: Optional[int]) -> bool:
    with session_scope(engine) as session:
        if observatory_id is not None:
            observatory = session.get(Organisation, observatory_id)
            if observatory is None or observatory.kind != "observatory" or not observatory.active:
                raise ValueError(f"no hay un observatorio activo con id {observatory_id} en el directorio")
        desk = session.get(NationalDesk, DESK_ROW, with_for_update=True)
        before = desk.observatory_id if desk else None
        if before == observatory_id:
            return False
        now = datetime.now(timezone.utc)
        if observatory_id is None:
            session.delete(desk)
        elif desk is None:
            session.add(NationalDesk(id=DESK_ROW, observatory_id=observatory_id, set_by=by, set_at=now))
        else:
            desk.observatory_id, desk.set_by, desk.set_at = observatory_id, by, now
        detail = f"{_name(session, before)} → {_name(session, observatory_id)}"
        session.add(StaffAudit(at=now, user_id=by, action="national_desk", detail=detail[:200]))
    return True


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description="Designate the national desk (audited).")
    chosen = parser.add_mutually_exclusive_group(required=True)
    chosen.add_argument("observatory", nargs="?", type=int, help="directory id of the observatory")
    chosen.add_argument("--clear", action="store_true", help="no national desk")
    arguments = parser.parse_args(argv)
    try:
        changed = designate(engine_for(database_url()), None if arguments.clear else arguments.observatory)
    except ValueError as error:
        print(f"Nothing changed: {error}.", file=sys.stderr)
        return 1
    print("National desk changed." if changed else "The national desk already was that.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
