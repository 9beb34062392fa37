"""Administrators designate the national desk (/admin/desk/): the observatory that takes the
handoffs of states without a staffed observatory of their own and the ones left waiting
too long (bot/handoff/desk.py, audited)."""

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from bot.directory.models import Organisation
from bot.handoff import desk, routing
from bot.handoff.service import staffed_observatories
from bot.storage.database import session_scope
from bot.web.auth import admin_required

blueprint = Blueprint("desk", __name__, url_prefix="/admin/desk")


@blueprint.route("/", methods=["GET", "POST"])
@admin_required
def index() -> Any:
    engine = current_app.extensions["orienta_engine"]
    if request.method == "POST":
        raw = request.form.get("observatory_id")
        if raw is None or not (raw == "" or raw.isascii() and raw.isdigit()):  # "" is "ninguno"; nothing else clears it
            flash("No se cambió nada: elige un observatorio de la lista.")
            return redirect(url_for("desk.index"))
        try:
            changed = desk.designate(engine, int(raw) if raw else None, by=current_user.id)
            flash("Mesa nacional guardada." if changed else "No había nada que cambiar.")
        except ValueError as error:
            flash(f"No se cambió nada: {error}.")
        return redirect(url_for("desk.index"))
    with session_scope(engine) as db:
        current = routing.national_desk(db)
        staffed = {o.id for o in staffed_observatories(db)}
        observatories = db.execute(sa.select(Organisation.id, Organisation.name).where(
            Organisation.kind == "observatory", Organisation.active.is_(True)).order_by(Organisation.name)).all()
        return render_template("desk.html", current=current, current_staffed=bool(current and current.id in staffed),
                               observatories=[(i, name, i in staffed) for i, name in observatories])
