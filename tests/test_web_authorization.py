"""Every staff-page route, walked as anonymous, as staff of another observatory, as the
observatory's staff, and as an administrator. Routes come from the application itself."""

import re
import secrets
from types import SimpleNamespace
from typing import Dict, Iterator, List, Tuple

import pytest
import requests

from bot.recordings import store
from bot.settings import Settings
from bot.storage.crypto import new_key
from bot.storage.database import session_scope
from bot.web import accounts
from bot.web.app import create_app
from tests.audio_samples import ogg_opus
from tests.conftest import STAFF_PASSWORD as PASSWORD
from tests.conftest import RunningAssistant
from tests.test_handoff import LEON, handed_off, handoff_of

ADMIN_ONLY = ("/admin/",)
REVIEWERS_ONLY = ("/review/",)  # administrators are not reviewers
REVIEWER_PAGES = (*REVIEWERS_ONLY, "/recordings/")  # recordings of their language too
# Pages of a handoff for the staff member holding it only (administrators read no conversation).
HOLDERS_ONLY = ("/inbox/<int:handoff_id>/media/<int:media_id>", "/inbox/<int:handoff_id>/close",
                "/inbox/<int:handoff_id>/lines")


def routes() -> List[Tuple[str, str]]:
    """(method, rule) of every view of the staff application."""
    app = create_app(Settings("sqlite://", (new_key(),), b"k", "AC", "token", None, None, None), secret_key="walk")
    return sorted((method, rule.rule) for rule in app.url_map.iter_rules() if rule.endpoint != "static"
                  for method in rule.methods - {"HEAD", "OPTIONS"})


class Visitor:
    def __init__(self, assistant: RunningAssistant, username: str = "", password: str = PASSWORD) -> None:
        self.base = f"http://127.0.0.1:{assistant.web_port}"
        self.http = requests.Session()
        if username:
            self.http.post(f"{self.base}/login", data={"username": username, "password": password,
                                                      "csrf_token": self.token("/login")})

    def token(self, path: str) -> str:
        return re.search(r'name="csrf_token" value="([^"]+)"', self.http.get(self.base + path).text).group(1)

    def status(self, method: str, path: str, with_token: bool = True) -> int:
        data = {"csrf_token": self.token("/login")} if method == "POST" and with_token else {}
        return self.http.request(method, self.base + path, data=data, allow_redirects=False).status_code


@pytest.fixture(scope="module")
def paths(assistant: RunningAssistant) -> Iterator[Dict[str, str]]:
    """Ids to put in the routes: a handoff of León (with media), an organisation, an account, a recording."""
    account = assistant.query("SELECT id FROM users WHERE username = ?", assistant.new_account("staff", LEON))[0][0]
    phone = handed_off(assistant)
    phone.say(media=("audio/ogg", f"http://127.0.0.1:{assistant.simulator_port}/media/walk"))
    media_id = assistant.query("SELECT id FROM received_media WHERE sender_id = ?", phone.sender_id)[0][0]
    with session_scope(assistant.engine) as session:
        admin = SimpleNamespace(id=assistant.query("SELECT id FROM users WHERE username = 'admin'")[0][0], role="admin")
        recording_id = store.upload(session, ("utter_danger",), "utter_danger", "tzh", ogg_opus(), admin).id
    yield {"<int:handoff_id>": str(handoff_of(assistant, phone)), "<int:media_id>": str(media_id),
           "<int:organisation_id>": str(assistant.observatory_id(LEON)), "<int:user_id>": str(account),
           "<key>": "utter_welcome", "<int:recording_id>": str(recording_id)}


def concrete(rule: str, ids: Dict[str, str]) -> str:
    for placeholder, value in ids.items():
        rule = rule.replace(placeholder, value)
    return rule


def test_the_walk_covers_every_route() -> None:
    rules = {rule for _, rule in routes()}
    assert {"/admin/directory/", "/admin/staff/", "/admin/staff/<int:user_id>", "/admin/audit/", "/inbox/",
            "/inbox/<int:handoff_id>/reply", "/login"} <= rules


def test_anonymous_visitors_reach_only_the_login(assistant: RunningAssistant, paths: Dict[str, str]) -> None:
    visitor = Visitor(assistant)
    for method, rule in routes():
        path = concrete(rule, paths)
        if rule == "/login":
            assert visitor.status(method, path) in (200, 401)
        elif method == "GET":
            assert visitor.status(method, path) == 302, rule
        else:
            assert visitor.status(method, path) == 302, rule  # a valid token, but not signed in
            assert visitor.status(method, path, with_token=False) == 400, rule


def test_staff_of_another_observatory_see_nothing_of_it(assistant: RunningAssistant, paths: Dict[str, str]) -> None:
    visitor = Visitor(assistant, assistant.new_account("staff", "Observatorio Ciudadano de Durango"))
    for method, rule in routes():
        status = visitor.status(method, concrete(rule, paths))
        if rule.startswith(ADMIN_ONLY):
            assert status == 403, rule
        elif "<int:handoff_id>" in rule:
            assert status == 404, rule


def test_staff_work_their_own_queue_but_not_the_administration(assistant: RunningAssistant,
                                                              paths: Dict[str, str]) -> None:
    visitor = Visitor(assistant, assistant.new_account("staff", LEON))
    assert visitor.status("GET", "/inbox/") == 200
    assert visitor.status("GET", concrete("/inbox/<int:handoff_id>", paths)) == 200
    assert visitor.status("GET", concrete("/inbox/<int:handoff_id>/media/<int:media_id>", paths)) == 409
    for method, rule in routes():
        if rule.startswith(ADMIN_ONLY):
            assert visitor.status(method, concrete(rule, paths)) == 403, rule


def test_administrators_reach_every_page(assistant: RunningAssistant, paths: Dict[str, str]) -> None:
    visitor = Visitor(assistant, "admin", assistant.admin_password)
    for method, rule in routes():
        if method == "GET" and rule not in HOLDERS_ONLY and rule not in ("/", "/login"):
            expected = 403 if rule.startswith(REVIEWERS_ONLY) else 200
            assert visitor.status(method, concrete(rule, paths)) == expected, rule


def test_reviewers_reach_only_the_review_pages(assistant: RunningAssistant, paths: Dict[str, str]) -> None:
    username = f"revisor-{secrets.token_hex(4)}"
    accounts.create(assistant.engine, username, PASSWORD, "reviewer", review_language="tzh",
                    review_variant="tseltal del norte")
    visitor = Visitor(assistant, username)
    for method, rule in routes():
        if rule in ("/", "/login", "/logout"):
            continue
        status = visitor.status(method, concrete(rule, paths))
        if rule.startswith(REVIEWER_PAGES):
            assert status in (200, 302, 400), rule  # a POST without text is refused, in the page
        else:
            assert status in (403, 404), rule  # administrators are not reviewers
REVIEWER_PAGES = (*REVIEWERS_ONLY, "/recordings/")  # recordings of their language too
