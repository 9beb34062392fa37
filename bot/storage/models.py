"""Tables for the messaging channels. Personal data is stored sealed (see crypto.py)."""

import sqlalchemy as sa

from bot.storage.database import Base, UTCDateTime


class Contact(Base):
    """How to answer a conversation: the only place a phone number is kept, sealed."""

    __tablename__ = "contacts"

    sender_id = sa.Column(sa.String(64), primary_key=True)
    sealed_address = sa.Column(sa.Text, nullable=False)
    our_address = sa.Column(sa.String(64), nullable=False)
    channel = sa.Column(sa.String(16), nullable=False)
    opted_out = sa.Column(sa.Boolean, nullable=False, default=False)
    last_message_at = sa.Column(UTCDateTime, nullable=False)


class ProcessedMessage(Base):
    """Twilio message ids already taken in, so a retried webhook is not a second turn."""

    __tablename__ = "processed_messages"

    message_sid = sa.Column(sa.String(64), primary_key=True)
    sender_id = sa.Column(sa.String(64), nullable=False, index=True)
    received_at = sa.Column(UTCDateTime, nullable=False)
    answered_at = sa.Column(UTCDateTime, nullable=True)  # null while its turn runs


class ReceivedMedia(Base):
    """Voice notes and photos a person sent, for the staff member who takes the conversation."""

    __tablename__ = "received_media"

    id = sa.Column(sa.Integer, primary_key=True)
    sender_id = sa.Column(sa.String(64), nullable=False, index=True)
    message_sid = sa.Column(sa.String(64), nullable=False)
    content_type = sa.Column(sa.String(128), nullable=False)
    sealed_url = sa.Column(sa.Text, nullable=False)
    received_at = sa.Column(UTCDateTime, nullable=False)
