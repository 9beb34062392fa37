"""Signing in and out, and who may see what."""

from dataclasses import dataclass
from functools import wraps
from typing import Any, Callable, Optional
from urllib.parse import urlparse

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import UserMixin, current_user, login_required, login_user, logout_user
from sqlalchemy.engine import Engine
from werkzeug.wrappers import Response

from bot.storage.database import session_scope
from bot.web import accounts
from bot.web.models import User

blueprint = Blueprint("auth", __name__)


@dataclass
class SignedIn(UserMixin):
    id: int
    username: str
    role: str
    observatory_id: Optional[int]
    session_generation: int
    review_language: Optional[str] = None  # a reviewer's (bot/web/reviewers.py)
    review_variant: Optional[str] = None

    @classmethod
    def of(cls, user: User) -> "SignedIn":
        return cls(user.id, user.username, user.role, user.observatory_id, user.session_generation,
                   user.review_language, user.review_variant)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def get_id(self) -> str:
        """What the session cookie carries: the account and the session generation it began in."""
        return f"{self.id}:{self.session_generation}"


def signed_in(engine: Engine, session_id: str) -> Optional[SignedIn]:
    """The account of a session cookie, unless the account is inactive or signed out since."""
    user_id, _, generation = session_id.partition(":")
    with session_scope(engine) as db:
        user = db.get(User, int(user_id))
        return SignedIn.of(user) if user and user.active and str(user.session_generation) == generation else None


def admin_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Signed in, and an administrator: others get 403."""

    @wraps(view)
    @login_required
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return guarded


def _safe_next(target: Optional[str]) -> str:
    """Only same-site paths: never redirect elsewhere after signing in."""
    if target and target.startswith("/") and not target.startswith("//") and not urlparse(target).netloc:
        return target
    return url_for("auth.home")


@blueprint.route("/login", methods=["GET", "POST"])
def sign_in() -> Any:
    if request.method == "POST":
        engine = current_app.extensions["orienta_engine"]
        user_id = accounts.sign_in(engine, request.form.get("username", ""), request.form.get("password", ""))
        if user_id is None:
            flash("Usuario o contraseña incorrectos, o cuenta bloqueada por intentos fallidos.")
            return render_template("login.html"), 401
        with session_scope(engine) as db:
            signed_in = SignedIn.of(db.get(User, user_id))
        session.clear()  # a new session on every sign-in: no fixation
        login_user(signed_in)
        return redirect(_safe_next(request.args.get("next")))
    return render_template("login.html")


@blueprint.route("/logout", methods=["POST"])
@login_required
def sign_out() -> Response:
    accounts.revoke_sessions(current_app.extensions["orienta_engine"], current_user.id)
    logout_user()
    session.clear()
    return redirect(url_for("auth.sign_in"))


@blueprint.route("/")
@login_required
def home() -> Response:
    if current_user.role == "reviewer":
        return redirect(url_for("review.index"))
    return redirect(url_for("directory.index" if current_user.is_admin else "inbox.queue"))
