"""Accounts of the people who use the staff web pages."""

import sqlalchemy as sa

from bot.directory.models import Organisation
from bot.storage.database import Base, UTCDateTime

ROLES = ("admin", "staff", "reviewer")
ROLE_NAMES = {"admin": "Administración", "staff": "Equipo de observatorio",
              "reviewer": "Revisión de traducciones"}  # as the pages say them


class User(Base):
    __tablename__ = "users"

    id = sa.Column(sa.Integer, primary_key=True)
    username = sa.Column(sa.String(100), nullable=False, unique=True)
    password_hash = sa.Column(sa.String(255), nullable=False)
    role = sa.Column(sa.String(16), nullable=False)
    observatory_id = sa.Column(sa.Integer, sa.ForeignKey(Organisation.id), nullable=True)
    email = sa.Column(sa.String(254), nullable=True)  # where alerts of waiting handoffs go
    alert_phone = sa.Column(sa.String(20), nullable=True)  # E.164: where SMS alerts of waiting handoffs go
    active = sa.Column(sa.Boolean, nullable=False, default=True)
    failed_logins = sa.Column(sa.Integer, nullable=False, default=0)
    locked_until = sa.Column(UTCDateTime, nullable=True)
    # Carried in every session cookie; signing out moves it on, so that every earlier cookie is refused.
    session_generation = sa.Column(sa.Integer, nullable=False, default=0, server_default="0")
    # A reviewer's language (a catalogue code, bot/languages.py) and its variant, one of INALI's
    # (bot/web/inali_variants.yml, bot/web/reviewers.py); none for other roles.
    review_language = sa.Column(sa.String(16), nullable=True)
    review_variant = sa.Column(sa.String(120), nullable=True)
