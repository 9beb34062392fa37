"""Who may do what with a handoff, in one place (bot/web/inbox.py asks here).

Staff see their observatory's handoffs, administrators all of them; any other is a 404,
as if it did not exist. Only the observatory's staff claim a waiting handoff; only the
staff member who claimed it reads it, open or closed; only while it is open do they write
to it. A handoff moves to another observatory while it waits, or in the hands of the one
who holds it, and only to an observatory with staff on duty to answer it now.
"""

from datetime import datetime, timezone
from typing import Any, List

from flask import abort
from flask_login import current_user

from bot.directory.models import Organisation
from bot.handoff import service
from bot.handoff.models import Handoff


def visible(db: Any, handoff_id: int) -> Handoff:
    """The handoff if this user may see it; 404 otherwise (never reveal that it exists)."""
    handoff = db.get(Handoff, handoff_id)
    if handoff is None or not (current_user.is_admin or handoff.observatory_id == current_user.observatory_id):
        abort(404)
    return handoff


def held(db: Any, handoff_id: int) -> Handoff:
    """The handoff if this user claimed it (open or closed since): only they read it."""
    handoff = visible(db, handoff_id)
    if current_user.is_admin or handoff.claimed_by != current_user.id:
        abort(409, "Primero toma la conversación.")
    return handoff


def claimed(db: Any, handoff_id: int) -> Handoff:
    """The handoff if this user holds it and it is open: a closed one is read-only."""
    handoff = held(db, handoff_id)
    if handoff.status != "active":
        abort(409, "La conversación está cerrada: ya no se puede cambiar.")
    return handoff


def may_claim(handoff: Handoff) -> bool:
    """Administrators oversee every queue but take and read no conversation."""
    return (not current_user.is_admin and handoff.status == "waiting"
            and handoff.observatory_id == current_user.observatory_id)


def may_transfer(handoff: Handoff) -> bool:
    return handoff.status == "waiting" or (handoff.status == "active" and handoff.claimed_by == current_user.id)


def transfer_targets(db: Any, handoff: Handoff) -> List[Organisation]:
    """Where a handoff can go: another observatory with active staff on duty now (within its
    staffed hours, or it lists none); one whose staff are away is not offered."""
    now = datetime.now(timezone.utc)
    return [o for o in service.staffed_observatories(db) if o.id != handoff.observatory_id
            and service.answers_now(o, now)]
