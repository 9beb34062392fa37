"""The recording that goes after a reply, for a person who asked for audio: the approved
recording of that reply in the conversation's language, else in the language the text was
served in (a Tseltal recording after a reply whose text is still in Spanish), as a signed link."""

import logging
from typing import Optional, Sequence

from sqlalchemy.engine import Engine

from bot.recordings import store
from bot.recordings.links import Links
from bot.settings import MissingSetting, Settings
from bot.storage.database import engine_for, session_scope

logger = logging.getLogger(__name__)


class Recordings:
    """Approved recordings, read from the database at each reply (one approved a moment ago
    goes with the next message)."""

    def __init__(self, engine: Engine, links: Links) -> None:
        self.engine, self.links = engine, links

    @classmethod
    def from_env(cls) -> Optional["Recordings"]:
        """The deployment's recordings; None where Twilio cannot be configured (no recordings are sent)."""
        try:
            settings = Settings.from_env()
        except MissingSetting:
            return None
        return cls(engine_for(settings.database_url), Links.for_settings(settings))

    def link_for(self, reply_key: str, languages: Sequence[str], text: str) -> Optional[str]:
        """A fresh link to the approved recording of `reply_key` in the first of `languages`
        that has one approved against `text`, the message going; None when there is none or it
        cannot be read now (the text goes alone)."""
        try:
            with session_scope(self.engine) as session:
                found = store.approved_for(session, reply_key, list(dict.fromkeys(languages)), text)
        except Exception as error:  # the database is away: the reply still goes, without its audio
            logger.warning("Recordings could not be read (%s).", type(error).__name__)
            return None
        return self.links.url(*found) if found else None
