"""The staff inbox: the queue of handoffs, a conversation, and what staff can do with it.

Staff see only their observatory's handoffs (others are 404, as if they did not exist);
administrators see all. Transcripts hide personal data until someone reveals it, which is
audited. Replies go to the person through Twilio, on the channel they used; WhatsApp
allows free text only within 24 hours of the person's last message (and once Twilio
refuses a reply for being outside it, only the approved template until they write again).
"""

from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Optional

import sqlalchemy as sa
from flask import (Blueprint, Response, abort, current_app, flash, jsonify, make_response, redirect, render_template,
                   request, session, url_for)
from flask_login import current_user, login_required

from bot.delivery import outbox
from bot.delivery.outbox import Reply
from bot.directory.models import Organisation
from bot.handoff import service
from bot.handoff.models import Handoff, HandoffMessage, StaffAudit
from bot.replies.render import render
from bot.settings import Settings
from bot.statistics.record import handoff_claimed
from bot.storage.contacts import Address, ContactBook
from bot.storage.crypto import Sealer
from bot.storage.database import session_scope
from bot.storage.models import ReceivedMedia
from bot.web import handoff_access as access, media_fetch
from bot.web.labels import CATALOGUES, label, language
from bot.web.transcript import transcript, version

blueprint = Blueprint("inbox", __name__, url_prefix="/inbox")
blueprint.add_app_template_filter(label, "label")
blueprint.add_app_template_filter(language, "language")
WHATSAPP_WINDOW = timedelta(hours=24)
RECENTLY_CLOSED = timedelta(days=7)
CATEGORIES = ("robo", "violencia familiar", "violencia sexual", "desaparición", "extorsión", "fraude",
              "trata de personas", "orientación", "intérprete", "otro")


def _settings() -> Settings:
    return current_app.extensions["orienta_settings"]


def _engine() -> Any:
    return current_app.extensions["orienta_engine"]


def _sealer() -> Sealer:
    return Sealer(_settings().data_keys)


def _audit(db: Any, handoff: Handoff, action: str) -> None:
    db.add(StaffAudit(at=datetime.now(timezone.utc), user_id=current_user.id, action=action,
                      case_ref=handoff.case_ref, handoff_id=handoff.id, sender_id=handoff.sender_id))


def _in_whatsapp_window(db: Any, handoff: Handoff, contact: Address) -> bool:
    """Whether WhatsApp takes free text: within 24 hours of the person's last message, and
    unless Twilio refused a message since for being outside that window (error 63016)."""
    if contact.channel != "whatsapp":
        return True
    return (datetime.now(timezone.utc) - contact.last_message_at < WHATSAPP_WINDOW
            and not outbox.refused_outside_window(db, handoff.sender_id, contact.last_message_at))


def _send(db: Any, handoff: Handoff, contact: Address, body: str = "", content_sid: str = "",
          message_id: Optional[int] = None) -> None:
    """Puts a staff message in the outbox, in the page's transaction: the dialogue
    engines' courier delivers it, retrying while Twilio is away."""
    outbox.enqueue(db, _sealer(), handoff.sender_id, contact, [Reply(body, content_sid=content_sid)], outbox.STAFF,
                   datetime.now(timezone.utc), handoff_message_id=message_id)


def _reply(db: Any, handoff: Handoff, contact: Address, shown: str, body: str = "", content_sid: str = "") -> None:
    """A staff reply: kept in the handoff (as staff read it, `shown`) and put in the outbox
    marked with it, so that the page shows how far it got."""
    message = service.record(db, _sealer(), handoff, "staff", shown, current_user.id)
    db.flush()
    _send(db, handoff, contact, body, content_sid, message.id)
    _audit(db, handoff, "reply")


def _queue_rows(db: Any) -> List[dict]:
    query = sa.select(Handoff).where(Handoff.status.in_(service.OPEN)).order_by(Handoff.created_at)
    if not current_user.is_admin:
        query = query.where(Handoff.observatory_id == current_user.observatory_id)
    now = datetime.now(timezone.utc)
    rows = []
    for handoff in db.scalars(query):
        rows.append({"id": handoff.id, "status": label(handoff.status, "status"),
                     "reason": label(handoff.reason, "reason"),
                     "waiting_minutes": int((now - handoff.created_at).total_seconds() // 60),
                     "mine": handoff.claimed_by == current_user.id,
                     "interpreter": language(handoff.interpreter_language) if handoff.interpreter_language else "",
                     "url": url_for("inbox.conversation", handoff_id=handoff.id)})
    return rows


def _closed_by_me(db: Any) -> List[Handoff]:
    """The handoffs this user held and closed lately: theirs to read again, read-only."""
    since = datetime.now(timezone.utc) - RECENTLY_CLOSED
    return list(db.scalars(sa.select(Handoff).where(
        Handoff.claimed_by == current_user.id, Handoff.status == "closed", Handoff.closed_at >= since)
        .order_by(Handoff.closed_at.desc())))


@blueprint.route("/")
@login_required
def queue() -> str:
    with session_scope(_engine()) as db:
        return render_template("inbox/queue.html", rows=_queue_rows(db), closed=_closed_by_me(db))


@blueprint.route("/queue.json")
@login_required
def queue_json() -> Response:
    """The queue for the page to refresh itself: ids and waiting times, no conversation content."""
    with session_scope(_engine()) as db:
        return jsonify(_queue_rows(db))


def _reveal_key(handoff: Handoff) -> str:
    """What a reveal holds for: this handoff in this custody span. A transfer, a claim or a
    release starts another, so data revealed before it is hidden again (also from the one
    who revealed it, should the handoff come back to them)."""
    return f"{handoff.case_ref}:{handoff.custody}"


def _revealed(handoff: Handoff) -> bool:
    return _reveal_key(handoff) in session.get("revealed", [])


def _deliveries(db: Any, handoff: Handoff) -> Dict[int, str]:
    """How far each staff reply of the handoff got."""
    replies = db.scalars(sa.select(HandoffMessage.id).where(HandoffMessage.handoff_id == handoff.id,
                                                           HandoffMessage.kind == "staff"))
    return outbox.deliveries(db, list(replies))


def _transcript_of(db: Any, handoff: Handoff, span: service.Span) -> dict:
    """What the transcript shows: its lines, whether personal data is revealed, and how
    far each staff reply got."""
    reveal = _revealed(handoff)
    return {"lines": transcript(db, _sealer(), handoff, span, reveal), "reveal": reveal,
            "deliveries": _deliveries(db, handoff)}


@blueprint.route("/<int:handoff_id>")
@login_required
def conversation(handoff_id: int) -> str:
    """A handoff's page. Its transcript is shown only to the staff member who claimed it."""
    with session_scope(_engine()) as db:
        handoff = access.visible(db, handoff_id)
        mine = handoff.claimed_by == current_user.id
        contact = ContactBook(_engine(), _sealer()).find(handoff.sender_id)
        return render_template(
            "inbox/conversation.html", handoff=handoff, mine=mine, categories=CATEGORIES,
            **(_transcript_of(db, handoff, service.span(db, handoff)) if mine else {}),
            can_claim=access.may_claim(handoff), can_transfer=access.may_transfer(handoff),
            channel=contact.channel if contact else "",
            window_open=bool(contact) and _in_whatsapp_window(db, handoff, contact),
            template_available=bool(current_app.config.get("WHATSAPP_TEMPLATE_SID")),
            observatory=db.get(Organisation, handoff.observatory_id).name,
            observatories=[(o.id, o.name) for o in access.transfer_targets(db, handoff)],
        )


@blueprint.route("/<int:handoff_id>/lines")
@login_required
def lines(handoff_id: int) -> Response:
    """The transcript alone, for the page to follow the conversation as it goes; 304 while
    it has not changed since the version the page shows (its ETag): an unchanged
    transcript is neither opened nor redacted again."""
    with session_scope(_engine()) as db:
        handoff = access.held(db, handoff_id)
        span = service.span(db, handoff)
        tag = version(db, handoff, span, _revealed(handoff), sorted(_deliveries(db, handoff).items()))
        if request.if_none_match.contains(tag):
            return Response(status=304)
        shown = _transcript_of(db, handoff, span)
        answer = make_response(render_template("inbox/lines.html", handoff=handoff, **shown))
        answer.set_etag(tag)
        return answer


@blueprint.route("/<int:handoff_id>/claim", methods=["POST"])
@login_required
def claim(handoff_id: int) -> Response:
    """Takes a waiting handoff. Only its observatory's staff take one (administrators oversee
    every queue but read no conversation)."""
    with session_scope(_engine()) as db:
        handoff = access.visible(db, handoff_id)
        if handoff.observatory_id != current_user.observatory_id:
            abort(403)
        # One UPDATE that finds it still waiting, still here and in the custody just read: of
        # simultaneous claims one takes it, and none takes it once transferred or sent to the desk.
        taken = access.may_claim(handoff) and db.execute(
            sa.update(Handoff).where(Handoff.id == handoff.id, Handoff.status == "waiting",
                                     Handoff.observatory_id == current_user.observatory_id,
                                     Handoff.custody == handoff.custody)
            .values(status="active", claimed_by=current_user.id, custody=Handoff.custody + 1)).rowcount == 1
        if taken:
            _audit(db, handoff, "claim")
            handoff_claimed(db, handoff.observatory_id, handoff.waiting_since)
        else:
            db.refresh(handoff)
            if handoff.claimed_by != current_user.id or handoff.status != "active":
                abort(409, "Esta conversación ya la tomó otra persona, pasó a otro observatorio o está cerrada.")
    return redirect(url_for("inbox.conversation", handoff_id=handoff_id, _anchor="newest"))


@blueprint.route("/<int:handoff_id>/reveal", methods=["POST"])
@login_required
def reveal(handoff_id: int) -> Response:
    with session_scope(_engine()) as db:
        handoff = access.held(db, handoff_id)
        key = _reveal_key(handoff)
        _audit(db, handoff, "reveal")
    session["revealed"] = [*session.get("revealed", []), key]
    return redirect(url_for("inbox.conversation", handoff_id=handoff_id, _anchor="newest"))


@blueprint.route("/<int:handoff_id>/hide", methods=["POST"])
@login_required
def hide(handoff_id: int) -> Response:
    """Hides the personal data again."""
    with session_scope(_engine()) as db:
        key = _reveal_key(access.held(db, handoff_id))
    session["revealed"] = [revealed for revealed in session.get("revealed", []) if revealed != key]
    return redirect(url_for("inbox.conversation", handoff_id=handoff_id, _anchor="newest"))


@blueprint.route("/<int:handoff_id>/reply", methods=["POST"])
@login_required
def reply(handoff_id: int) -> Response:
    text = request.form.get("text", "").strip()
    use_template = request.form.get("template") == "1"
    with session_scope(_engine()) as db:
        handoff = access.claimed(db, handoff_id)
        contact = ContactBook(_engine(), _sealer()).find(handoff.sender_id)
        if contact is None or contact.opted_out:
            flash("No se puede escribir a esta persona: borró sus datos o pidió no recibir mensajes.")
        elif use_template and current_app.config.get("WHATSAPP_TEMPLATE_SID"):
            _reply(db, handoff, contact, "[plantilla aprobada de WhatsApp]",
                   content_sid=current_app.config["WHATSAPP_TEMPLATE_SID"])
        elif not _in_whatsapp_window(db, handoff, contact):
            flash("Pasaron más de 24 horas desde su último mensaje: WhatsApp solo permite enviar una plantilla aprobada.")
        elif text:
            _reply(db, handoff, contact, text, body=text)
    return redirect(url_for("inbox.conversation", handoff_id=handoff_id, _anchor="newest"))


@blueprint.route("/<int:handoff_id>/note", methods=["POST"])
@login_required
def note(handoff_id: int) -> Response:
    text = request.form.get("text", "").strip()
    with session_scope(_engine()) as db:
        handoff = access.claimed(db, handoff_id)
        if text:
            service.record(db, _sealer(), handoff, "note", text, current_user.id)
    return redirect(url_for("inbox.conversation", handoff_id=handoff_id))


@blueprint.route("/<int:handoff_id>/category", methods=["POST"])
@login_required
def category(handoff_id: int) -> Response:
    chosen = request.form.get("category", "")
    with session_scope(_engine()) as db:
        handoff = access.claimed(db, handoff_id)
        if chosen in CATEGORIES:
            handoff.category = chosen
    return redirect(url_for("inbox.conversation", handoff_id=handoff_id))


@blueprint.route("/<int:handoff_id>/transfer", methods=["POST"])
@login_required
def transfer(handoff_id: int) -> Response:
    with session_scope(_engine()) as db:
        handoff = access.visible(db, handoff_id)
        if not access.may_transfer(handoff):
            abort(409, "Solo se transfiere una conversación en espera, o la que tienes tú.")
        chosen = request.form.get("observatory_id", type=int)
        target = next((o for o in access.transfer_targets(db, handoff) if o.id == chosen), None)
        if target is None:
            abort(400)
        service.back_to_waiting(handoff, target.id, datetime.now(timezone.utc))
        _audit(db, handoff, "transfer")
        contact = _reachable(db, handoff)
        if contact:  # the person knows who will read them now
            _send(db, handoff, contact, render("utter_handoff_transferred", handoff.language, CATALOGUES,
                                               {"observatory": target.name}, parts=service.about(target))["text"])
        flash(f"Conversación transferida a {target.name}.")
    return redirect(url_for("inbox.queue"))


def _closing_text(db: Any, handoff: Handoff) -> str:
    """What the person is told at the close: the assistant answers again, and — when no reply
    from the team reached them (none written, or every one given up) — that nobody could
    answer this time."""
    replies = db.scalars(sa.select(HandoffMessage.id).where(
        HandoffMessage.handoff_id == handoff.id, HandoffMessage.kind == "staff")).all()
    answered = any(state != "failed" for state in outbox.deliveries(db, replies).values())
    key = "utter_handoff_closed" if answered else "utter_handoff_closed_unanswered"
    return render(key, handoff.language, CATALOGUES, {})["text"]


def _reachable(db: Any, handoff: Handoff) -> Optional[Address]:
    """The person's contact, if free text can reach them now."""
    contact = ContactBook(_engine(), _sealer()).find(handoff.sender_id)
    return contact if contact and not contact.opted_out and _in_whatsapp_window(db, handoff, contact) else None


@blueprint.route("/<int:handoff_id>/close", methods=["GET"])
@login_required
def confirm_close(handoff_id: int) -> str:
    """Asks before closing, showing what the person will be told."""
    with session_scope(_engine()) as db:
        handoff = access.claimed(db, handoff_id)
        closing = _closing_text(db, handoff) if _reachable(db, handoff) else ""
        return render_template("inbox/close.html", handoff=handoff, closing=closing)


@blueprint.route("/<int:handoff_id>/close", methods=["POST"])
@login_required
def close(handoff_id: int) -> Response:
    with session_scope(_engine()) as db:
        handoff = access.claimed(db, handoff_id)
        contact = _reachable(db, handoff)
        if contact:
            _send(db, handoff, contact, _closing_text(db, handoff))
        handoff.status, handoff.closed_at = "closed", datetime.now(timezone.utc)
        _audit(db, handoff, "close")
        flash("Conversación cerrada: el asistente vuelve a responder.")
    return redirect(url_for("inbox.queue"))


@blueprint.route("/<int:handoff_id>/media/<int:media_id>")
@login_required
def media(handoff_id: int, media_id: int) -> Response:
    """A voice note or photo, for the staff member who holds the conversation only."""
    with session_scope(_engine()) as db:
        handoff = access.held(db, handoff_id)
        item = db.get(ReceivedMedia, media_id)
        if item is None or item.sender_id != handoff.sender_id or not service.span(db, handoff).contains(
                item.received_at):
            abort(404)
        url, content_type = _sealer().open(item.sealed_url), item.content_type
        copy, copied = item.sealed_content, item.copied_at is not None
        _audit(db, handoff, "media")
    if copy is not None:  # Twilio's copy is deleted once Orienta holds its own
        return Response(_sealer().open_bytes(copy), headers=media_fetch.served_headers(content_type))
    if copied:  # Twilio had nothing that could be kept
        abort(502)
    settings = _settings()
    try:
        found = media_fetch.fetch(url, content_type, settings.twilio_api_url, settings.twilio_account_sid,
                                  settings.twilio_auth_token)
    except media_fetch.MediaRefused:
        abort(502)
    return Response(found.content, headers=found.headers)
