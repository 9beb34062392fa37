"""Translations reviewed in the staff pages, beside the repository's catalogues (locales/).

Each row is one catalogue entry in one language: the draft being worked on and the text a
reviewer published, with the hash of the Spanish source it was reviewed against. A
published text is served only while the Spanish source still has that hash
(bot/replies/live.py); a withdrawn one, never, nor the repository's text for the entry, until
a text is published again. Every change is a row of `translation_changes` (never deleted),
whose count and largest id are the version the engines check before each reply.
"""

import sqlalchemy as sa

from bot.storage.database import Base, UTCDateTime
from bot.web.models import User


class Translation(Base):
    __tablename__ = "translations"
    __table_args__ = (sa.UniqueConstraint("language", "key", name="uq_translations_entry"),)

    id = sa.Column(sa.Integer, primary_key=True)
    language = sa.Column(sa.String(16), nullable=False)
    key = sa.Column(sa.String(200), nullable=False)  # the catalogue's msgid
    draft = sa.Column(sa.Text, nullable=True)
    drafted_by = sa.Column(sa.Integer, sa.ForeignKey(User.id), nullable=True)
    drafted_at = sa.Column(UTCDateTime, nullable=True)
    reviewed = sa.Column(sa.Text, nullable=True)  # what is served, while source_hash holds
    source_hash = sa.Column(sa.String(64), nullable=True)  # of the Spanish text it was reviewed against
    variant = sa.Column(sa.String(120), nullable=True)  # the reviewer's variant (INALI's name)
    reviewed_by = sa.Column(sa.Integer, sa.ForeignKey(User.id), nullable=True)
    reviewed_at = sa.Column(UTCDateTime, nullable=True)
    withdrawn_at = sa.Column(UTCDateTime, nullable=True)  # set: Spanish is served, until the next publish


class TranslationChange(Base):
    """One change to a translation: who (none: the command line), when, what, and the text."""

    __tablename__ = "translation_changes"

    id = sa.Column(sa.Integer, primary_key=True)
    at = sa.Column(UTCDateTime, nullable=False)
    user_id = sa.Column(sa.Integer, sa.ForeignKey(User.id), nullable=True)
    language = sa.Column(sa.String(16), nullable=False)
    key = sa.Column(sa.String(200), nullable=False)
    action = sa.Column(sa.String(16), nullable=False)  # draft, publish, withdraw, import
    text = sa.Column(sa.Text, nullable=True)
    variant = sa.Column(sa.String(120), nullable=True)
