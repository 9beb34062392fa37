"""The referral directory's tables: organisations and the audit log of their changes."""

import sqlalchemy as sa

from bot.storage.database import Base, UTCDateTime

KINDS = (
    "observatory",  # local citizen observatory (ONC network member or not)
    "women_justice_centre",  # Centro de Justicia para las Mujeres
    "prosecutor",  # Fiscalía / Procuraduría
    "victims_commission",  # state or federal victims' commission
    "human_rights_commission",  # a state's human-rights commission: complaints against its authorities
    "shelter_line",  # a shelter network's contact line: never an address or a location
    "national_line",  # a national phone or WhatsApp line
    "other",
)
ONC_NETWORK = ("member", "unconfirmed", "")


class Organisation(Base):
    __tablename__ = "organisations"

    id = sa.Column(sa.Integer, primary_key=True)
    kind = sa.Column(sa.String(32), nullable=False, index=True)
    name = sa.Column(sa.String(200), nullable=False)
    state_key = sa.Column(sa.String(2), nullable=True)  # INEGI state key; empty for national
    municipality_key = sa.Column(sa.String(5), nullable=True)  # INEGI municipality key
    address = sa.Column(sa.String(300), nullable=True)  # street and number, where a source gives it; never a shelter's
    latitude = sa.Column(sa.Float, nullable=True)
    longitude = sa.Column(sa.Float, nullable=True)
    phone = sa.Column(sa.String(32), nullable=True)
    whatsapp = sa.Column(sa.String(32), nullable=True)
    website = sa.Column(sa.String(300), nullable=True)
    opening_hours = sa.Column(sa.String(300), nullable=True)
    handoff_hours = sa.Column(sa.String(200), nullable=True)  # staffed hours for handoffs (bot.handoff.hours)
    languages = sa.Column(sa.String(200), nullable=True)  # catalogue codes, comma-separated
    services = sa.Column(sa.Text, nullable=True)
    onc_network = sa.Column(sa.String(16), nullable=False, default="")
    source = sa.Column(sa.Text, nullable=False)
    verified_on = sa.Column(sa.Date, nullable=False)
    active = sa.Column(sa.Boolean, nullable=False, default=True)
    updated_at = sa.Column(UTCDateTime, nullable=False)


class DirectoryChange(Base):
    """Who changed which organisation, when, and what (field: [before, after])."""

    __tablename__ = "directory_changes"

    id = sa.Column(sa.Integer, primary_key=True)
    at = sa.Column(UTCDateTime, nullable=False, index=True)
    actor = sa.Column(sa.String(100), nullable=False)
    action = sa.Column(sa.String(16), nullable=False)  # create, update, deactivate, activate
    organisation_id = sa.Column(sa.Integer, sa.ForeignKey("organisations.id"), nullable=False, index=True)
    changes = sa.Column(sa.Text, nullable=False)  # JSON
