"""Isolation by handoff: every inbox route walked as the staff member holding a handoff, a
colleague of the same observatory, staff of another observatory and an administrator —
while it waits, once claimed, after it is closed, after the person's next handoff is
transferred to the other observatory, and after the person erases everything. Each sees,
reveals, notes and replies to one handoff and its own span of the conversation only."""

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, Iterable, Optional, Tuple

import pytest

from tests.conftest import RunningAssistant
from tests.test_handoff import LEON, handed_off, handoff_of, text
from tests.test_web_authorization import Visitor, concrete, routes

DURANGO = "Observatorio Ciudadano de Durango"
HANDOFF_ROUTES = [(method, rule) for method, rule in routes() if rule.startswith("/inbox/<int:handoff_id>")]
PAGE = ("GET", "/inbox/<int:handoff_id>")
MEDIA = ("GET", "/inbox/<int:handoff_id>/media/<int:media_id>")
CLAIM, TRANSFER = ("POST", "/inbox/<int:handoff_id>/claim"), ("POST", "/inbox/<int:handoff_id>/transfer")
# What the holder may still do with a closed handoff: read it, reveal or hide its personal data.
READS = [route for route in HANDOFF_ROUTES
         if route[1].endswith(("<int:handoff_id>", "<int:media_id>", "/lines", "/reveal", "/hide"))]


class Staff(Visitor):
    def page(self, path: str) -> str:
        answer = self.http.get(self.base + path)
        assert answer.status_code == 200, path
        return answer.text

    def post(self, path: str, **data: object) -> int:
        data["csrf_token"] = self.token("/login")
        return self.http.post(self.base + path, data=data, allow_redirects=False).status_code

    def queue(self) -> set:
        return {row["id"] for row in self.http.get(self.base + "/inbox/queue.json").json()}


def walk(visitor: Staff, ids: Dict[str, str], default: int, expected: Optional[Dict[Tuple[str, str], int]] = None,
         skip: Iterable[Tuple[str, str]] = ()) -> None:
    """Every route of one handoff answers `default`, or what `expected` says for it."""
    for route in HANDOFF_ROUTES:
        if route not in skip:
            status = visitor.status(route[0], concrete(route[1], ids))
            assert status == (expected or {}).get(route, default), (route, status)


def test_the_walk_knows_every_route_of_a_handoff() -> None:
    assert {PAGE, MEDIA, CLAIM, TRANSFER, ("POST", "/inbox/<int:handoff_id>/reply"),
            ("POST", "/inbox/<int:handoff_id>/note"), ("POST", "/inbox/<int:handoff_id>/close")} <= set(HANDOFF_ROUTES)


def test_each_handoff_is_its_own_before_and_after_close_transfer_and_erasure(assistant: RunningAssistant) -> None:
    holder, colleague = (Staff(assistant, assistant.new_account("staff", LEON)) for _ in range(2))
    durango = Staff(assistant, assistant.new_account("staff", DURANGO))
    admin = Staff(assistant, "admin", assistant.admin_password)
    voice_note = ("audio/ogg", f"http://127.0.0.1:{assistant.simulator_port}/media/voice-note")

    phone = handed_off(assistant)
    first = handoff_of(assistant, phone)
    assert phone.say("primer mensaje, vivo en calle Fresno 8") == [text("utter_handoff_waiting")]
    assert phone.say(media=voice_note) == []
    first_media = assistant.query("SELECT id FROM received_media WHERE sender_id = ?", phone.sender_id)[0][0]
    ids = {"<int:handoff_id>": str(first), "<int:media_id>": str(first_media)}
    path = f"/inbox/{first}"

    # Waiting: its observatory sees that it waits, nobody reads it; others know nothing of it.
    for visitor in (holder, colleague, admin):
        assert first in visitor.queue()
        assert "Fresno" not in visitor.page(path) and "primer mensaje" not in visitor.page(path)
    assert first not in durango.queue()
    walk(durango, ids, 404)
    walk(admin, ids, 409, {PAGE: 200, CLAIM: 403, TRANSFER: 400})
    walk(colleague, ids, 409, {PAGE: 200, TRANSFER: 400}, skip=[CLAIM])

    # Claimed: only the holder reads it, personal data hidden until revealed.
    assert holder.post(f"{path}/claim") == 302
    page = holder.page(path)
    assert "primer mensaje, vivo en [dirección]" in page and "Fresno" not in page
    assert "quiero hablar con una persona" in page  # the conversation before the handoff belongs to it
    for visitor in (colleague, admin):
        assert "primer mensaje" not in visitor.page(path)
    walk(colleague, ids, 409, {PAGE: 200})
    walk(admin, ids, 409, {PAGE: 200, CLAIM: 403})
    walk(durango, ids, 404)
    assert holder.post(f"{path}/reply", text="Respuesta de León") == 302
    assert holder.post(f"{path}/note", text="Nota privada de León") == 302
    assert phone.delivered(1) == ["Respuesta de León"]
    assert holder.post(f"{path}/close") == 302
    phone.delivered(1)

    # Closed: out of every queue, read-only to the one who held it.
    messages = assistant.query("SELECT count(*) FROM handoff_messages WHERE handoff_id = ?", first)
    for visitor in (holder, colleague, admin):
        assert first not in visitor.queue()
    assert f'href="{path}"' in holder.page("/inbox/")  # among the ones they closed, to read again
    assert f'href="{path}"' not in colleague.page("/inbox/") and f'href="{path}"' not in admin.page("/inbox/")
    walk(holder, ids, 409, {route: (302 if route[0] == "POST" else 200) for route in READS})
    assert assistant.query("SELECT count(*) FROM handoff_messages WHERE handoff_id = ?", first) == messages
    assert assistant.query("SELECT status FROM handoffs WHERE id = ?", first) == [("closed",)]
    walk(colleague, ids, 409, {PAGE: 200})
    walk(durango, ids, 404)

    # The person's next handoff is transferred to Durango: León keeps only its own handoff.
    assert phone.say("mensaje después del cierre")  # the assistant answers again
    phone.say("quiero hablar con una persona")
    assert phone.say("sí") == [text("utter_handoff_started", observatory=LEON)]
    second = handoff_of(assistant, phone)
    assert second != first
    assert colleague.post(f"/inbox/{second}/transfer", observatory_id=assistant.observatory_id(DURANGO)) == 302
    assert DURANGO in phone.delivered(1)[0]  # told where the conversation went
    assert phone.say("segundo mensaje, ahora en calle Roble 5") == [text("utter_handoff_waiting")]  # waits again
    assert phone.say(media=voice_note) == []
    second_media = assistant.query("SELECT max(id) FROM received_media WHERE sender_id = ?", phone.sender_id)[0][0]
    second_ids = {"<int:handoff_id>": str(second), "<int:media_id>": str(second_media)}
    assert durango.post(f"/inbox/{second}/claim") == 302
    assert durango.post(f"/inbox/{second}/reply", text="Respuesta de Durango") == 302
    assert durango.post(f"/inbox/{second}/note", text="Nota privada de Durango") == 302
    phone.delivered(1)

    assert holder.post(f"{path}/reveal") == 302
    earlier = holder.page(path)
    assert "calle Fresno 8" in earlier  # revealed: the holder's own handoff
    for later in ("después del cierre", "segundo mensaje", "Roble", "Durango"):
        assert later not in earlier, later
    assert holder.status("GET", f"{path}/media/{second_media}") == 404
    walk(holder, second_ids, 404)
    walk(colleague, second_ids, 404)

    assert durango.post(f"/inbox/{second}/reveal") == 302
    transferred = durango.page(f"/inbox/{second}")
    assert "segundo mensaje, ahora en calle Roble 5" in transferred and "Respuesta de Durango" in transferred
    for earlier_text in ("primer mensaje", "Fresno", "Respuesta de León", "Nota privada de León", "leon gto"):
        assert earlier_text not in transferred, earlier_text
    assert durango.status("GET", f"/inbox/{second}/media/{first_media}") == 404
    walk(durango, ids, 404)

    # Erased: nothing of either handoff answers anyone.
    assert phone.say("salir") == [text("utter_quick_exit")]
    for visitor in (holder, colleague, durango, admin):
        assert not {first, second} & visitor.queue()
        walk(visitor, ids, 404)
        walk(visitor, second_ids, 404)


def test_of_simultaneous_claims_one_takes_the_handoff(assistant: RunningAssistant) -> None:
    colleagues = [Staff(assistant, assistant.new_account("staff", LEON)) for _ in range(6)]
    handoff = handoff_of(assistant, handed_off(assistant))
    path = f"/inbox/{handoff}/claim"
    tokens = [visitor.token("/login") for visitor in colleagues]
    start = threading.Barrier(len(colleagues))

    def claim(visitor: Staff, token: str) -> int:
        start.wait()
        return visitor.http.post(visitor.base + path, data={"csrf_token": token}, allow_redirects=False).status_code

    with ThreadPoolExecutor(len(colleagues)) as pool:
        statuses = list(pool.map(claim, colleagues, tokens))
    assert sorted(statuses) == [302] + [409] * (len(colleagues) - 1)
    assert assistant.query("SELECT count(*) FROM staff_audit WHERE handoff_id = ? AND action = 'claim'",
                           handoff) == [(1,)]
    holder = colleagues[statuses.index(302)]
    assert "quiero hablar con una persona" in holder.page(f"/inbox/{handoff}")
