"""Handoffs and what is said during them (text sealed, like every personal datum)."""

import secrets

import sqlalchemy as sa

from bot.directory.models import Organisation
from bot.storage.database import Base, UTCDateTime
from bot.web.models import User

STATUSES = ("waiting", "active", "closed")
REASONS = ("asked", "misunderstood", "danger", "media", "interpreter")


def new_case_ref() -> str:
    """A handoff's reference in the staff audit: random, so it says nothing of the person."""
    return secrets.token_hex(8)


class Handoff(Base):
    __tablename__ = "handoffs"
    __table_args__ = {"sqlite_autoincrement": True}  # an id is never given again, erasures included

    id = sa.Column(sa.Integer, primary_key=True)
    case_ref = sa.Column(sa.String(32), nullable=False, default=new_case_ref)
    sender_id = sa.Column(sa.String(64), nullable=False, index=True)
    observatory_id = sa.Column(sa.Integer, sa.ForeignKey(Organisation.id), nullable=False, index=True)
    status = sa.Column(sa.String(16), nullable=False, index=True)
    reason = sa.Column(sa.String(32), nullable=False)
    language = sa.Column(sa.String(16), nullable=False)  # the conversation's language
    interpreter_language = sa.Column(sa.String(16), nullable=True)
    category = sa.Column(sa.String(64), nullable=True)
    created_at = sa.Column(UTCDateTime, nullable=False)
    claimed_by = sa.Column(sa.Integer, sa.ForeignKey(User.id), nullable=True)
    closed_at = sa.Column(UTCDateTime, nullable=True)
    # The observatory whose staff were told it waits (bot/handoff/escalation.py): a transfer's new one is told too.
    alerted_observatory_id = sa.Column(sa.Integer, sa.ForeignKey(
        Organisation.id, name="fk_handoffs_alerted_observatory_id_organisations"), nullable=True)
    escalated_at = sa.Column(UTCDateTime, nullable=True)  # still unclaimed after the limit: told the lines
    # Since when it waits at its observatory: set when it starts, is transferred, escalated or released.
    waiting_since = sa.Column(UTCDateTime, nullable=True)
    # Moves on whenever the handoff changes hands (claim, transfer, escalation, release): what a
    # staff member revealed holds only within the custody span they revealed it in.
    custody = sa.Column(sa.Integer, nullable=False, default=0, server_default="0")


class HandoffMessage(Base):
    """A message during a handoff: from the person, from staff, or a staff-only note."""

    __tablename__ = "handoff_messages"

    id = sa.Column(sa.Integer, primary_key=True)
    handoff_id = sa.Column(sa.Integer, sa.ForeignKey(Handoff.id), nullable=False, index=True)
    sender_id = sa.Column(sa.String(64), nullable=False, index=True)
    kind = sa.Column(sa.String(16), nullable=False)  # person, staff, note
    author_id = sa.Column(sa.Integer, sa.ForeignKey(User.id), nullable=True)
    sealed_text = sa.Column(sa.Text, nullable=False)
    at = sa.Column(UTCDateTime, nullable=False)


class StaffAudit(Base):
    """Sensitive staff actions (revealing personal data, replies, transfers, closes) and
    changes to staff accounts, and who did them. A handoff's row outlives the conversation's
    erasure: its handoff and pseudonym are cleared, its case reference, action, author and
    time stay. An account's row names the account changed and what changed."""

    __tablename__ = "staff_audit"

    id = sa.Column(sa.Integer, primary_key=True)
    at = sa.Column(UTCDateTime, nullable=False)
    user_id = sa.Column(sa.Integer, sa.ForeignKey(User.id), nullable=True)  # none: the command line
    action = sa.Column(sa.String(32), nullable=False)
    case_ref = sa.Column(sa.String(32), nullable=True, index=True)  # a handoff's; none for account changes
    target_user_id = sa.Column(sa.Integer, sa.ForeignKey(User.id, name="fk_staff_audit_target_user_id_users"),
                               nullable=True, index=True)
    detail = sa.Column(sa.String(200), nullable=True)  # an account change: "before → after"
    handoff_id = sa.Column(sa.Integer, sa.ForeignKey(Handoff.id), nullable=True)  # cleared on erasure
    sender_id = sa.Column(sa.String(64), nullable=True, index=True)  # cleared on erasure


class NationalDesk(Base):
    """The observatory an administrator designated as the national desk (one row, or none):
    it takes the handoffs of states without a staffed observatory, and escalated ones."""

    __tablename__ = "national_desk"

    id = sa.Column(sa.Integer, primary_key=True)  # always DESK_ROW
    observatory_id = sa.Column(sa.Integer, sa.ForeignKey(Organisation.id), nullable=False)
    set_by = sa.Column(sa.Integer, sa.ForeignKey(User.id), nullable=True)  # none: the command line
    set_at = sa.Column(UTCDateTime, nullable=False)


DESK_ROW = 1
