"""Reviewers' pages: every entry of their language beside its Spanish source, the draft and
what is served; a reviewer saves a draft or publishes a text under their name, and the next
message in that language carries it, on every engine (bot/replies/live.py)."""

import io
from typing import Any, Dict

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from bot.replies import reviews
from bot.replies.catalogue_tools import catalogue_of, database_entries, source_entries, write
from bot.storage.database import session_scope
from bot.web.labels import language as language_name
from bot.web.reviewers import INALI_CATALOGUE, reviewer_required

blueprint = Blueprint("review", __name__, url_prefix="/review")
STATUSES = {"untranslated": "Sin traducir", "draft": "Borrador", "reviewed": "Revisado y publicado",
            "stale": "Revisar otra vez: cambió el español"}


def _page_values() -> Dict[str, Any]:
    return {"language": current_user.review_language, "language_name": language_name(current_user.review_language),
            "variant": current_user.review_variant, "inali_catalogue": INALI_CATALOGUE, "statuses": STATUSES}


@blueprint.route("/")
@reviewer_required
def index() -> str:
    shown = request.args.get("estado", "")
    with session_scope(current_app.extensions["orienta_engine"]) as db:
        rows = reviews.rows(db, current_user.review_language, source_entries())
    counts = {status: sum(row.status == status for row in rows) for status in STATUSES}
    return render_template("review/index.html", rows=[r for r in rows if not shown or r.status == shown],
                           counts=counts, shown=shown, **_page_values())


@blueprint.route("/catalogue.po")
@reviewer_required
def download() -> Response:
    """The language's catalogue with the texts of these pages (published: reviewed; drafts: fuzzy),
    to work on in Poedit or commit to the repository."""
    language = current_user.review_language
    with session_scope(current_app.extensions["orienta_engine"]) as db:
        changes = database_entries(db, source_entries()).get(language)
    handle = io.BytesIO()
    write(handle, catalogue_of(language, changes=changes))
    return Response(handle.getvalue(), mimetype="text/x-gettext-translation",
                    headers={"Content-Disposition": f'attachment; filename="{language}.po"'})


@blueprint.route("/<key>", methods=["GET", "POST"])
@reviewer_required
def entry(key: str) -> Any:
    source = source_entries()
    if key not in source:
        return render_template("error.html", message="No existe esa entrada."), 404
    language = current_user.review_language
    if request.method == "POST":
        text, publishing = request.form.get("text", ""), request.form.get("action") == "publish"
        engine = current_app.extensions["orienta_engine"]
        try:
            if publishing:
                reviews.publish(engine, language, key, text, source, current_user.id)
                flash("Publicado: se envía desde el próximo mensaje.")
            else:
                reviews.save_draft(engine, language, key, text, source, current_user.id)
                flash("Borrador guardado: no se envía hasta que lo publiques.")
            return redirect(url_for("review.entry", key=key))
        except (ValueError, PermissionError) as error:
            flash(f"No se guardó: {error}.")
            return render_template("review/entry.html", row=_row(key, source), text=text, **_page_values()), 400
    row = _row(key, source)
    return render_template("review/entry.html", row=row, text=row.draft or row.served, **_page_values())


def _row(key: str, source: Dict[str, str]) -> reviews.Row:
    with session_scope(current_app.extensions["orienta_engine"]) as db:
        return reviews.rows(db, current_user.review_language, {key: source[key]})[0]
