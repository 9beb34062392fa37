"""Recordings in the database: uploaded (pending), reviewed (approved or rejected), replaced
or withdrawn; every step audited. Only an approved recording is ever served or sent.

A recording is reviewed like a translation: by a reviewer of its language
(bot/recordings/reviewers.py) other than the one who uploaded it. Approving one replaces
the recording of the same reply and language approved before. It is approved against the
reply's Spanish text as it is then, and sent only while that text stays the same.
"""

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any, Dict, List, Optional, Sequence, Tuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.handoff.models import StaffAudit
from bot.languages import OFFERED_LANGUAGES
from bot.recordings import formats, reviewers
from bot.recordings.models import APPROVED, OUTDATED, PENDING, REJECTED, WITHDRAWN, VoiceRecording
from bot.replies.catalogue_tools import source_entries
from bot.replies.live import source_hash


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


@lru_cache(maxsize=1)
def spanish_hashes() -> Dict[str, str]:
    """Each reply's Spanish text as this process serves it, hashed (it changes with a release)."""
    return {key: source_hash(text) for key, text in source_entries().items()}


def _of_current_spanish(reply_key: str, hashed: Optional[str]) -> bool:
    """Whether a recording approved against the Spanish hashed so still reads the reply's text."""
    return hashed is not None and hashed == spanish_hashes().get(reply_key)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _audit(session: Session, by: int, action: str, recording: VoiceRecording) -> None:
    session.add(StaffAudit(at=_now(), user_id=by, action=action,
                           detail=f"grabación {recording.id}: {recording.reply_key} · {recording.language}"))


def upload(session: Session, reply_keys: Sequence[str], reply_key: str, language: str, data: bytes,
           by: Any) -> VoiceRecording:
    """Stores an upload by account `by` for review; formats.Refused when it is not one to keep."""
    if reply_key not in reply_keys:
        raise formats.Refused("Esa respuesta no existe en el catálogo.")
    if language not in OFFERED_LANGUAGES:
        raise formats.Refused("Ese idioma no está entre los que ofrece Orienta.")
    if not reviewers.may_upload(by, language):
        raise formats.Refused("Solo subes grabaciones del idioma que revisas.")
    audio = formats.checked(data)
    recording = VoiceRecording(reply_key=reply_key, language=language, content_type=audio.content_type, audio=data,
                               size=len(data), sha256=hashlib.sha256(data).hexdigest(), status=PENDING,
                               uploaded_by=by.id, uploaded_at=_now())
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
    if approve:
        session.execute(sa.update(VoiceRecording).where(
            VoiceRecording.reply_key == recording.reply_key, VoiceRecording.language == recording.language,
            VoiceRecording.status == APPROVED).values(status=WITHDRAWN))
    recording.status, recording.reviewed_by, recording.reviewed_at = (APPROVED if approve else REJECTED), by.id, _now()
    recording.source_hash = spanish_hashes().get(recording.reply_key) if approve else None
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


def approved_for(session: Session, reply_key: str, languages: Sequence[str]) -> Optional[Tuple[int, str]]:
    """The approved recording of `reply_key` in the first of `languages` that has one, of
    the Spanish text as it is now: its id and content type."""
    current = spanish_hashes().get(reply_key)
    if current is None:  # (compared with None, the query would take the recordings approved before any hash)
        return None
    rows = session.execute(sa.select(VoiceRecording.id, VoiceRecording.language, VoiceRecording.content_type).where(
        VoiceRecording.reply_key == reply_key, VoiceRecording.language.in_(list(languages)),
        VoiceRecording.status == APPROVED, VoiceRecording.source_hash == current)).all()
    by_language = {language: (recording_id, content_type) for recording_id, language, content_type in rows}
    return next((by_language[language] for language in languages if language in by_language), None)


def audio_of(session: Session, recording_id: int, approved_only: bool = True) -> Optional[Tuple[str, bytes]]:
    """A recording's content type and audio: only an approved one unless `approved_only` is off
    (a reviewer listening before deciding)."""
    query = sa.select(VoiceRecording.content_type, VoiceRecording.audio, VoiceRecording.reply_key,
                      VoiceRecording.source_hash).where(VoiceRecording.id == recording_id)
    if approved_only:
        query = query.where(VoiceRecording.status == APPROVED)
    row = session.execute(query).first()
    if row and approved_only and not _of_current_spanish(row.reply_key, row.source_hash):
        return None
    return (row.content_type, bytes(row.audio)) if row else None


def listing(session: Session) -> List[Listed]:
    """Every recording but its audio, pending first, then newest first; an approved one whose
    Spanish has changed since is listed as OUTDATED."""
    rows = session.execute(sa.select(
        VoiceRecording.id, VoiceRecording.reply_key, VoiceRecording.language, VoiceRecording.content_type,
        VoiceRecording.size, VoiceRecording.status, VoiceRecording.uploaded_by, VoiceRecording.uploaded_at,
        VoiceRecording.source_hash,
    ).order_by((VoiceRecording.status != PENDING), VoiceRecording.uploaded_at.desc(), VoiceRecording.id.desc()))
    listed = [(Listed(*row[:-1]), row[-1]) for row in rows]
    return [replace(item, status=OUTDATED)
            if item.status == APPROVED and not _of_current_spanish(item.reply_key, hashed) else item
            for item, hashed in listed]
