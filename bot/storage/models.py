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
    __table_args__ = (sa.Index("ix_processed_messages_unanswered", "answered_at", "received_at"),)  # the sweep

    message_sid = sa.Column(sa.String(64), primary_key=True)
    sender_id = sa.Column(sa.String(64), nullable=False, index=True)
    received_at = sa.Column(UTCDateTime, nullable=False)
    answered_at = sa.Column(UTCDateTime, nullable=True)  # null while its turn runs
    # The message itself, sealed, until its turn is answered: a turn cut off by a fault is
    # run again from it (bot/channels/recovery.py). Cleared when answered.
    sealed_message = sa.Column(sa.Text, nullable=True)
    attempts = sa.Column(sa.Integer, nullable=False, default=0, server_default="0")
    # When its Twilio record went to the deletion queue (bot/delivery/purge.py).
    purge_queued_at = sa.Column(UTCDateTime, nullable=True, index=True)


class ReceivedMedia(Base):
    """Voice notes and photos a person sent, for the staff member who takes the conversation."""

    __tablename__ = "received_media"

    id = sa.Column(sa.Integer, primary_key=True)
    sender_id = sa.Column(sa.String(64), nullable=False, index=True)
    message_sid = sa.Column(sa.String(64), nullable=False)
    content_type = sa.Column(sa.String(128), nullable=False)
    sealed_url = sa.Column(sa.Text, nullable=False)
    received_at = sa.Column(UTCDateTime, nullable=False)
    # The file itself, sealed, copied from Twilio before Twilio's copy is deleted; copied_at
    # set with no content: Twilio had nothing that could be kept. copy_after: a failed
    # copy's next try.
    sealed_content = sa.Column(sa.Text, nullable=True)
    copied_at = sa.Column(UTCDateTime, nullable=True)
    copy_after = sa.Column(UTCDateTime, nullable=True)


class OutgoingMessage(Base):
    """A reply waiting to be delivered, or delivered: the outbox (bot/delivery/). The
    address and content are sealed, and cleared once sent or given up (a danger reply on
    WhatsApp: once Twilio reports whether it was delivered). An SMS alert to staff, once sent,
    has a row too: its Twilio id and status, nothing else (bot/delivery/statuses.py)."""

    __tablename__ = "outbox"
    __table_args__ = (sa.Index("ix_outbox_pending", "sent_at", "failed_at", "next_attempt_at"),)

    id = sa.Column(sa.Integer, primary_key=True)
    sender_id = sa.Column(sa.String(64), nullable=False, index=True)
    origin = sa.Column(sa.String(16), nullable=False)  # "assistant", "staff" or "staff_alert"
    channel = sa.Column(sa.String(16), nullable=False)
    our_address = sa.Column(sa.String(64), nullable=False)
    sealed_to = sa.Column(sa.Text, nullable=True)
    sealed_body = sa.Column(sa.Text, nullable=True)
    sealed_media_url = sa.Column(sa.Text, nullable=True)
    content_sid = sa.Column(sa.String(64), nullable=True)  # an approved WhatsApp template
    # A reply's options, for WhatsApp's buttons or list (bot/channels/whatsapp_options.py).
    sealed_options = sa.Column(sa.Text, nullable=True)
    # A danger reply (SMS if WhatsApp fails), until it is sent or, held, Twilio reports on it.
    urgent = sa.Column(sa.Boolean, nullable=False, default=False, index=True)
    created_at = sa.Column(UTCDateTime, nullable=False)
    attempts = sa.Column(sa.Integer, nullable=False, default=0)
    next_attempt_at = sa.Column(UTCDateTime, nullable=False)
    leased_until = sa.Column(UTCDateTime, nullable=True)  # a process is sending it until then
    sent_at = sa.Column(UTCDateTime, nullable=True)
    failed_at = sa.Column(UTCDateTime, nullable=True)  # given up after every retry
    last_error = sa.Column(sa.String(64), nullable=True)  # the error's kind, never its text
    # The staff reply (a handoff message) the row delivers: its mark in the inbox. No foreign
    # key: both go when the conversation is erased.
    handoff_message_id = sa.Column(sa.Integer, nullable=True, index=True)
    # What Twilio said of the message (bot/delivery/statuses.py): its id, from the send, and
    # the furthest status its callbacks reported, with Twilio's error code. No content.
    twilio_sid = sa.Column(sa.String(64), nullable=True, index=True)
    delivery_status = sa.Column(sa.String(16), nullable=True)
    error_code = sa.Column(sa.Integer, nullable=True)
    # A danger reply WhatsApp did not deliver: "sent" again by SMS.
    sms_fallback = sa.Column(sa.String(16), nullable=True)
    status_asked_at = sa.Column(UTCDateTime, nullable=True)  # a held one's report was late: Twilio asked then
    # The person's Twilio message this reply answers: that message's record is deleted from
    # Twilio only once its replies are done (bot/delivery/purge.py).
    reply_to = sa.Column(sa.String(64), nullable=True, index=True)
    purge_queued_at = sa.Column(UTCDateTime, nullable=True, index=True)  # its Twilio message queued for deletion


class EarlyStatus(Base):
    """A status callback for a Twilio message id no outbox row has yet: Twilio can call
    back before its answer to the send is stored. Applied once the row has the id
    (bot/delivery/statuses.py), forgotten after statuses.EARLY_KEEP. No content."""

    __tablename__ = "early_statuses"

    id = sa.Column(sa.Integer, primary_key=True)
    twilio_sid = sa.Column(sa.String(64), nullable=False, index=True)
    delivery_status = sa.Column(sa.String(16), nullable=False)
    error_code = sa.Column(sa.Integer, nullable=True)
    received_at = sa.Column(UTCDateTime, nullable=False)


class MessageTombstone(Base):
    """A Twilio message id of an erased conversation, kept only as a keyed digest, so
    that a replayed request cannot bring the erased message back."""

    __tablename__ = "message_tombstones"

    digest = sa.Column(sa.String(64), primary_key=True)
    erased_at = sa.Column(UTCDateTime, nullable=False)


class TwilioDeletion(Base):
    """A Twilio message record (with its media) to delete from Twilio's API, retried until
    Twilio has deleted it (bot/delivery/purge.py). Its id is sealed: nothing here says
    whose message it was."""

    __tablename__ = "twilio_deletions"
    __table_args__ = (sa.Index("ix_twilio_deletions_due", "next_attempt_at"),)

    id = sa.Column(sa.Integer, primary_key=True)
    sealed_sid = sa.Column(sa.Text, nullable=False)
    created_at = sa.Column(UTCDateTime, nullable=False)
    attempts = sa.Column(sa.Integer, nullable=False, default=0)
    next_attempt_at = sa.Column(UTCDateTime, nullable=False)
    leased_until = sa.Column(UTCDateTime, nullable=True)
    last_error = sa.Column(sa.String(64), nullable=True)  # the error's kind, never its text


class WhatsAppContent(Base):
    """A Twilio Content resource made for a reply's options, by its friendly_name (a digest
    of its content: bot/channels/whatsapp_options.py), shared by every engine. A row without
    a sid is a claim: one engine is creating it (bot/delivery/contents.py). The content holds
    the assistant's own reply text, the same for everyone who gets it: nothing of a person."""

    __tablename__ = "whatsapp_contents"

    friendly_name = sa.Column(sa.String(64), primary_key=True)
    content_sid = sa.Column(sa.String(64), nullable=True)
    claimed_at = sa.Column(UTCDateTime, nullable=False)
