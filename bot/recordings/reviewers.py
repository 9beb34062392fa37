"""Who may review a recording: a qualified speaker of its language.

Until reviewers are tied to languages, administrators review recordings of every
language; this is the one place that decides it.
"""

from typing import Protocol


class Account(Protocol):
    id: int
    role: str


def may_review(account: Account, language: str) -> bool:
    """Whether `account` may approve or reject recordings in `language`."""
    return account.role == "admin"
