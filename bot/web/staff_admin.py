"""Administrators manage the staff accounts (each staff member belongs to an observatory)
and see how replies were delivered (counts only)."""

from datetime import datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy.exc import IntegrityError

from bot.delivery import outbox
from bot.directory.models import Organisation
from bot.storage.database import session_scope
from bot.web import accounts
from bot.web.auth import admin_required
from bot.web.models import User

blueprint = Blueprint("staff", __name__, url_prefix="/admin/staff")
DELIVERY_DAYS = 7


@blueprint.route("/", methods=["GET", "POST"])
@admin_required
def index() -> Any:
    engine = current_app.extensions["orienta_engine"]
    if request.method == "POST":
        observatory = request.form.get("observatory_id", type=int)
        role = request.form.get("role", "staff")
        try:
            if role == "staff" and not observatory:
                raise ValueError("una cuenta del equipo necesita su observatorio")
            accounts.create(engine, request.form.get("username", ""), request.form.get("password", ""),
                            role, observatory if role == "staff" else None)
            flash("Cuenta creada.")
        except (ValueError, IntegrityError) as error:
            flash(f"No se creó la cuenta: {'ese usuario ya existe' if isinstance(error, IntegrityError) else error}.")
        return redirect(url_for("staff.index"))
    with session_scope(engine) as db:
        names = dict(db.execute(sa.select(Organisation.id, Organisation.name)).all())
        users = [{"username": u.username, "role": u.role, "observatory": names.get(u.observatory_id)}
                 for u in db.scalars(sa.select(User).order_by(User.username))]
        observatories = db.execute(sa.select(Organisation.id, Organisation.name).where(
            Organisation.kind == "observatory", Organisation.active.is_(True)).order_by(Organisation.name)).all()
        delivery = outbox.report(db, datetime.now(timezone.utc) - timedelta(days=DELIVERY_DAYS))
    return render_template("staff.html", users=users, observatories=observatories, delivery=delivery,
                           delivery_days=DELIVERY_DAYS)
