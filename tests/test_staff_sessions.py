"""Sessions of the staff pages over real HTTP: signing out revokes them, and sign-ins made at
the same moment are counted one by one towards the lockout."""

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import List

from bot.web import accounts
from tests.conftest import STAFF_PASSWORD as PASSWORD
from tests.conftest import RunningAssistant
from tests.test_handoff import LEON
from tests.test_web_authorization import Visitor

SIMULTANEOUS_SIGN_INS = 30


def test_signing_out_revokes_every_earlier_cookie_of_the_account(assistant: RunningAssistant) -> None:
    username = assistant.new_account("staff", LEON)
    leaving, elsewhere, thief = Visitor(assistant, username), Visitor(assistant, username), Visitor(assistant)
    thief.http.cookies.set("session", leaving.http.cookies["session"])
    assert [visitor.status("GET", "/inbox/") for visitor in (leaving, elsewhere, thief)] == [200] * 3

    assert leaving.status("POST", "/logout") == 302
    for visitor in (thief, elsewhere):
        assert visitor.status("GET", "/inbox/") == 302
        assert visitor.status("POST", "/logout") == 302  # to the sign-in page, not signed out twice
    assert Visitor(assistant, username).status("GET", "/inbox/") == 200


def _sign_in_together(assistant: RunningAssistant, username: str, passwords: List[str]) -> List[int]:
    """The sign-in form posted with each password at the same moment, from as many browsers."""
    visitors = [Visitor(assistant) for _ in passwords]
    forms = [{"username": username, "password": password, "csrf_token": visitor.token("/login")}
             for visitor, password in zip(visitors, passwords)]
    start = threading.Barrier(len(passwords))

    def post(visitor: Visitor, form: dict) -> int:
        start.wait()
        return visitor.http.post(f"{visitor.base}/login", data=form, allow_redirects=False).status_code

    with ThreadPoolExecutor(len(passwords)) as pool:
        return list(pool.map(post, visitors, forms))


def test_simultaneous_wrong_passwords_lock_the_account(assistant: RunningAssistant) -> None:
    wrong = SIMULTANEOUS_SIGN_INS - 1
    assert wrong > accounts.MAX_FAILED_SIGN_INS
    username = assistant.new_account("staff", LEON)
    statuses = _sign_in_together(assistant, username, ["wrong password!"] * wrong + [PASSWORD])
    assert statuses[:-1] == [401] * wrong
    assert assistant.query("SELECT locked_until FROM users WHERE username = ?", username)[0][0] is not None
    assert _sign_in_together(assistant, username, [PASSWORD]) == [401]
