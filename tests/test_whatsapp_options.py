"""Options on WhatsApp as buttons or a list: Twilio Content API resources created with the
real twilio client against the fake, taps through the signed webhook, the numbered text
wherever buttons cannot go (SMS, over WhatsApp's limits, the Content API failing), and a
danger reply that never waits for them."""

import asyncio
import json
import secrets
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
import sqlalchemy as sa
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from bot.channels.twilio_request import parse
from bot.channels.twilio_sender import TwilioSender
from bot.channels.whatsapp_options import MAX_BODY, Menu, content_for
from bot.delivery import outbox
from bot.delivery.contents import CLAIM_S, Contents
from bot.delivery.courier import CONTENT_TIMEOUT_S, Courier
from bot.delivery.outbox import Reply
from bot.replies.catalogue import Catalogues
from bot.replies.option_ids import menu_tag, option_id
from bot.replies.render import render
from bot.storage.contacts import Address
from bot.storage.crypto import Sealer
from bot.storage.database import engine_for, session_scope
from bot.storage.migrate import upgrade
from bot.storage.models import WhatsAppContent
from bot.simulator.twilio_form import tap_fields, whatsapp_form
from tests.conftest import ON_SQLITE_ONLY, Phone, RunningAssistant
from tests.test_guarantees import twilio_api

CATALOGUES = Catalogues.load()


def text(key: str) -> str:
    return render(key, "es", CATALOGUES, {})["text"]


def sent(phone: Phone) -> List[Dict[str, Any]]:
    """The messages sent to the person since the last look (as Twilio keeps them), each with
    what WhatsApp showed of its content (`shown`)."""
    messages = phone.assistant.sent_to(phone.address)
    new, phone.seen = messages[phone.seen:], len(messages)
    return new


def said(phone: Phone, body: str = "") -> List[Dict[str, Any]]:
    assert phone.send(body) == 200
    return sent(phone)


def tap(phone: Phone, message: Dict[str, Any], number: int) -> List[Dict[str, Any]]:
    """Taps option `number` of a message, as WhatsApp posts it (the title as Body)."""
    shown = message["shown"]
    option = shown["options"][number - 1]
    fields = tap_fields(shown["kind"], option["id"], option["title"])
    assert phone.assistant.post_webhook({**phone.form(), **fields}) == 200
    return sent(phone)


def client(assistant: RunningAssistant) -> Client:
    """The real twilio client, pointed at the fake as the assistant points its own."""
    twilio = Client(assistant.account_sid, assistant.auth_token)
    twilio.content.base_url = f"http://127.0.0.1:{assistant.simulator_port}"
    return twilio


def sender(assistant: RunningAssistant) -> TwilioSender:
    return TwilioSender(assistant.account_sid, assistant.auth_token, f"http://127.0.0.1:{assistant.simulator_port}")


def menu(count: int = 2) -> Menu:
    """Options no reply has: a content the fake has never seen."""
    marker = secrets.token_hex(3)
    buttons = [{"title": f"Opción {n} {marker}", "payload": f"/x{n}"} for n in range(1, count + 1)]
    return Menu("es", tuple(b["title"] for b in buttons), menu_tag(buttons), "Ver opciones")


def numbered(body: str, options: Menu) -> str:
    return body + "".join(f"\n{n}. {title}" for n, title in enumerate(options.titles, start=1))


@ON_SQLITE_ONLY
def test_menus_go_as_buttons_or_a_list_created_with_the_content_api(assistant: RunningAssistant) -> None:
    phone = assistant.phone()
    welcome = said(phone, "hola")[-1]
    assert welcome["body"] == text("utter_welcome")  # what WhatsApp shows, and what Twilio keeps
    assert welcome["content_sid"].startswith("HX") and welcome["shown"]["kind"] == "quick-reply"
    assert [option["title"] for option in welcome["shown"]["options"]] == ["Sí", "No, ahora no"]
    content = client(assistant).content.v1.contents(welcome["content_sid"]).fetch()
    assert content.language == "es" and content.friendly_name.startswith("orienta-")
    assert content.types["twilio/text"]["body"] == text("utter_welcome")  # SMS and other channels: numbered
    assert content.types["twilio/quick-reply"]["body"] == text("utter_welcome")
    languages = said(phone, "1")[-1]
    assert languages["shown"]["kind"] == "list-picker" and languages["shown"]["button"] == "Ver opciones"
    assert len(languages["shown"]["options"]) == 8 and languages["body"] == text("utter_ask_language")
    items = client(assistant).content.v1.contents(languages["content_sid"]).fetch().types["twilio/list-picker"]["items"]
    assert [item["description"] for item in items] == [str(n) for n in range(1, 9)]  # the number to type


@ON_SQLITE_ONLY  # the fake alone
def test_the_fake_refuses_what_twilio_refuses(assistant: RunningAssistant) -> None:
    def create(types: Dict[str, Any], language: Optional[str] = "es") -> str:
        return asyncio.run(sender(assistant).create_content(
            {"friendly_name": f"test-{uuid.uuid4().hex}", "language": language, "types": types}))

    def action(n: int, title: str = "") -> Dict[str, str]:
        return {"title": title or f"Opción {n}", "id": f"id-{n}"}

    too_many = {"twilio/quick-reply": {"body": "¿Cuál?", "actions": [action(n) for n in range(4)]}}
    too_long = {"twilio/quick-reply": {"body": "¿Cuál?", "actions": [action(1, "x" * 21)]}}
    def item(n: int, title: str = "", description: str = "1") -> Dict[str, str]:
        return {"item": title or f"Opción {n}", "id": f"id-{n}", "description": description}

    def listed(*items: Dict[str, str], button: str = "Ver") -> Dict[str, Any]:
        return {"twilio/list-picker": {"body": "¿Cuál?", "button": button, "items": list(items)}}

    long_item, eleven = listed(item(1, "x" * 25)), listed(*(item(n) for n in range(11)))
    undescribed, long_button = listed(item(1, description="")), listed(item(1), button="y" * 21)
    long_body = {"twilio/quick-reply": {"body": "x" * 1025, "actions": [action(1)]}}
    for refused in (too_many, too_long, long_item, eleven, undescribed, long_button, long_body,
                    {"application/x-unknown": {"body": "x"}}):
        with pytest.raises(TwilioRestException) as error:
            create(refused)
        assert error.value.status == 400 and error.value.msg
    with pytest.raises(TwilioRestException):
        create({"twilio/text": {"body": "hola"}}, language=None)
    at_the_limits = {"twilio/quick-reply": {"body": "x" * 1024, "actions": [action(n, "x" * 20) for n in range(3)]},
                     **listed(*(item(n, "z" * 24, "d" * 72) for n in range(10)), button="y" * 20)}
    assert create(at_the_limits).startswith("HX")
    names = [f"test-{uuid.uuid4().hex}" for _ in range(3)]
    sids = [asyncio.run(sender(assistant).create_content(
        {"friendly_name": name, "language": "es", "types": {"twilio/text": {"body": name}}})) for name in names]
    found = {content.friendly_name: content.sid for content in client(assistant).content.v1.contents.list(page_size=2)}
    assert [found[name] for name in names] == sids  # every page, through Twilio's meta.next_page_url
    assert asyncio.run(sender(assistant).find_content(names[-1])) == sids[-1]


def test_options_over_whatsapps_limits_have_no_content() -> None:
    assert content_for("¿Cuál?", menu(3)).types.keys() == {"twilio/quick-reply", "twilio/text"}
    assert content_for("¿Cuál?", menu(4)).types.keys() == {"twilio/list-picker", "twilio/text"}
    assert content_for("¿Cuál?", menu(10)).types.keys() == {"twilio/list-picker", "twilio/text"}
    assert content_for("¿Cuál?", menu(11)) is None
    assert content_for("x" * (MAX_BODY + 1), menu(2)) is None
    long_titles = Menu("es", ("x" * 25, "y"), "0123456789", "Ver opciones")
    assert content_for("¿Cuál?", long_titles) is None
    assert content_for("¿Cuál?", Menu("es", ("x" * 21, "y"), "0123456789", "Ver opciones")).types.keys() == {
        "twilio/list-picker", "twilio/text"}  # too long for a button, not for a list item
    assert content_for("¿Cuál?", menu(2)).friendly_name != content_for("¿Cuál?", menu(2)).friendly_name


@ON_SQLITE_ONLY
def test_options_over_the_limits_go_as_numbered_text(assistant: RunningAssistant) -> None:
    phone = assistant.phone()
    for answer in ("hola", "1", "1"):
        said(phone, answer)
    offer = said(phone, "quiero hablar con una persona")[-1]  # "Sí, que me atienda una persona": 30 characters
    assert "\n1. Sí, que me atienda una persona" in offer["body"]
    assert not offer["content_sid"] and offer["shown"] is None


@ON_SQLITE_ONLY
def test_a_tap_chooses_what_typing_its_number_chooses(assistant: RunningAssistant) -> None:
    tapping, typing = assistant.phone(), assistant.phone()
    welcome = said(tapping, "hola")[-1]
    said(typing, "hola")
    for number in (1, 1, 2):  # safe to talk (buttons), Spanish (a list), protection (the main menu's list)
        tapped = tap(tapping, welcome, number)
        typed = said(typing, str(number))
        assert [m["body"] for m in tapped] == [m["body"] for m in typed] and tapped
        welcome = tapped[-1]
    user_texts = [event["text"] for event in assistant.events(tapping.sender_id, "user")]
    assert "Sí" not in user_texts and "1" in user_texts  # the dialogue read the number, as typed


@ON_SQLITE_ONLY
def test_a_tap_on_an_older_menu_is_answered_not_taken_for_another_option(assistant: RunningAssistant) -> None:
    phone = assistant.phone()
    welcome = said(phone, "hola")[-1]
    languages = tap(phone, welcome, 1)[-1]
    stale, = tap(phone, welcome, 2)  # "No, ahora no" of the first message: nothing chosen
    assert stale["body"].startswith(text("utter_option_stale").split("\n")[0] + "\n1. Español")
    assert stale["shown"]["options"] == languages["shown"]["options"]  # the last menu again, the same ids
    main_menu = tap(phone, languages, 1)[-1]  # the last menu still works
    assert main_menu["body"] == text("utter_main_menu")
    again = said(phone, "menú")[-1]
    assert again["shown"]["options"] == main_menu["shown"]["options"]  # the same options: the same ids
    protection = [m["body"] for m in tap(phone, main_menu, 2)]  # an older menu with the very same options
    assert protection and not any(body.startswith("Ese botón") for body in protection)
    assert [m["body"] for m in tap(phone, welcome, 1)] == [text("utter_option_stale_menu")]  # no options last


@ON_SQLITE_ONLY
def test_danger_words_beside_a_tap_are_read_as_written(assistant: RunningAssistant) -> None:
    phone = assistant.phone()
    welcome = said(phone, "hola")[-1]
    option = welcome["shown"]["options"][0]
    fields = {**tap_fields(welcome["shown"]["kind"], option["id"], option["title"]), "Body": "me va a matar, ayuda"}
    assert assistant.post_webhook({**phone.form(), **fields}) == 200
    assert sent(phone)[0]["body"].startswith(text("utter_danger").split("\n")[0])


@ON_SQLITE_ONLY
def test_options_made_of_what_a_person_wrote_are_never_a_content(assistant: RunningAssistant) -> None:
    """Twilio keeps contents: the places a person named, offered as options, go as numbered
    text; so does a reply whose text was filled in for them (their observatory)."""
    phone = assistant.phone()
    for answer in ("hola", "1", "1", "quiero denunciar"):
        said(phone, answer)
    places = said(phone, "Camargo")[-1]
    assert "Chihuahua" in places["body"] and "Tamaulipas" in places["body"]
    assert not places["content_sid"] and places["shown"] is None
    contents = client(assistant).content.v1.contents.list()
    assert not any("Camargo" in json.dumps(content.types, ensure_ascii=False) for content in contents)


@ON_SQLITE_ONLY
def test_sms_gets_the_numbered_text(assistant: RunningAssistant) -> None:
    phone = assistant.phone("sms")
    welcome = said(phone, "hola")[-1]
    assert not welcome["content_sid"] and welcome["shown"] is None
    assert welcome["body"].endswith("\n1. Si\n2. No, ahora no")


def test_the_same_menu_is_one_content_across_conversations(assistant: RunningAssistant) -> None:
    first, second = (said(assistant.phone(), "hola")[-1] for _ in range(2))
    assert first["content_sid"] and first["content_sid"] == second["content_sid"]
    name = client(assistant).content.v1.contents(first["content_sid"]).fetch().friendly_name
    named = [c for c in client(assistant).content.v1.contents.list() if c.friendly_name == name]
    assert len(named) == 1
    assert assistant.query("SELECT content_sid FROM whatsapp_contents WHERE friendly_name = ?", name) == [
        (first["content_sid"],)]


@pytest.fixture()
def courier_db(tmp_path: Path) -> str:
    """A database of the test's own: the running assistant's courier would send its rows too."""
    url = f"sqlite:///{tmp_path / 'courier.db'}"
    upgrade(url)
    return url


def deliver(assistant: RunningAssistant, database_url: str, body: str, options: Menu,
            urgent: bool = False) -> Dict[str, Any]:
    """One reply with options through a courier of its own (its own database, the real client
    against the fake); the message Twilio got, and how long its delivery took."""
    engine, sealer = engine_for(database_url), Sealer([assistant.data_key])
    phone = assistant.phone()
    contact = Address(phone.address, "whatsapp:+14155238886", "whatsapp", False, datetime.now(timezone.utc))
    twilio = sender(assistant)
    courier = Courier(engine, sealer, twilio, contents=Contents(engine, twilio))
    with session_scope(engine) as session:
        outbox.enqueue(session, sealer, phone.sender_id, contact, [Reply(numbered(body, options), menu=options)],
                       outbox.ASSISTANT, datetime.now(timezone.utc), urgent=urgent)
    started = time.monotonic()
    asyncio.run(courier.deliver_to(phone.sender_id))
    message, = sent(phone)
    return {**message, "took": time.monotonic() - started}


@ON_SQLITE_ONLY  # the courier's database is its own
def test_a_content_api_failure_still_delivers_the_numbered_text(assistant: RunningAssistant,
                                                                courier_db: str) -> None:
    options = menu(2)
    with twilio_api(assistant, "content-error"):
        message = deliver(assistant, courier_db, "¿Cuál prefieres?", options)
    assert message["body"] == numbered("¿Cuál prefieres?", options) and not message["content_sid"]
    again = deliver(assistant, courier_db, "¿Cuál prefieres?", options)  # its claim stands: text again, at once
    assert not again["content_sid"] and again["took"] < CONTENT_TIMEOUT_S


@ON_SQLITE_ONLY
def test_a_hanging_content_api_delays_a_reply_at_most_its_timeout_and_a_danger_reply_not_at_all(
        assistant: RunningAssistant, courier_db: str) -> None:
    with twilio_api(assistant, "content-hang"):
        danger = deliver(assistant, courier_db, "Llama al 911.", menu(2), urgent=True)
        waited = deliver(assistant, courier_db, "¿Cuál prefieres?", menu(2))
    assert not danger["content_sid"] and danger["took"] < 1.5
    assert not waited["content_sid"] and waited["took"] < CONTENT_TIMEOUT_S + 2


def test_a_menu_is_created_once_by_couriers_sharing_a_database(assistant: RunningAssistant) -> None:
    engine, options = engine_for(assistant.database_url), menu(3)  # SQLite, then PostgreSQL
    body = numbered("¿Cuál?", options)
    name = content_for(body, options).friendly_name

    def made_on_twilio() -> List[str]:
        return [c.sid for c in client(assistant).content.v1.contents.list() if c.friendly_name == name]

    async def at_once() -> List[str]:
        return list(await asyncio.gather(*(Contents(engine, sender(assistant)).sid_for(body, options)
                                           for _ in range(3))))

    sids = asyncio.run(at_once())  # one claims and makes it; the others wait for nothing (text) or find it stored
    made, = made_on_twilio()
    assert made in sids and set(sids) <= {made, ""}
    assert asyncio.run(Contents(engine, sender(assistant)).sid_for(body, options)) == made  # from the database
    assert option_id(options.tag, 3) in str(client(assistant).content.v1.contents(made).fetch().types)


def test_a_claim_makes_others_send_text_until_it_expires_then_twilio_is_looked_up(
        assistant: RunningAssistant) -> None:
    engine, options = engine_for(assistant.database_url), menu(2)
    body = numbered("¿Cuál?", options)
    content = content_for(body, options)
    made = asyncio.run(sender(assistant).create_content(content.request()))  # by an engine that died after it
    claimed = datetime.now(timezone.utc)
    with session_scope(engine) as session:
        session.execute(sa.insert(WhatsAppContent).values(friendly_name=content.friendly_name, claimed_at=claimed))
    assert asyncio.run(Contents(engine, sender(assistant)).sid_for(body, options)) == ""  # claimed: text now
    with session_scope(engine) as session:
        session.execute(sa.update(WhatsAppContent).where(WhatsAppContent.friendly_name == content.friendly_name)
                        .values(claimed_at=claimed - timedelta(seconds=CLAIM_S + 1)))
    assert asyncio.run(Contents(engine, sender(assistant)).sid_for(body, options)) == made  # found, not made again
    assert [c.sid for c in client(assistant).content.v1.contents.list()
            if c.friendly_name == content.friendly_name] == [made]


def test_only_our_ids_are_read_as_taps() -> None:
    form = whatsapp_form("AC" + "0" * 32, "+5215512345678", "Protección sin denunciar")
    listed = parse({**form, "MessageType": "interactive", "ListId": option_id("0123456789", 2),
                    "ListTitle": "Protección sin denunciar"})
    assert listed.dialogue_text == "2" and listed.tapped.tag == "0123456789"
    assert listed.text == "Protección sin denunciar"  # what the person saw and tapped, as Twilio's Body
    button = parse({**form, "MessageType": "button", "ButtonPayload": option_id("abcdef0123", 1)})
    assert button.dialogue_text == "1"
    for foreign in ("PROMO_1", "opt-0123456789-0", "opt-XYZ-1", "/human_handoff", "opt-0123456789-2 ",
                    "opt-0123456789-2\n"):
        other = parse({**form, "MessageType": "button", "ButtonPayload": foreign})
        assert other.tapped is None and other.dialogue_text == "Protección sin denunciar"
