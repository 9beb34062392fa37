"""SQL tracker store that can erase a whole conversation at the sender's request.

Rasa's SQLTrackerStore appends the tracker's new events on every save, so rows deleted
during a turn would be written back when the turn is saved. Erasure therefore happens
here, in `save`: when the turn set the `erasure_requested` slot (the quick exit), every
stored event of that sender is deleted, with everything Orienta's own tables hold about
it (contacts, media, message ids), in one transaction; nothing of the turn is written.
"""

import logging
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

from bot.storage.erasure import erase_sender

logger = logging.getLogger(__name__)

ERASURE_SLOT = "erasure_requested"


class ErasableSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore whose conversations can be wiped by the conversation itself."""

    async def save(self, tracker: DialogueStateTracker) -> None:
        if tracker.get_slot(ERASURE_SLOT):
            await self.erase(tracker.sender_id)
            return
        await super().save(tracker)

    async def erase(self, sender_id: str) -> None:
        """Deletes every stored event and record of one conversation."""
        with self.session_scope() as session:
            deleted = (
                session.query(self.SQLEvent)
                .filter(self.SQLEvent.sender_id == sender_id)
                .delete(synchronize_session=False)
            )
            deleted += erase_sender(session, sender_id)
            session.commit()
        logger.info("Erased a conversation at its sender's request (%d rows).", deleted)
