"""Copies each file a person sent from Twilio into Orienta's database, sealed, so that
staff can still open it once Twilio's copy is deleted (bot/delivery/purge.py waits for
the copy). The file is fetched as staff would fetch it (bot/web/media_fetch.py: only from
the Twilio API's own origin, at most 16 MB). A copy Twilio cannot give now (no answer,
429, 5xx) is tried again a minute later; a link that is not Twilio's, or a file Twilio no
longer has or that is too large, is recorded as having no copy.
"""

import logging
from datetime import datetime, timezone
from typing import Optional

from sqlalchemy.engine import Engine

from bot.storage import media
from bot.storage.crypto import Sealer
from bot.storage.database import session_scope
from bot.web.media_fetch import MediaRefused, fetch

logger = logging.getLogger(__name__)


class MediaCopier:
    """Copies received media of one database from one Twilio account."""

    def __init__(self, engine: Engine, sealer: Sealer, api_url: Optional[str], account_sid: str,
                 auth_token: str) -> None:
        self.engine, self.sealer = engine, sealer
        self._twilio = (api_url, account_sid, auth_token)

    def copy_due(self) -> int:
        """Copies the files waiting for a copy (a few; blocking: run it in a thread);
        returns how many were settled."""
        with session_scope(self.engine) as session:
            due = media.uncopied(session, datetime.now(timezone.utc))
        settled = 0
        for media_id, sealed_url, content_type in due:
            content: Optional[bytes]
            try:
                content = fetch(self.sealer.open(sealed_url), content_type, *self._twilio).content
            except MediaRefused as error:
                if error.transient:
                    logger.warning("A received file could not be copied from Twilio yet (%s).", error)
                    with session_scope(self.engine) as session:
                        media.copy_later(session, media_id, datetime.now(timezone.utc))
                    continue
                logger.warning("A received file has no copy (%s).", error)
                content = None
            with session_scope(self.engine) as session:
                media.store_copy(session, self.sealer, media_id, content, datetime.now(timezone.utc))
            settled += 1
        return settled
