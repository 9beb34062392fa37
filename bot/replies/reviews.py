"""Changes to the translations kept in the database (bot/replies/models.py): a draft saved, a
text published by a reviewer of its language, a published text withdrawn (Spanish is served
instead, until a text is published again). Each is one transaction with its row in
`translation_changes` (which moves the version every engine checks) and in the staff audit.

A text keeps the placeholders of its Spanish source (`{observatory}`, `{line_women}`): they
are filled in when the reply is sent, never translated. A published text also keeps the
Spanish's numbers and words in capitals (`check_published`).
"""

import re
import string
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Dict, List, Optional, Set, Tuple

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.handoff.models import StaffAudit
from bot.replies.live import source_hash
from bot.replies.models import Translation, TranslationChange
from bot.storage.database import session_scope
from bot.web.models import User
from bot.web.reviewers import REVIEWABLE, can_review

MAX_TEXT = 1600  # one WhatsApp message


def placeholders(text: str) -> frozenset:
    """The `{placeholders}` of a text as written, format and conversion included (`{n: }`
    is not `{n}`: it would fail when filled); ValueError (in Spanish) when its braces do not
    parse."""
    try:
        return frozenset(name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
                         for _, name, spec, conversion in string.Formatter().parse(text) if name is not None)
    except ValueError:
        raise ValueError("las llaves { } no cierran: escribe los marcadores como en el español") from None


def check_text(text: str, spanish: str) -> str:
    """The text as stored; ValueError (in Spanish) unless it keeps the source's placeholders."""
    text = text.replace("\r\n", "\n").strip()
    if not text:
        raise ValueError("el texto está vacío")
    if len(text) > MAX_TEXT:
        raise ValueError(f"el texto pasa de {MAX_TEXT} caracteres (un mensaje de WhatsApp)")
    expected, found = placeholders(spanish), placeholders(text)
    if found != expected:
        missing, extra = sorted(expected - found), sorted(found - expected)
        detail = "; ".join(filter(None, (missing and "faltan " + ", ".join(f"{{{n}}}" for n in missing),
                                         extra and "sobran " + ", ".join(f"{{{n}}}" for n in extra))))
        raise ValueError(f"los marcadores deben quedar como en el español ({detail})")
    return text


# What a published text keeps exactly as its Spanish says it: every number (911, 079,
# 800 911 2000, an article, "escribe 0"), spaces inside a number aside, and every word in
# capitals (what people type, SALIR, MENÚ, SIN AUDIO; names, CURP, INALI): the assistant
# reads what people type in Spanish, and a number changed or added could send someone
# to a wrong line.
NUMBER = re.compile(r"\d+(?:[ .-]\d+)*")
CAPITALS = re.compile(r"\b[A-ZÁÉÍÓÚÜÑ]{2,}\b")


def kept(spanish: str, text: str) -> Dict[str, Tuple[List[str], List[str]]]:
    """What the text loses or adds of the Spanish's numbers and words in capitals, by name."""
    def numbers(of: str) -> Set[str]:
        return {re.sub(r"\D", "", number) for number in NUMBER.findall(of)}

    changes = {}
    for name, found in (("números", numbers), ("palabras en mayúsculas", lambda of: set(CAPITALS.findall(of)))):
        expected, given = found(spanish), found(text)
        if expected != given:
            changes[name] = (sorted(expected - given), sorted(given - expected))
    return changes


def check_published(text: str, spanish: str) -> str:
    """`check_text`, and the Spanish's numbers and words in capitals kept, none added."""
    text = check_text(text, spanish)
    for name, (missing, extra) in kept(spanish, text).items():
        detail = "; ".join(filter(None, (missing and "faltan " + ", ".join(missing),
                                         extra and "sobran " + ", ".join(extra))))
        raise ValueError(f"los {name} deben quedar como en el español ({detail})")
    return text


@dataclass(frozen=True)
class Row:
    """One entry as the review page shows it."""

    key: str
    spanish: str
    draft: str
    served: str  # the text served now (published here or in the repository's catalogue), or ""
    status: str  # untranslated, draft, repository, reviewed, stale, withdrawn
    reviewed_by: str
    reviewed_at: str
    variant: str


def rows(db: Session, language: str, source: Dict[str, str],
         repository: Callable[[str], Optional[str]] = lambda key: None) -> List[Row]:
    """Every source entry in `language`, in the source's order; `repository(key)`: the
    repository catalogue's text, served when the database has none (Catalogues)."""
    reviewer = sa.orm.aliased(User)
    found = {t.key: (t, name) for t, name in db.execute(
        sa.select(Translation, reviewer.username).outerjoin(reviewer, reviewer.id == Translation.reviewed_by)
        .where(Translation.language == language))}
    result = []
    for key, spanish in source.items():
        translation, name = found.get(key, (None, None))
        current = bool(translation and translation.reviewed and translation.source_hash == source_hash(spanish))
        withdrawn = bool(translation and translation.withdrawn_at)
        in_repository = "" if current or withdrawn else (repository(key) or "")
        status = ("reviewed" if current else "withdrawn" if withdrawn
                  else "stale" if translation and translation.reviewed else "repository" if in_repository
                  else "draft" if translation and translation.draft else "untranslated")
        result.append(Row(key, spanish, (translation.draft or "") if translation else "",
                          translation.reviewed if current else in_repository, status, name if current else "",
                          translation.reviewed_at.strftime("%Y-%m-%d %H:%M") if current else "",
                          (translation.variant or "") if current else ""))
    return result


def _entry(session: Session, language: str, key: str) -> Translation:
    found = session.scalar(sa.select(Translation).where(Translation.language == language, Translation.key == key))
    if found is None:
        found = Translation(language=language, key=key)
        session.add(found)
    return found


def _record(session: Session, by: Optional[int], language: str, key: str, action: str, text: str,
            variant: Optional[str] = None) -> None:
    now = datetime.now(timezone.utc)
    session.add(TranslationChange(at=now, user_id=by, language=language, key=key, action=action, text=text,
                                  variant=variant))
    session.add(StaffAudit(at=now, user_id=by, action=f"translation_{action}",
                           detail=f"{language} · {key}"[:StaffAudit.detail.type.length]))


def _check(language: str, key: str, source: Dict[str, str]) -> str:
    if language not in REVIEWABLE:
        raise ValueError("ese idioma no se traduce aquí")
    if key not in source:
        raise ValueError("no existe esa entrada en el catálogo español")
    return source[key]


def save_draft(engine: Engine, language: str, key: str, text: str, source: Dict[str, str],
               by: Optional[int] = None) -> None:
    """A draft of the entry (never served as reviewed); `by` is None from the command line."""
    text = check_text(text, _check(language, key, source))
    with session_scope(engine) as session:
        entry = _entry(session, language, key)
        entry.draft, entry.drafted_by, entry.drafted_at = text, by, datetime.now(timezone.utc)
        _record(session, by, language, key, "draft", text)


def publish(engine: Engine, language: str, key: str, text: str, source: Dict[str, str], by: int,
            action: str = "publish") -> None:
    """The reviewer `by` publishes the text: served from the next message on, while the Spanish
    stays as it is now. PermissionError unless they review `language`."""
    spanish = _check(language, key, source)
    text = check_published(text, spanish)
    with session_scope(engine) as session:
        reviewer = session.get(User, by)
        if reviewer is None or not can_review(reviewer, language):
            raise PermissionError("solo una persona que revisa este idioma puede publicar")
        entry = _entry(session, language, key)
        entry.reviewed, entry.source_hash, entry.variant = text, source_hash(spanish), reviewer.review_variant
        entry.reviewed_by, entry.reviewed_at = reviewer.id, datetime.now(timezone.utc)
        entry.draft, entry.withdrawn_at = text, None
        _record(session, by, language, key, action, text, reviewer.review_variant)


def withdraw(engine: Engine, language: str, key: str, source: Dict[str, str], served: Optional[str],
             by: Optional[int] = None) -> None:
    """Spanish is served for the entry from the next message on, in place of `served` (published
    here or in the repository's catalogue), until a text is published again; the text stays as
    the draft, unless a draft was being worked on. `by`: a reviewer of `language`
    (PermissionError otherwise), or None from the command line."""
    _check(language, key, source)
    with session_scope(engine) as session:
        if by is not None and not can_review(session.get(User, by), language):
            raise PermissionError("solo una persona que revisa este idioma puede retirar un texto")
        entry = _entry(session, language, key)
        entry.draft = entry.draft or entry.reviewed or served
        entry.reviewed = entry.source_hash = entry.variant = entry.reviewed_by = entry.reviewed_at = None
        entry.withdrawn_at = datetime.now(timezone.utc)
        _record(session, by, language, key, "withdraw", entry.draft)
