"""Who may review a recording: a qualified speaker of its language — a reviewer of that
language (bot/web/reviewers.py) — and, for Spanish, the language of the source texts, an
administrator. Who may upload one: administrators and reviewers (a reviewer, in their own
language). This is the one place that decides it."""

from typing import Any

from bot.languages import DEFAULT_LANGUAGE
from bot.web.reviewers import can_review


def may_review(account: Any, language: str) -> bool:
    """Whether `account` may approve, reject or withdraw recordings in `language`."""
    if language == DEFAULT_LANGUAGE:
        return getattr(account, "role", None) == "admin"
    return can_review(account, language)


def may_upload(account: Any, language: str) -> bool:
    """Whether `account` may upload a recording in `language`."""
    return getattr(account, "role", None) == "admin" or can_review(account, language)


def may_visit(account: Any) -> bool:
    """Whether `account` may open the recordings page at all."""
    return getattr(account, "role", None) in ("admin", "reviewer")
