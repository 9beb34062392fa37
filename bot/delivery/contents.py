"""The Content API resources of replies with options, made once for every engine.

A reply's content (bot/channels/whatsapp_options.py) is named by a digest of what it holds.
Its sid is kept in the database (`whatsapp_contents`) and in memory: the same menu in the
same language is created once. The engine that first needs it claims its name in the database and
creates it; while a claim stands, others send the numbered text rather than wait. A claim
whose engine failed or died is taken over after CLAIM_S — looking on Twilio first, in case
that engine made it before dying —, so a Content API that fails is asked again only then. A
reply waits MAKING_WAIT_S at most for its content: the person's next reply may be a danger one.
"""

import asyncio
import logging
from datetime import datetime, timedelta, timezone
from typing import Dict, Tuple

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.channels.twilio_sender import TwilioSender
from bot.channels.whatsapp_options import Content, Menu, content_for
from bot.storage.database import session_scope
from bot.storage.models import WhatsAppContent

logger = logging.getLogger(__name__)
CLAIM_S = 60
MAKING_WAIT_S = 1.0  # the longest a reply waits for its content being made (a danger reply may be next)
NEW, TAKEN_OVER = "new", "taken over"
_CONTENTS = WhatsAppContent.__table__


class Contents:
    """Finds or creates, through `sender`, the content of a body with its options."""

    def __init__(self, engine: Engine, sender: TwilioSender) -> None:
        self.engine, self.sender = engine, sender
        self._known: Dict[str, str] = {}  # friendly_name → sid

    async def sid_for(self, body: str, menu: Menu) -> str:
        """The content's sid; "" when the options do not fit WhatsApp's limits, another
        engine is making it right now, or making it takes longer than MAKING_WAIT_S (it is
        finished meanwhile, for the next reply with these options). Twilio's errors are raised."""
        content = content_for(body, menu)
        if content is None:
            return ""
        name = content.friendly_name
        if name in self._known:
            return self._known[name]
        sid, claim = await asyncio.to_thread(self._claim, name)
        if not claim:
            if sid:
                self._known[name] = sid
            return sid
        making = asyncio.ensure_future(self._make(name, content, look_up=claim == TAKEN_OVER))
        making.add_done_callback(_log_failure)
        try:
            return await asyncio.wait_for(asyncio.shield(making), timeout=MAKING_WAIT_S)
        except asyncio.TimeoutError:
            return ""

    async def _make(self, name: str, content: Content, look_up: bool) -> str:
        """Makes the content (looked up first when an engine that held the claim may have
        made it before it died) and keeps its sid."""
        sid = (await self.sender.find_content(name) if look_up else "") or \
            await self.sender.create_content(content.request())
        if not sid:  # never stored: the claim expires and the content is asked for again
            raise ValueError("Twilio answered a content without its sid")
        await asyncio.to_thread(self._store, name, sid)
        self._known[name] = sid
        return sid

    def forget(self, sid: str) -> None:
        """Drops a content Twilio no longer takes (deleted in the console): made again next time."""
        self._known = {name: known for name, known in self._known.items() if known != sid}
        with session_scope(self.engine) as session:
            session.execute(sa.delete(_CONTENTS).where(_CONTENTS.c.content_sid == sid))

    def _claim(self, name: str) -> Tuple[str, str]:
        """(the stored sid, or "") and the claim this engine now holds to make it: NEW, a
        TAKEN_OVER one (its engine failed or died), or "" for none."""
        now = datetime.now(timezone.utc)
        with session_scope(self.engine) as session:
            row = session.get(WhatsAppContent, name)
            if row is not None:
                if row.content_sid:
                    return row.content_sid, ""
                taken = session.execute(sa.update(_CONTENTS).where(
                    _CONTENTS.c.friendly_name == name, _CONTENTS.c.content_sid.is_(None),
                    _CONTENTS.c.claimed_at < now - timedelta(seconds=CLAIM_S)).values(claimed_at=now)).rowcount
                return "", TAKEN_OVER if taken else ""
        try:
            with session_scope(self.engine) as session:
                session.execute(sa.insert(_CONTENTS).values(friendly_name=name, claimed_at=now))
            return "", NEW
        except IntegrityError:  # another engine claimed it first
            return "", ""

    def _store(self, name: str, sid: str) -> None:
        with session_scope(self.engine) as session:
            session.execute(sa.update(_CONTENTS).where(_CONTENTS.c.friendly_name == name).values(content_sid=sid))


def _log_failure(making: "asyncio.Future[str]") -> None:
    """A content that could not be made (the claim expires; it is asked for again then)."""
    if not making.cancelled() and making.exception() is not None:
        logger.warning("A WhatsApp content was not made (%s).", type(making.exception()).__name__)
