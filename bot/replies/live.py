"""The translations reviewed in the staff pages, as every engine and action server reads them.

Each process keeps the rows of `translations` in memory and, before a reply, checks at most
every CHECK_INTERVAL_S whether the database's version (how many rows `translation_changes`
holds, and its latest) moved; if it did, it reads the rows again. The count, not only the
latest id: on PostgreSQL a change that commits after a later-numbered one still moves it. A text a reviewer
publishes is so served in the next message, by every process, with no restart.

A published text is served only while the Spanish text it was reviewed against is the
source's: each carries the source's hash (`source_hash`). A withdrawn entry serves Spanish.
"""

import hashlib
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Optional, Tuple

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from bot.replies.models import Translation, TranslationChange
from bot.settings import database_url
from bot.storage.database import engine_for

logger = logging.getLogger(__name__)
CHECK_INTERVAL_S = 0.25


def source_hash(spanish: str) -> str:
    """What a translation remembers of the Spanish text it was reviewed against."""
    return hashlib.sha256(spanish.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Entry:
    reviewed: Optional[str]
    source_hash: Optional[str]
    draft: Optional[str]
    withdrawn: bool = False


class LiveReviews:
    """The database's translations of one deployment (`url`: its database, read when first needed)."""

    def __init__(self, url: Callable[[], str] = database_url) -> None:
        self._url = url
        self._entries: Dict[Tuple[str, str], Entry] = {}
        self._version: Optional[Tuple[int, Optional[int]]] = None
        self._checked = float("-inf")
        self._warned = False

    def entry(self, language: str, key: str) -> Optional[Entry]:
        self._refresh()
        return self._entries.get((language, key))

    def text(self, language: str, key: str, spanish: Optional[str], drafts: bool) -> Optional[str]:
        """The published text, if reviewed against `spanish` as it is now; "" for a withdrawn
        entry (Spanish, not the repository's text nor its draft, drafts served or not); else,
        with `drafts`, the draft; else None."""
        found = self.entry(language, key)
        if found is None:
            return None
        if found.reviewed and spanish is not None and found.source_hash == source_hash(spanish):
            return found.reviewed
        if found.withdrawn:
            return ""
        return found.draft if drafts and found.draft else None

    def _refresh(self) -> None:
        now = time.monotonic()
        if now - self._checked < CHECK_INTERVAL_S:
            return
        self._checked = now
        url = self._url()
        parsed = sa.engine.make_url(url)
        if parsed.get_backend_name() == "sqlite" and not (parsed.database and Path(parsed.database).exists()):
            return  # no database yet: the repository's catalogues alone
        try:
            with engine_for(url).connect() as connection:
                version = tuple(connection.execute(sa.select(sa.func.count(TranslationChange.id),
                                                             sa.func.max(TranslationChange.id))).one())
                if version == self._version:
                    return
                rows = connection.execute(sa.select(Translation.language, Translation.key, Translation.reviewed,
                                                    Translation.source_hash, Translation.draft,
                                                    Translation.withdrawn_at.is_not(None)))
                self._entries = {(language, key): Entry(reviewed, hashed, draft, withdrawn)
                                 for language, key, reviewed, hashed, draft, withdrawn in rows}
                self._version = version
        except SQLAlchemyError as error:  # not migrated yet, or unreachable: what was read stays
            if not self._warned:
                logger.warning("Reviewed translations unavailable (%s): serving the repository's catalogues",
                               type(error).__name__)
                self._warned = True
