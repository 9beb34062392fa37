"""Reviewers' pages: every entry of their language beside its Spanish source, the draft and
what is served; a reviewer saves a draft, publishes a text under their name, or withdraws one
(Spanish is served instead), and the next message in that language carries it, on every
engine (bot/replies/live.py)."""

import io
from functools import partial
from typing import Any, Dict, List

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from bot.replies import reviews
from bot.replies.catalogue_tools import catalogue_of, database_entries, source_entries, write
from bot.storage.database import session_scope
from bot.web.labels import CATALOGUES, language as language_name
from bot.web.reviewers import INALI_CATALOGUE, reviewer_required

blueprint = Blueprint("review", __name__, url_prefix="/review")
STATUSES = {"untranslated": "Sin traducir", "draft": "Borrador", "reviewed": "Revisado y publicado",
            "repository": "Revisado, en el catálogo del repositorio", "stale": "Revisar otra vez: cambió el español",
            "withdrawn": "Retirado: se envía el español"}
DONE = {"draft": "Borrador guardado: no se envía hasta que lo publiques.",
        "publish": "Publicado: se envía desde el próximo mensaje.",
        "withdraw": "Retirado: desde el próximo mensaje se envía el español."}


def _page_values() -> Dict[str, Any]:
    return {"language": current_user.review_language, "language_name": language_name(current_user.review_language),
            "variant": current_user.review_variant, "inali_catalogue": INALI_CATALOGUE, "statuses": STATUSES}


@blueprint.route("/")
@reviewer_required
def index() -> str:
    shown = request.args.get("estado", "")
    rows = _rows(source_entries())
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
        text, action = request.form.get("text", ""), request.form.get("action", "draft")
        engine = current_app.extensions["orienta_engine"]
        try:
            if action == "publish":
                reviews.publish(engine, language, key, text, source, current_user.id)
            elif action == "withdraw":
                reviews.withdraw(engine, language, key, source, _rows({key: source[key]})[0].served, current_user.id)
            else:
                reviews.save_draft(engine, language, key, text, source, current_user.id)
            flash(DONE.get(action, DONE["draft"]))
            return redirect(url_for("review.entry", key=key))
        except (ValueError, PermissionError) as error:
            flash(f"No se guardó: {error}.")
            return render_template("review/entry.html", row=_rows({key: source[key]})[0], text=text,
                                   **_page_values()), 400
    row = _rows({key: source[key]})[0]
    return render_template("review/entry.html", row=row, text=row.draft or row.served, **_page_values())


def _rows(source: Dict[str, str]) -> List[reviews.Row]:
    language = current_user.review_language
    with session_scope(current_app.extensions["orienta_engine"]) as db:
        return reviews.rows(db, language, source, partial(CATALOGUES.from_repository, language=language))
