"""The Content API resources of replies with options, made once for every engine.

A reply's content (bot/channels/whatsapp_options.py) is named by a digest of what it holds.
Its sid is kept in the database (`whatsapp_contents`) and in memory: the same menu in the
same language is created once. The engine that first needs it claims its name in the database
and looks for it on Twilio (an engine that died after creating it) before creating it; while a
claim stands, others send the numbered text rather than wait. A claim whose engine failed or
died is taken over after CLAIM_S, so a Content API that fails is asked again only then.
"""

import asyncio
import logging
from datetime import datetime, timedelta, timezone
from typing import Dict, Tuple

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.channels.twilio_sender import TwilioSender
from bot.channels.whatsapp_options import Menu, content_for
from bot.storage.database import session_scope
from bot.storage.models import WhatsAppContent

logger = logging.getLogger(__name__)
CLAIM_S = 60
_CONTENTS = WhatsAppContent.__table__


class Contents:
    """Finds or creates, through `sender`, the content of a body with its options."""

    def __init__(self, engine: Engine, sender: TwilioSender) -> None:
        self.engine, self.sender = engine, sender
        self._known: Dict[str, str] = {}  # friendly_name → sid

    async def sid_for(self, body: str, menu: Menu) -> str:
        """The content's sid; "" when the options do not fit WhatsApp's limits or another
        engine is making it right now. Twilio's errors are raised."""
        content = content_for(body, menu)
        if content is None:
            return ""
        name = content.friendly_name
        if name in self._known:
            return self._known[name]
        sid, claimed = await asyncio.to_thread(self._claim, name)
        if claimed:
            sid = await self.sender.find_content(name) or await self.sender.create_content(content.request())
            await asyncio.to_thread(self._store, name, sid)
        if sid:
            self._known[name] = sid
        return sid

    def forget(self, sid: str) -> None:
        """Drops a content Twilio no longer takes (deleted in the console): made again next time."""
        self._known = {name: known for name, known in self._known.items() if known != sid}
        with session_scope(self.engine) as session:
            session.execute(sa.delete(_CONTENTS).where(_CONTENTS.c.content_sid == sid))

    def _claim(self, name: str) -> Tuple[str, bool]:
        """(the stored sid, or "") and whether this engine now holds the claim to make it."""
        now = datetime.now(timezone.utc)
        with session_scope(self.engine) as session:
            row = session.get(WhatsAppContent, name)
            if row is not None:
                if row.content_sid:
                    return row.content_sid, False
                taken = session.execute(sa.update(_CONTENTS).where(
                    _CONTENTS.c.friendly_name == name, _CONTENTS.c.content_sid.is_(None),
                    _CONTENTS.c.claimed_at < now - timedelta(seconds=CLAIM_S)).values(claimed_at=now)).rowcount
                return "", bool(taken)
        try:
            with session_scope(self.engine) as session:
                session.execute(sa.insert(_CONTENTS).values(friendly_name=name, claimed_at=now))
            return "", True
        except IntegrityError:  # another engine claimed it first
            return "", False

    def _store(self, name: str, sid: str) -> None:
        with session_scope(self.engine) as session:
            session.execute(sa.update(_CONTENTS).where(_CONTENTS.c.friendly_name == name).values(content_sid=sid))
