"""Staff and administrator accounts: password hashing, sign-in with lockout, signing out everywhere.

`python -m bot.web.accounts add NAME --role admin` creates an account (the password is
read from the terminal, or from ORIENTA_NEW_PASSWORD for scripts).
"""

import argparse
import getpass
import os
import sys
from datetime import datetime, timedelta, timezone
from typing import List, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from bot.directory.models import Organisation
from bot.settings import database_url
from bot.storage.database import UTCDateTime, engine_for, session_scope
from bot.web.models import ROLES, User

MAX_FAILED_SIGN_INS = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 12
MAX_USERNAME_LENGTH = User.username.type.length
# Checked against when the user does not exist, so that timing does not reveal names.
_DUMMY_HASH = generate_password_hash("not a real password")


def create(engine: Engine, username: str, password: str, role: str, observatory_id: Optional[int] = None) -> int:
    """A new active account; ValueError (in Spanish, for the administrators) says what is wrong."""
    username = username.strip()
    if not username or len(username) > MAX_USERNAME_LENGTH:
        raise ValueError(f"falta el nombre de usuario, o pasa de {MAX_USERNAME_LENGTH} caracteres")
    if role not in ROLES:
        raise ValueError(f"el rol es uno de: {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"la contraseña necesita al menos {MIN_PASSWORD_LENGTH} caracteres")
    with session_scope(engine) as session:
        if observatory_id is not None and not session.scalar(sa.select(Organisation.id).where(
                Organisation.id == observatory_id, Organisation.kind == "observatory")):
            raise ValueError(f"no existe ese observatorio (id {observatory_id}) en el directorio")
        user = User(username=username, password_hash=generate_password_hash(password), role=role,
                    observatory_id=observatory_id, active=True, failed_logins=0)
        session.add(user)
        session.flush()
        return user.id


def ensure(engine: Engine, username: str, password: str, role: str) -> None:
    """Creates the account unless it exists (for development set-ups)."""
    with session_scope(engine) as session:
        if session.scalar(sa.select(User.id).where(User.username == username)):
            return
    create(engine, username, password, role)


def _unlocked(now: datetime) -> sa.sql.ColumnElement:
    return sa.or_(User.locked_until.is_(None), User.locked_until <= now)


def sign_in(engine: Engine, username: str, password: str, now: Optional[datetime] = None) -> Optional[int]:
    """The user's id if the password is right and the account is neither inactive nor locked.

    Each wrong password counts, in one UPDATE of the row, so that attempts made at the same
    moment are each counted; the one that reaches MAX_FAILED_SIGN_INS locks the account for
    LOCKOUT. A right password is accepted only by an UPDATE that finds the account unlocked
    then, so none is accepted once a lock is set, however the attempts interleave.
    """
    now = now or datetime.now(timezone.utc)
    with session_scope(engine) as session:
        user = session.execute(sa.select(User.id, User.password_hash, User.active, User.locked_until)
                               .where(User.username == username)).first()
    if user is None or not user.active:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if user.locked_until and user.locked_until > now:
        return None
    right = check_password_hash(user.password_hash, password)
    failures = User.failed_logins + 1
    reached = failures >= MAX_FAILED_SIGN_INS
    changes = {"failed_logins": 0, "locked_until": None} if right else {
        "failed_logins": sa.case((reached, 0), else_=failures),
        "locked_until": sa.case((reached, sa.literal(now + LOCKOUT, UTCDateTime)), else_=None)}
    with session_scope(engine) as session:
        counted = session.execute(sa.update(User).where(User.id == user.id, _unlocked(now)).values(changes))
    return user.id if right and counted.rowcount else None


def revoke_sessions(engine: Engine, user_id: int) -> None:
    """Every session cookie of the account so far is refused from now on, on every device."""
    with session_scope(engine) as session:
        session.execute(sa.update(User).where(User.id == user_id)
                        .values(session_generation=User.session_generation + 1))


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description="Manage staff and administrator accounts.")
    parser.add_argument("command", choices=("add",))
    parser.add_argument("username")
    parser.add_argument("--role", choices=ROLES, default="staff")
    parser.add_argument("--observatory", type=int, help="directory id of the staff member's observatory")
    arguments = parser.parse_args(argv)
    password = os.environ.get("ORIENTA_NEW_PASSWORD") or getpass.getpass("Password: ")
    try:
        create(engine_for(database_url()), arguments.username, password, arguments.role, arguments.observatory)
    except (ValueError, IntegrityError) as error:
        print(f"Account not created: {'that user name exists' if isinstance(error, IntegrityError) else error}.",
              file=sys.stderr)
        return 1
    print(f"Account {arguments.username.strip()} ({arguments.role}) created.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
