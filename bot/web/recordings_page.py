"""Recordings of replies (/recordings/): a partner's recording uploaded against a reply and a
language, listened to and approved or rejected by a reviewer of that language who did not
upload it, withdrawn when it should go no more; every step audited (bot/recordings/store.py).
Administrators and reviewers open it (bot/recordings/reviewers.py); a reviewer works in their
own language only."""

from functools import wraps
from typing import Any, Callable, Dict, Tuple

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from bot.languages import OFFERED_LANGUAGES
from bot.recordings import formats, reviewers, store
from bot.recordings.models import APPROVED, OUTDATED, PENDING, REJECTED, WITHDRAWN
from bot.replies.catalogue import Catalogues
from bot.storage.database import session_scope
from bot.web.models import User

blueprint = Blueprint("recordings", __name__, url_prefix="/recordings")
STATUS_NAMES = {PENDING: "espera revisión", APPROVED: "en uso", REJECTED: "rechazada", WITHDRAWN: "retirada",
                OUTDATED: "no se envía: el texto cambió, hay que grabarla otra vez"}
PREVIEW_CHARS = 70  # of a reply's Spanish text, in the list of replies
AUDIO_HEADERS = {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'; sandbox"}


def recordings_access(view: Callable[..., Any]) -> Callable[..., Any]:
    """Signed in as an administrator or a reviewer: others get 403."""

    @wraps(view)
    @login_required
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if not reviewers.may_visit(current_user):
            abort(403)
        return view(*args, **kwargs)

    return guarded


def _catalogues() -> Catalogues:
    if "orienta_catalogues" not in current_app.extensions:
        current_app.extensions["orienta_catalogues"] = Catalogues.load(drafts=False)
    return current_app.extensions["orienta_catalogues"]


def _replies() -> Dict[str, str]:
    """Every reply that can be recorded (store.recordable) with the start of its Spanish text,
    as the upload form lists them."""
    catalogues = _catalogues()
    return {key: catalogues.get(key, "es").text[:PREVIEW_CHARS] for key in sorted(catalogues.keys())
            if store.recordable(key)}


def _language_names() -> Dict[str, str]:
    catalogues = _catalogues()
    return {code: catalogues.get(f"language_name_{code}", "es").text for code in OFFERED_LANGUAGES}


def _page(error: str = "", status: int = 200) -> Tuple[str, int]:
    with session_scope(current_app.extensions["orienta_engine"]) as db:
        listed = store.listing(db)
        names = dict(db.execute(sa.select(User.id, User.username)).all())
    language_names = _language_names()
    return render_template("recordings.html", recordings=listed, names=names, replies=_replies(),
                           language_names=language_names, status_names=STATUS_NAMES, error=error,
                           languages={code: name for code, name in language_names.items()
                                      if reviewers.may_upload(current_user, code)},
                           max_mb=formats.MAX_BYTES // (1024 * 1024),
                           reviews=lambda language: reviewers.may_review(current_user, language)), status


@blueprint.route("/")
@recordings_access
def index() -> Tuple[str, int]:
    return _page()


@blueprint.route("/upload", methods=["POST"])
@recordings_access
def upload() -> Any:
    uploaded = request.files.get("audio")
    if uploaded is None or not uploaded.filename:
        return _page("Elige el archivo de la grabación.", 400)
    data = uploaded.read(formats.MAX_BYTES + 1)
    try:
        with session_scope(current_app.extensions["orienta_engine"]) as db:
            recording = store.upload(db, tuple(_catalogues().keys()), request.form.get("reply_key", ""),
                                     request.form.get("language", ""), data, current_user)
            number = recording.id
    except formats.Refused as refused:
        return _page(f"No se guardó la grabación: {refused}", 400)
    flash(f"Grabación {number} guardada: espera la revisión de otra persona que revise ese idioma.")
    return redirect(url_for("recordings.index"))


def _decide(recording_id: int, step: str) -> Response:
    try:
        with session_scope(current_app.extensions["orienta_engine"]) as db:
            if step == "withdraw":
                store.withdraw(db, recording_id, current_user)
            else:
                store.review(db, recording_id, step == "approve", current_user)
    except store.NotAllowed as refused:
        flash(f"No se cambió nada: {refused}")
        return redirect(url_for("recordings.index"))
    flash({"approve": f"Grabación {recording_id} aprobada: se envía desde ahora.",
           "reject": f"Grabación {recording_id} rechazada.",
           "withdraw": f"Grabación {recording_id} retirada: ya no se envía."}[step])
    return redirect(url_for("recordings.index"))


@blueprint.route("/<int:recording_id>/approve", methods=["POST"])
@recordings_access
def approve(recording_id: int) -> Response:
    return _decide(recording_id, "approve")


@blueprint.route("/<int:recording_id>/reject", methods=["POST"])
@recordings_access
def reject(recording_id: int) -> Response:
    return _decide(recording_id, "reject")


@blueprint.route("/<int:recording_id>/withdraw", methods=["POST"])
@recordings_access
def withdraw(recording_id: int) -> Response:
    return _decide(recording_id, "withdraw")


@blueprint.route("/<int:recording_id>/audio")
@recordings_access
def audio(recording_id: int) -> Response:
    """The recording, for listening to before deciding (whatever its review)."""
    with session_scope(current_app.extensions["orienta_engine"]) as db:
        found = store.audio_of(db, recording_id, approved_only=False)
    if found is None:
        abort(404)
    return Response(found[1], mimetype=found[0], headers=AUDIO_HEADERS)


@blueprint.app_errorhandler(413)
def too_large(_error: Exception) -> Tuple[str, int]:
    return render_template("error.html", message=(
        f"El archivo es demasiado grande: una grabación puede pesar hasta {formats.MAX_BYTES // (1024 * 1024)} MB.")), 413
