"""Sessions of the staff pages over real HTTP: signing out revokes them."""

from tests.conftest import RunningAssistant
from tests.test_handoff import LEON
from tests.test_web_authorization import Visitor


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
