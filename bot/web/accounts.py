"""Staff and administrator accounts: password hashing, sign-in with lockout, signing out
everywhere, and the command line.

`python -m bot.web.accounts add NAME --role admin` creates an account (a reviewer also takes
`--language tzh --variant "tseltal del norte"`, a variant bot/web/inali_variants.yml lists
for that language; the password is
read from the terminal, or from ORIENTA_NEW_PASSWORD for scripts); `deactivate NAME`,
`reactivate NAME`, `reset NAME`, `role NAME admin|staff [--observatory ID]` and
`observatory NAME ID` change one (bot/web/account_changes.py). Each is in the staff audit,
with no author: the command line.
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

from bot.settings import database_url
from bot.storage.database import UTCDateTime, engine_for, session_scope
from bot.web import account_changes, reviewers
from bot.web.models import ROLE_NAMES, ROLES, User

MAX_FAILED_SIGN_INS = 5
LOCKOUT = timedelta(minutes=15)
MAX_USERNAME_LENGTH = User.username.type.length
# Checked against when the user does not exist, so that timing does not reveal names.
_DUMMY_HASH = generate_password_hash("not a real password")


def create(engine: Engine, username: str, password: str, role: str, observatory_id: Optional[int] = None,
           by: Optional[int] = None, review_language: Optional[str] = None,
           review_variant: Optional[str] = None) -> int:
    """A new active account, audited; ValueError (in Spanish, for the administrators) says what is wrong.
    A reviewer needs a language and its variant (bot/web/reviewers.py)."""
    username = username.strip()
    if not username or len(username) > MAX_USERNAME_LENGTH:
        raise ValueError(f"falta el nombre de usuario, o pasa de {MAX_USERNAME_LENGTH} caracteres")
    if role not in ROLES:
        raise ValueError(f"el rol es uno de: {', '.join(ROLES)}")
    account_changes.check_password(password)
    if role != "staff" and observatory_id is not None:
        raise ValueError("solo una cuenta del equipo pertenece a un observatorio")
    if role == "reviewer":
        review_language, review_variant = reviewers.check_review_language(review_language, review_variant)
    else:
        review_language = review_variant = None
    with session_scope(engine) as session:
        account_changes.check_observatory(session, observatory_id)
        user = User(username=username, password_hash=generate_password_hash(password), role=role,
                    observatory_id=observatory_id, active=True, failed_logins=0,
                    review_language=review_language, review_variant=review_variant)
        session.add(user)
        session.flush()
        account_changes.audit(session, by, user.id, "create", ROLE_NAMES[role] + (
            f", {account_changes.observatory_name(session, observatory_id)}" if observatory_id is not None else "")
            + (f", {review_language} ({review_variant})" if review_language else ""))
        return user.id


def ensure(engine: Engine, username: str, password: str, role: str, observatory_id: Optional[int] = None) -> None:
    """Creates the account unless it exists (for development set-ups)."""
    with session_scope(engine) as session:
        if session.scalar(sa.select(User.id).where(User.username == username)):
            return
    create(engine, username, password, role, observatory_id)


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


def _commands() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="Manage staff and administrator accounts (every change audited).")
    commands = parser.add_subparsers(dest="command", required=True)

    def command(name: str, summary: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=summary)
        sub.add_argument("username")
        return sub

    add = command("add", "a new account (password from ORIENTA_NEW_PASSWORD or the terminal)")
    add.add_argument("--role", choices=ROLES, default="staff")
    add.add_argument("--observatory", type=int, help="directory id of the staff member's observatory")
    add.add_argument("--language", help="a reviewer's language code, e.g. tzh")
    add.add_argument("--variant", help="a reviewer's variant, one bot/web/inali_variants.yml lists for the language")
    command("deactivate", "the account can no longer sign in; its sessions end now")
    command("reactivate", "the account can sign in again")
    command("reset", "a new password (ORIENTA_NEW_PASSWORD or the terminal); its sessions end now")
    role = command("role", "another role")
    role.add_argument("role", choices=ROLES)
    role.add_argument("--observatory", type=int, help="directory id of the observatory, for staff")
    command("observatory", "move a staff account to another observatory").add_argument(
        "observatory", type=int, help="directory id of the observatory")
    command("email", "where alerts of waiting conversations go").add_argument(
        "email", help="an e-mail address; '' for none")
    command("phone", "the staff member's own number, for SMS alerts of waiting conversations").add_argument(
        "phone", help="E.164, e.g. +524771234567; '' for none")
    return parser


def _new_password() -> str:
    return os.environ.get("ORIENTA_NEW_PASSWORD") or getpass.getpass("Password: ")


def _run(engine: Engine, arguments: argparse.Namespace) -> str:
    """Carries out the command; what was done, in a line."""
    name, command = arguments.username.strip(), arguments.command
    if command == "add":
        create(engine, name, _new_password(), arguments.role, arguments.observatory,
               review_language=arguments.language, review_variant=arguments.variant)
        return f"Account {name} ({arguments.role}) created."
    if command in ("deactivate", "reactivate"):
        changed = account_changes.set_active(engine, name, command == "reactivate")
        return f"Account {name} {command}d." if changed else f"Account {name} was already {command}d."
    if command == "reset":
        account_changes.reset_password(engine, name, _new_password())
        return f"Password of {name} reset; its sessions have ended."
    if command == "role":
        changed = account_changes.change_role(engine, name, arguments.role, arguments.observatory)
        return f"Account {name} is now {arguments.role}." if changed else f"Account {name} already was {arguments.role}."
    if command == "email":
        changed = account_changes.change_email(engine, name, arguments.email)
        return f"Alerts of {name} go to {arguments.email.strip() or 'nobody'}." if changed else \
            f"Alerts of {name} already went there."
    if command == "phone":
        changed = account_changes.change_alert_phone(engine, name, arguments.phone)
        return f"SMS alerts of {name} {'changed' if changed else 'already were so'}."
    changed = account_changes.change_observatory(engine, name, arguments.observatory)
    return f"Account {name} moved to observatory {arguments.observatory}." if changed else \
        f"Account {name} already was in observatory {arguments.observatory}."


def main(argv: List[str]) -> int:
    arguments = _commands().parse_args(argv)
    try:
        print(_run(engine_for(database_url()), arguments))
    except (ValueError, IntegrityError) as error:
        print(f"Nothing changed: {'that user name exists' if isinstance(error, IntegrityError) else error}.",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
