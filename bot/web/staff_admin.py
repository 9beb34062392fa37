"""Administrators manage the staff accounts (each staff member belongs to an observatory):
create, deactivate and reactivate, reset a password, change a role, an observatory, or the
e-mail address or phone number alerts go to, all
audited (bot/web/account_changes.py); and see how replies were delivered (counts only)."""

from datetime import datetime, timedelta, timezone
from typing import Any, Callable, List, Tuple

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from bot.delivery import outbox
from bot.directory.models import Organisation
from bot.storage.database import session_scope
from bot.web import account_changes, accounts, reviewers
from bot.web.auth import admin_required
from bot.web.labels import language
from bot.web.models import ROLE_NAMES, User

blueprint = Blueprint("staff", __name__, url_prefix="/admin/staff")
DELIVERY_DAYS = 7


def _engine() -> Any:
    return current_app.extensions["orienta_engine"]


def _observatories(db: Any) -> List[Tuple[int, str]]:
    return list(db.execute(sa.select(Organisation.id, Organisation.name).where(
        Organisation.kind == "observatory", Organisation.active.is_(True)).order_by(Organisation.name)).all())


def _row(user: User, names: dict) -> dict:
    return {"id": user.id, "username": user.username, "role": ROLE_NAMES[user.role],
            "observatory": names.get(user.observatory_id), "observatory_id": user.observatory_id,
            "role_code": user.role, "active": user.active, "email": user.email or "",
            "alert_phone": user.alert_phone or "",
            "review": f"{language(user.review_language)}: {user.review_variant}" if user.review_language else ""}


@blueprint.route("/", methods=["GET", "POST"])
@admin_required
def index() -> Any:
    engine = _engine()
    if request.method == "POST":
        observatory = request.form.get("observatory_id", type=int)
        role = request.form.get("role", "staff")
        try:
            if role == "staff" and not observatory:
                raise ValueError("una cuenta del equipo necesita su observatorio")
            accounts.create(engine, request.form.get("username", ""), request.form.get("password", ""),
                            role, observatory if role == "staff" else None, by=current_user.id,
                            review_language=request.form.get("review_language"),
                            review_variant=request.form.get("review_variant"))
            flash("Cuenta creada.")
        except (ValueError, IntegrityError) as error:
            flash(f"No se creó la cuenta: {'ese usuario ya existe' if isinstance(error, IntegrityError) else error}.")
        return redirect(url_for("staff.index"))
    with session_scope(engine) as db:
        names = dict(db.execute(sa.select(Organisation.id, Organisation.name)).all())
        users = [_row(u, names) for u in db.scalars(sa.select(User).order_by(User.username))]
        delivery = outbox.report(db, datetime.now(timezone.utc) - timedelta(days=DELIVERY_DAYS))
        observatories = _observatories(db)
    return render_template("staff.html", users=users, observatories=observatories, delivery=delivery,
                           delivery_days=DELIVERY_DAYS, inali_catalogue=reviewers.INALI_CATALOGUE,
                           review_languages=[(code, language(code)) for code in reviewers.REVIEWABLE],
                           review_variants=reviewers.variants())


@blueprint.route("/<int:user_id>")
@admin_required
def account(user_id: int) -> Any:
    with session_scope(_engine()) as db:
        user = db.get(User, user_id)
        if user is None:
            return render_template("error.html", message="No existe esa cuenta."), 404
        names = dict(db.execute(sa.select(Organisation.id, Organisation.name)).all())
        return render_template("staff_account.html", user=_row(user, names), observatories=_observatories(db),
                               roles=ROLE_NAMES)


def _change(user_id: int, change: Callable[[str], str]) -> Any:
    """Runs a change on the account and flashes what happened (or why nothing did)."""
    with session_scope(_engine()) as db:
        username = db.scalar(sa.select(User.username).where(User.id == user_id))
    if username is None:
        return render_template("error.html", message="No existe esa cuenta."), 404
    try:
        flash(change(username))
    except ValueError as error:
        flash(f"No se cambió nada: {error}.")
    return redirect(url_for("staff.account", user_id=user_id))


@blueprint.route("/<int:user_id>/active", methods=["POST"])
@admin_required
def set_active(user_id: int) -> Any:
    active = request.form.get("active") == "sí"

    def change(username: str) -> str:
        account_changes.set_active(_engine(), username, active, by=current_user.id)
        return f"Cuenta {'reactivada' if active else 'desactivada: sus sesiones terminaron'}."

    return _change(user_id, change)


@blueprint.route("/<int:user_id>/password", methods=["POST"])
@admin_required
def reset_password(user_id: int) -> Any:
    def change(username: str) -> str:
        account_changes.reset_password(_engine(), username, request.form.get("password", ""), by=current_user.id)
        return "Contraseña restablecida: las sesiones de la cuenta terminaron."

    return _change(user_id, change)


@blueprint.route("/<int:user_id>/role", methods=["POST"])
@admin_required
def change_role(user_id: int) -> Any:
    role = request.form.get("role", "")
    observatory = request.form.get("observatory_id", type=int) if role == "staff" else None

    def change(username: str) -> str:
        engine = _engine()
        changed = account_changes.change_role(engine, username, role, observatory, by=current_user.id)
        if not changed and role == "staff" and observatory is not None:
            changed = account_changes.change_observatory(engine, username, observatory, by=current_user.id)
        return "Cambios guardados." if changed else "No había nada que cambiar."

    return _change(user_id, change)


@blueprint.route("/<int:user_id>/email", methods=["POST"])
@admin_required
def change_email(user_id: int) -> Any:
    return _change_alert_address(user_id, account_changes.change_email, "email")


@blueprint.route("/<int:user_id>/phone", methods=["POST"])
@admin_required
def change_alert_phone(user_id: int) -> Any:
    return _change_alert_address(user_id, account_changes.change_alert_phone, "alert_phone")


def _change_alert_address(user_id: int, change_to: Callable[..., bool], field: str) -> Any:
    def change(username: str) -> str:
        changed = change_to(_engine(), username, request.form.get(field, ""), by=current_user.id)
        return "Cambios guardados." if changed else "No había nada que cambiar."

    return _change(user_id, change)
