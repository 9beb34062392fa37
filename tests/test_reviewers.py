"""Reviewer accounts: one language and one of its INALI variants, and only that language to
review; the list of variants itself."""

from collections import Counter

import pytest
import sqlalchemy as sa

from bot.storage.database import engine_for, session_scope
from bot.web import account_changes, accounts
from bot.web.models import User
from bot.web.reviewers import REVIEWABLE, can_review, variants
from tests.conftest import STAFF_PASSWORD as PASSWORD
from tests.test_staff_accounts import _add_on_the_command_line

VARIANT = "tseltal del norte"
# INALI's count of variants per language (agrupación), as its catalogue gives it.
INALI_COUNTS = {"yua": 1, "tzh": 4, "tzo": 7, "ote": 9, "nah": 30, "mixteco": 81, "zap": 62}


def _user(url: str, username: str) -> User:
    with session_scope(engine_for(url)) as db:
        user = db.scalar(sa.select(User).where(User.username == username))
        db.expunge(user)
        return user


def test_a_reviewer_reviews_only_their_language(seeded: str) -> None:
    engine = engine_for(seeded)
    accounts.create(engine, "revisora", PASSWORD, "reviewer", review_language="tzh", review_variant=f"  {VARIANT} ")
    accounts.create(engine, "jefa", PASSWORD, "admin")
    reviewer, admin = _user(seeded, "revisora"), _user(seeded, "jefa")
    assert (reviewer.review_language, reviewer.review_variant) == ("tzh", VARIANT)
    assert can_review(reviewer, "tzh")
    assert not can_review(reviewer, "tzo") and not can_review(reviewer, "es") and not can_review(reviewer, "")
    assert not can_review(admin, "tzh")
    account_changes.set_active(engine, "revisora", False)
    assert not can_review(_user(seeded, "revisora"), "tzh")


@pytest.mark.parametrize("language, variant, refusal", [
    ("tzh", " ", "elige la variante"), ("es", VARIANT, "el idioma de revisión"),
    ("xx", VARIANT, "el idioma de revisión"), (None, VARIANT, "el idioma de revisión"),
    ("tzh", "x" * 121, "elige la variante"), ("tzh", "tseltal", "elige la variante"),
    ("tzo", VARIANT, "elige la variante"), ("nah", "náhuatl de Morelos", "elige la variante"),
])
def test_a_reviewer_needs_an_offered_language_and_one_of_its_variants(seeded: str, language: str, variant: str,
                                                            refusal: str) -> None:
    with pytest.raises(ValueError, match=refusal):
        accounts.create(engine_for(seeded), "revisora", PASSWORD, "reviewer", review_language=language,
                        review_variant=variant)
    with session_scope(engine_for(seeded)) as db:
        assert db.scalar(sa.select(sa.func.count(User.id))) == 0


def test_an_account_does_not_become_a_reviewer_without_its_language(seeded: str) -> None:
    accounts.create(engine_for(seeded), "jefa", PASSWORD, "admin")
    accounts.create(engine_for(seeded), "otra", PASSWORD, "admin")
    with pytest.raises(ValueError, match="se crea nueva"):
        account_changes.change_role(engine_for(seeded), "otra", "reviewer")
    assert _user(seeded, "otra").role == "admin"


def test_the_command_line_creates_a_reviewer(seeded: str) -> None:
    refused = _add_on_the_command_line("revisor", "--role", "reviewer", "--language", "tzh")
    assert refused.returncode != 0 and "elige la variante" in refused.stderr
    made = _add_on_the_command_line("revisor", "--role", "reviewer", "--language", "tzh", "--variant", VARIANT)
    assert made.returncode == 0, made.stderr
    assert can_review(_user(seeded, "revisor"), "tzh")


def test_every_reviewable_language_lists_its_inali_variants_once_each() -> None:
    listed = variants()
    assert set(listed) == set(REVIEWABLE) == set(INALI_COUNTS)
    for code, count in INALI_COUNTS.items():
        names = [variant["name"] for variant in listed[code]]
        assert len(names) == count, code
        assert not [name for name, times in Counter(names).items() if times > 1], code
        assert all(name == " ".join(name.split()) and len(name) <= User.review_variant.type.length for name in names)
    assert "náhuatl de la Huasteca veracruzana" in [variant["name"] for variant in listed["nah"]]
