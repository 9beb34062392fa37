"""Recordings in the database: uploaded (pending), reviewed (approved or rejected), replaced
or withdrawn; every step audited. Only an approved recording is ever served or sent.

A recording is reviewed like a translation: by a reviewer of its language
(bot/recordings/reviewers.py) other than the one who uploaded it. Approving one replaces
the recording of the same reply and language approved before.

Only a reply sent as a message of its own that reads the same for everyone is recorded: no
name, place or other value of a person filled into it (its only placeholders are the
national lines', whose numbers are filled in). A recording is uploaded against the text a person reads with it as it is then
(in its language, or the Spanish that language still gets: the numbers filled in, the menu's
options included); it can be approved only while that text stays the same, and goes only
with that text: when the Spanish, a reviewed translation or a line's number changes, it
waits to be recorded again.
"""

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any, List, Optional, Sequence, Tuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.guidance.texts import line_texts
from bot.handoff.models import StaffAudit
from bot.languages import OFFERED_LANGUAGES
from bot.recordings import formats, reviewers
from bot.recordings.models import APPROVED, OUTDATED, PENDING, REJECTED, WITHDRAWN, VoiceRecording
from bot.replies.catalogue import Catalogues
from bot.replies.live import LiveReviews, source_hash
from bot.replies.render import render
from bot.replies.reviews import placeholders
from bot.settings import database_url


class NotAllowed(ValueError):
    """A review step this account may not take, or that no longer applies; the message says why."""


@dataclass(frozen=True)
class Listed:
    """A recording as the staff page lists it (no audio)."""

    id: int
    reply_key: str
    language: str
    content_type: str
    size: int
    status: str
    uploaded_by: Optional[int]
    uploaded_at: datetime


# Replies the actions always send with options or lines of the moment (`choices=`, `parts=`):
# the text a recording would be bound to never goes as it is (tests/test_voice_recordings.py).
SENT_WITH_LINES_OF_THE_MOMENT = frozenset({"utter_which_place", "utter_option_stale", "utter_sources"})


@lru_cache(maxsize=8)
def _catalogues(url: str) -> Catalogues:
    """The texts as served with the database at `url` (its reviews read again as they change)."""
    return Catalogues.load(drafts=False, reviews=LiveReviews(lambda: url))


def recordable(reply_key: str) -> bool:
    """Whether the reply is sent as a message of its own (`utter_…`, not a piece of one) and
    reads the same for everyone: no placeholder but the national lines', no options or lines
    added when it is sent."""
    own = reply_key.startswith("utter_") and reply_key not in SENT_WITH_LINES_OF_THE_MOMENT
    spanish = _catalogues(database_url()).spanish(reply_key) if own else None
    return spanish is not None and placeholders(spanish) <= set(line_texts(lambda key: ""))


def read_with(session: Session, reply_key: str, language: str) -> Optional[str]:
    """The text a person reads now with a recording of the reply in `language`, with the
    translations of the session's database; None for a reply that is not recorded."""
    url = session.get_bind().url.render_as_string(hide_password=False)
    message = render(reply_key, language, _catalogues(url), {}) if recordable(reply_key) else None
    return message["text"] if message else None


def _current(session: Session, reply_key: str, language: str, hashed: Optional[str]) -> bool:
    """Whether a recording approved against the text hashed so still goes with the reply's text."""
    text = read_with(session, reply_key, language)
    return hashed is not None and text is not None and hashed == source_hash(text)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _audit(session: Session, by: int, action: str, recording: VoiceRecording) -> None:
    session.add(StaffAudit(at=_now(), user_id=by, action=action,
                           detail=f"grabación {recording.id}: {recording.reply_key} · {recording.language}"))


def upload(session: Session, reply_keys: Sequence[str], reply_key: str, language: str, data: bytes,
           by: Any) -> VoiceRecording:
    """Stores an upload by account `by` for review; formats.Refused when it is not one to keep."""
    if reply_key not in reply_keys or not recordable(reply_key):
        raise formats.Refused("Esa respuesta no existe en el catálogo, o cambia según la persona y no se graba.")
    if language not in OFFERED_LANGUAGES:
        raise formats.Refused("Ese idioma no está entre los que ofrece Orienta.")
    if not reviewers.may_upload(by, language):
        raise formats.Refused("Solo subes grabaciones del idioma que revisas.")
    audio = formats.checked(data)
    recording = VoiceRecording(reply_key=reply_key, language=language, content_type=audio.content_type, audio=data,
                               size=len(data), sha256=hashlib.sha256(data).hexdigest(), status=PENDING,
                               uploaded_by=by.id, uploaded_at=_now(),
                               source_hash=source_hash(read_with(session, reply_key, language) or ""))
    session.add(recording)
    session.flush()
    _audit(session, by.id, "recording_upload", recording)
    return recording


def review(session: Session, recording_id: int, approve: bool, by: Any) -> VoiceRecording:
    """Approves or rejects a pending recording; NotAllowed unless `by` reviews its language
    and did not upload it."""
    recording = session.get(VoiceRecording, recording_id, with_for_update=True)
    if recording is None or recording.status != PENDING:
        raise NotAllowed("Esa grabación ya no espera revisión.")
    if not reviewers.may_review(by, recording.language):
        raise NotAllowed("Solo una persona que revisa ese idioma puede aprobar o rechazar la grabación.")
    if recording.uploaded_by == by.id:
        raise NotAllowed("Quien subió la grabación no puede revisarla: la revisa otra persona.")
    if approve and not _current(session, recording.reply_key, recording.language, recording.source_hash):
        raise NotAllowed("El texto de esa respuesta cambió desde que se grabó (o ya no se graba): hay que "
                         "grabarla otra vez.")
    if approve:
        session.execute(sa.update(VoiceRecording).where(
            VoiceRecording.reply_key == recording.reply_key, VoiceRecording.language == recording.language,
            VoiceRecording.status == APPROVED).values(status=WITHDRAWN))
    recording.status, recording.reviewed_by, recording.reviewed_at = (APPROVED if approve else REJECTED), by.id, _now()
    _audit(session, by.id, "recording_approve" if approve else "recording_reject", recording)
    return recording


def withdraw(session: Session, recording_id: int, by: Any) -> VoiceRecording:
    """Takes an approved recording out of use (it is sent and served no more)."""
    recording = session.get(VoiceRecording, recording_id, with_for_update=True)
    if recording is None or recording.status != APPROVED:
        raise NotAllowed("Esa grabación no está en uso.")
    if not reviewers.may_review(by, recording.language):
        raise NotAllowed("Solo una persona que revisa ese idioma puede retirar la grabación.")
    recording.status = WITHDRAWN
    _audit(session, by.id, "recording_withdraw", recording)
    return recording


def approved_for(session: Session, reply_key: str, languages: Sequence[str],
                 text: str) -> Optional[Tuple[int, str]]:
    """The approved recording of `reply_key` in the first of `languages` that has one, approved
    against `text` (the message about to go, exactly): its id and content type."""
    rows = session.execute(sa.select(VoiceRecording.id, VoiceRecording.language, VoiceRecording.content_type).where(
        VoiceRecording.reply_key == reply_key, VoiceRecording.language.in_(list(languages)),
        VoiceRecording.status == APPROVED, VoiceRecording.source_hash == source_hash(text))).all()
    by_language = {language: (recording_id, content_type) for recording_id, language, content_type in rows}
    return next((by_language[language] for language in languages if language in by_language), None)


def audio_of(session: Session, recording_id: int, approved_only: bool = True) -> Optional[Tuple[str, bytes]]:
    """A recording's content type and audio: only an approved one unless `approved_only` is off
    (a reviewer listening before deciding)."""
    query = sa.select(VoiceRecording.content_type, VoiceRecording.audio, VoiceRecording.reply_key,
                      VoiceRecording.language, VoiceRecording.source_hash).where(VoiceRecording.id == recording_id)
    if approved_only:
        query = query.where(VoiceRecording.status == APPROVED)
    row = session.execute(query).first()
    if row and approved_only and not _current(session, row.reply_key, row.language, row.source_hash):
        return None
    return (row.content_type, bytes(row.audio)) if row else None


def listing(session: Session) -> List[Listed]:
    """Every recording but its audio, pending first, then newest first; a pending or approved
    one whose text has changed since is listed as OUTDATED."""
    rows = session.execute(sa.select(
        VoiceRecording.id, VoiceRecording.reply_key, VoiceRecording.language, VoiceRecording.content_type,
        VoiceRecording.size, VoiceRecording.status, VoiceRecording.uploaded_by, VoiceRecording.uploaded_at,
        VoiceRecording.source_hash,
    ).order_by((VoiceRecording.status != PENDING), VoiceRecording.uploaded_at.desc(), VoiceRecording.id.desc()))
    listed = [(Listed(*row[:-1]), row[-1]) for row in rows]
    return [replace(item, status=OUTDATED)
            if item.status in (APPROVED, PENDING) and not _current(session, item.reply_key, item.language, hashed)
            else item
            for item, hashed in listed]
