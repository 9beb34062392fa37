"""The directory administration: list, add, edit, (de)activate, CSV, audit log, coverage."""

from typing import Any, Dict, List, Tuple

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from bot.directory import coverage, csv_io, repository
from bot.directory.catalogue import catalogue
from bot.directory.models import KINDS, Organisation
from bot.directory.nearest import Directory
from bot.directory.validation import FIELDS, validate
from bot.guidance.review import max_age_days
from bot.storage.database import session_scope
from bot.web.auth import admin_required

blueprint = Blueprint("directory", __name__, url_prefix="/admin/directory")


def _engine() -> Any:
    return current_app.extensions["orienta_engine"]


def _form_record(organisation: Organisation) -> Dict[str, str]:
    record = repository.as_record(organisation)
    return {name: "" if value is None else ("sí" if value is True else "no" if value is False else str(value))
            for name, value in record.items()}


def _render_form(record: Dict[str, str], errors: List[Tuple[str, str]], organisation_id: Any = None,
                 status: int = 200) -> Tuple[str, int]:
    return render_template("directory/form.html", record=record, errors=dict(errors), kinds=KINDS,
                           states=catalogue().states, organisation_id=organisation_id), status


def _not_found() -> Tuple[str, int]:
    return render_template("error.html", message="No existe esa organización."), 404


@blueprint.route("/")
@admin_required
def index() -> str:
    kind, state, text = request.args.get("kind", ""), request.args.get("state", ""), request.args.get("q", "").strip()
    query = sa.select(Organisation).order_by(Organisation.state_key, Organisation.name)
    if kind:
        query = query.where(Organisation.kind == kind)
    if state:
        query = query.where(Organisation.state_key == state)
    if text:
        query = query.where(Organisation.name.ilike(f"%{text}%"))
    with session_scope(_engine()) as session:
        organisations = [dict(_form_record(o), id=o.id, active=o.active) for o in session.scalars(query)]
    return render_template("directory/list.html", organisations=organisations, kinds=KINDS,
                           states=catalogue().states, kind=kind, state=state, q=text)


@blueprint.route("/new", methods=["GET", "POST"])
@admin_required
def new() -> Any:
    if request.method == "GET":
        return _render_form({name: "" for name in FIELDS} | {"active": "sí"}, [])
    record = {name: request.form.get(name, "") for name in FIELDS}
    checked = validate(record)
    if checked.errors:
        return _render_form(record, checked.errors, status=422)
    with session_scope(_engine()) as session:
        organisation = repository.save(session, current_user.username, checked.values)
        flash(f"Se agregó «{organisation.name}».")
    return redirect(url_for("directory.index"))


@blueprint.route("/<int:organisation_id>", methods=["GET", "POST"])
@admin_required
def edit(organisation_id: int) -> Any:
    with session_scope(_engine()) as session:
        organisation = session.get(Organisation, organisation_id)
        if organisation is None:
            return _not_found()
        if request.method == "GET":
            return _render_form(_form_record(organisation), [], organisation_id)
        record = {name: request.form.get(name, "") for name in FIELDS}
        checked = validate(record)
        if checked.errors:
            return _render_form(record, checked.errors, organisation_id, status=422)
        changed = repository.save(session, current_user.username, checked.values, organisation_id)
        flash("Cambios guardados." if changed else "No había nada que cambiar.")
    return redirect(url_for("directory.index"))


@blueprint.route("/<int:organisation_id>/active", methods=["POST"])
@admin_required
def set_active(organisation_id: int) -> Any:
    with session_scope(_engine()) as session:
        organisation = session.get(Organisation, organisation_id)
        if organisation is None:
            return _not_found()
        values = repository.as_record(organisation) | {"active": request.form.get("active") == "sí"}
        repository.save(session, current_user.username, values, organisation_id)
        flash(f"«{organisation.name}» {'activada' if values['active'] else 'desactivada'}.")
    return redirect(url_for("directory.index"))


@blueprint.route("/export.csv")
@admin_required
def export() -> Response:
    with session_scope(_engine()) as session:
        data = csv_io.export(session)
    return Response(data, mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename=directorio-orienta.csv"})


@blueprint.route("/import", methods=["GET", "POST"])
@admin_required
def import_csv() -> Any:
    if request.method == "GET":
        return render_template("directory/import.html", report=None)
    upload = request.files.get("file")
    data = upload.read() if upload else b""
    with session_scope(_engine()) as session:
        report = csv_io.import_csv(session, current_user.username, data)
    return render_template("directory/import.html", report=report), (200 if report.applied else 422)


@blueprint.route("/changes")
@admin_required
def changes() -> str:
    with session_scope(_engine()) as session:
        entries = [
            {"at": c.at, "actor": c.actor, "action": c.action, "organisation_id": c.organisation_id, "changes": c.changes}
            for c in repository.changes(session)
        ]
    return render_template("directory/changes.html", entries=entries)


@blueprint.route("/coverage")
@admin_required
def coverage_page() -> str:
    """What the active directory holds per state and kind: the figures of `make directory-coverage`."""
    figures = coverage.report(Directory(_engine()).index().entries)
    return render_template("directory/coverage.html", report=figures, kinds=coverage.KINDS, max_age=max_age_days())
