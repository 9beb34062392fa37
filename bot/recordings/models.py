"""The recordings table. A recording is no one's personal data — it is a reply read aloud,
sent to anyone who asks — so its audio is stored as it was uploaded, not sealed."""

import sqlalchemy as sa

from bot.storage.database import Base, UTCDateTime
from bot.web.models import User

PENDING, APPROVED, REJECTED, WITHDRAWN = "pending", "approved", "rejected", "withdrawn"
OUTDATED = "outdated"  # pending or approved, but the text it reads has changed since: not sent (a listing's status only)


class VoiceRecording(Base):
    """One upload of a reply read aloud in one language, and its review."""

    __tablename__ = "voice_recordings"
    __table_args__ = (sa.Index("ix_voice_recordings_reply", "reply_key", "language", "status"),)

    id = sa.Column(sa.Integer, primary_key=True)
    reply_key = sa.Column(sa.String(100), nullable=False)  # the catalogue entry read aloud (utter_danger)
    language = sa.Column(sa.String(16), nullable=False)  # the language spoken (tzh, es…)
    content_type = sa.Column(sa.String(32), nullable=False)  # as read from the audio's first bytes
    audio = sa.Column(sa.LargeBinary, nullable=False)
    size = sa.Column(sa.Integer, nullable=False)
    sha256 = sa.Column(sa.String(64), nullable=False)
    status = sa.Column(sa.String(16), nullable=False, default=PENDING)
    uploaded_by = sa.Column(sa.Integer, sa.ForeignKey(User.id), nullable=True)
    uploaded_at = sa.Column(UTCDateTime, nullable=False)
    reviewed_by = sa.Column(sa.Integer, sa.ForeignKey(User.id, name="fk_voice_recordings_reviewed_by_users"),
                            nullable=True)
    reviewed_at = sa.Column(UTCDateTime, nullable=True)
    # The text a person read with the reply when the recording was uploaded (bot/replies/live.py
    # source_hash; bot/recordings/store.py): once it changes, the recording is neither approved
    # nor sent until one of the new text is, as a translation goes back to review.
    source_hash = sa.Column(sa.String(64), nullable=True)
