"""What administrators change in a staff account: deactivate, reactivate, reset the password,
change the role, the observatory, or the e-mail address or phone number alerts go to (and the checks an
account's values pass). Each change is one transaction with its row in the staff audit.

Deactivating or resetting moves the account's session generation on, so that every
session cookie of the account is refused at its next request (bot/web/auth.py). A role or
an observatory is read from the account on every request, so a change applies at once.
Conversations held by an account that is deactivated or moved go back to its
observatory's queue. The last active administrator cannot be deactivated or demoted.
"""

import re
from datetime import datetime, timezone
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from bot.directory.models import Organisation
from bot.handoff import service
from bot.handoff.models import Handoff, StaffAudit
from bot.storage.database import session_scope
from bot.web.models import ROLE_NAMES, ROLES, User

DETAIL_LENGTH = StaffAudit.detail.type.length
MIN_PASSWORD_LENGTH = 12
EMAIL_LENGTH = User.email.type.length
E164 = re.compile(r"\+[1-9][0-9]{7,14}")  # ASCII digits only: "\d" would take "٥" or "５" too


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"la contraseña necesita al menos {MIN_PASSWORD_LENGTH} caracteres")


def check_observatory(session: Session, observatory_id: Optional[int]) -> None:
    if observatory_id is not None and not session.scalar(sa.select(Organisation.id).where(
            Organisation.id == observatory_id, Organisation.kind == "observatory")):
        raise ValueError(f"no existe ese observatorio (id {observatory_id}) en el directorio")


def observatory_name(session: Session, observatory_id: Optional[int]) -> str:
    found = session.scalar(sa.select(Organisation.name).where(Organisation.id == observatory_id))
    return found or "ninguno"


def audit(session: Session, by: Optional[int], account: int, action: str, detail: Optional[str] = None) -> None:
    """A change to an account in the staff audit; `by` is None from the command line."""
    session.add(StaffAudit(at=datetime.now(timezone.utc), user_id=by, action=action, target_user_id=account,
                           detail=detail))


def _account(session: Session, username: str) -> User:
    user = session.scalar(sa.select(User).where(User.username == username.strip()))
    if user is None:
        raise ValueError(f"no existe la cuenta «{username.strip()}»")
    return user


def _keep_an_administrator(session: Session, user: User) -> None:
    """Refuses a change that would leave no active administrator. The active administrators'
    rows stay locked until the change is committed (PostgreSQL), so that two administrators
    removed at the same moment are counted one after the other."""
    if user.role != "admin" or not user.active:
        return
    active = session.scalars(sa.select(User.id).where(User.role == "admin", User.active.is_(True))
                             .with_for_update()).all()
    if set(active) <= {user.id}:
        raise ValueError("es la única cuenta de administración activa")


def _release(session: Session, user: User, by: Optional[int]) -> None:
    """The account's conversations in progress go back to the queue, audited under their case."""
    for handoff in session.scalars(sa.select(Handoff).where(Handoff.claimed_by == user.id,
                                                            Handoff.status == "active")):
        now = datetime.now(timezone.utc)
        service.back_to_waiting(handoff, handoff.observatory_id, now)
        session.add(StaffAudit(at=now, user_id=by, action="release", case_ref=handoff.case_ref,
                               handoff_id=handoff.id, sender_id=handoff.sender_id, target_user_id=user.id))


def _end_sessions(user: User) -> None:
    user.session_generation = User.session_generation + 1


def _audit(session: Session, by: Optional[int], user: User, action: str, detail: Optional[str] = None) -> None:
    audit(session, by, user.id, action, detail[:DETAIL_LENGTH] if detail else None)


def set_active(engine: Engine, username: str, active: bool, by: Optional[int] = None) -> bool:
    """Deactivates or reactivates; False if it already was so."""
    with session_scope(engine) as session:
        user = _account(session, username)
        if user.active == active:
            return False
        if not active:
            _keep_an_administrator(session, user)
            _release(session, user, by)
        user.active = active
        _end_sessions(user)
        _audit(session, by, user, "reactivate" if active else "deactivate")
        return True


def reset_password(engine: Engine, username: str, password: str, by: Optional[int] = None) -> None:
    """A new password; the account's sessions end and any lock from failed sign-ins is lifted."""
    check_password(password)
    with session_scope(engine) as session:
        user = _account(session, username)
        user.password_hash = generate_password_hash(password)
        user.failed_logins, user.locked_until = 0, None
        _end_sessions(user)
        _audit(session, by, user, "reset_password")


def change_role(engine: Engine, username: str, role: str, observatory_id: Optional[int] = None,
                by: Optional[int] = None) -> bool:
    """Administrators have no observatory; staff need one. False if nothing changed."""
    if role not in ROLES:
        raise ValueError(f"el rol es uno de: {', '.join(ROLES)}")
    if role == "staff" and observatory_id is None:
        raise ValueError("una cuenta del equipo necesita su observatorio")
    with session_scope(engine) as session:
        user = _account(session, username)
        if user.role == role:
            return False
        if role == "reviewer":
            raise ValueError("una cuenta de revisión se crea nueva, con su idioma y variante")
        if role != "admin":
            _keep_an_administrator(session, user)
        check_observatory(session, observatory_id)
        _release(session, user, by)  # an administrator holds no conversation; new staff hold none yet
        detail = f"de {ROLE_NAMES[user.role]} a {ROLE_NAMES[role]}"
        if role == "staff":
            detail += f", {observatory_name(session, observatory_id)}"
        user.role, user.observatory_id = role, observatory_id if role == "staff" else None
        user.review_language = user.review_variant = None
        _audit(session, by, user, "change_role", detail)
        return True


def change_observatory(engine: Engine, username: str, observatory_id: int, by: Optional[int] = None) -> bool:
    """Moves a staff account to another observatory; False if it already was there."""
    with session_scope(engine) as session:
        user = _account(session, username)
        if user.role != "staff":
            raise ValueError("solo las cuentas del equipo tienen observatorio")
        if user.observatory_id == observatory_id:
            return False
        check_observatory(session, observatory_id)
        detail = f"de {observatory_name(session, user.observatory_id)} a {observatory_name(session, observatory_id)}"
        _release(session, user, by)
        user.observatory_id = observatory_id
        _audit(session, by, user, "change_observatory", detail)
        return True


def check_email(email: str) -> str:
    """The address as stored ("" clears it); ValueError unless it looks like one."""
    email = email.strip()
    local, _, domain = email.partition("@")
    if email and (len(email) > EMAIL_LENGTH or not local or "." not in domain or any(c.isspace() for c in email)
                  or "@" in domain):
        raise ValueError("esa dirección de correo no es válida")
    return email


def check_alert_phone(phone: str) -> str:
    """A number for SMS alerts as stored, in E.164 ("" clears it): "+52 477 123 4567" is
    "+524771234567"; ValueError unless it is one."""
    compact = re.sub(r"[\s().-]", "", phone)
    if compact and not E164.fullmatch(compact):
        raise ValueError("ese teléfono no es válido: escríbelo con + y la clave del país, solo con las cifras "
                         "0 a 9 del teclado común, p. ej. +52 477 123 4567")
    return compact


def _change_alert_address(engine: Engine, username: str, field: str, value: str, noun: str,
                          by: Optional[int]) -> bool:
    with session_scope(engine) as session:
        user = _account(session, username)
        if (getattr(user, field) or "") == value:
            return False
        setattr(user, field, value or None)
        _audit(session, by, user, f"change_{field}", f"{noun} registrado" if value else f"{noun} quitado")
        return True


def change_email(engine: Engine, username: str, email: str, by: Optional[int] = None) -> bool:
    """Where e-mail alerts of waiting conversations go ("" for none); False if it already was so."""
    return _change_alert_address(engine, username, "email", check_email(email), "correo", by)


def change_alert_phone(engine: Engine, username: str, phone: str, by: Optional[int] = None) -> bool:
    """Where SMS alerts of waiting conversations go ("" for none); False if it already was so.
    The audit says that it changed, not the number."""
    return _change_alert_address(engine, username, "alert_phone", check_alert_phone(phone), "teléfono", by)
