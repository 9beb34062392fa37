"""Reading and changing the directory; every change is written to the audit log."""

import json
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Tuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.directory.models import DirectoryChange, Organisation
from bot.directory.validation import FIELDS


def as_record(organisation: Organisation) -> Dict[str, Any]:
    """The organisation's editable fields."""
    return {name: getattr(organisation, name) for name in FIELDS}


def _jsonable(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def save(session: Session, actor: str, values: Dict[str, Any], organisation_id: Optional[int] = None) -> Optional[Organisation]:
    """Creates (no id) or updates an organisation from validated values.

    Returns None when an update changes nothing; otherwise the organisation, with one
    audit entry recording each changed field's value before and after.
    """
    now = datetime.now(timezone.utc)
    if organisation_id is None:
        organisation = Organisation(**values, updated_at=now)
        session.add(organisation)
        session.flush()
        changes = {name: [None, _jsonable(value)] for name, value in values.items() if value not in (None, "")}
        action = "create"
    else:
        organisation = session.get(Organisation, organisation_id)
        if organisation is None:
            raise KeyError(organisation_id)
        changes = {
            name: [_jsonable(getattr(organisation, name)), _jsonable(value)]
            for name, value in values.items()
            if getattr(organisation, name) != value
        }
        if not changes:
            return None
        for name, value in values.items():
            setattr(organisation, name, value)
        organisation.updated_at = now
        action = ("activate" if values["active"] else "deactivate") if list(changes) == ["active"] else "update"
    session.add(DirectoryChange(at=now, actor=actor, action=action, organisation_id=organisation.id,
                                changes=json.dumps(changes, ensure_ascii=False)))
    return organisation


def version(session: Session) -> Tuple[int, Optional[datetime]]:
    """Changes whenever the directory does: how many organisations, and the latest change."""
    count, latest = session.execute(
        sa.select(sa.func.count(Organisation.id), sa.func.max(Organisation.updated_at))
    ).one()
    return count, latest


def all_organisations(session: Session) -> List[Organisation]:
    return list(session.scalars(sa.select(Organisation).order_by(Organisation.id)))


def changes(session: Session, limit: int = 200) -> List[DirectoryChange]:
    return list(session.scalars(sa.select(DirectoryChange).order_by(DirectoryChange.id.desc()).limit(limit)))
