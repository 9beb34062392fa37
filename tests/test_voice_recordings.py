"""Recordings of replies for people who do not read: uploaded and reviewed on the staff pages
(Chromium, and hostile uploads over HTTP), stored in the database, fetched by Twilio from the
engine through a signed link that expires, and sent after the text on WhatsApp — never by
SMS — to a person who asked for audio through the trained model, until they ask to stop."""

import ast
import asyncio
import io
import re
import secrets
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Optional

import pytest
import requests
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from actions.session import ActionSessionStart
from bot.nlu.keyword_intents import KeywordRules
from bot.recordings import formats, store
from bot.recordings.links import PATH, Links
from bot.recordings.models import APPROVED, OUTDATED, PENDING, VoiceRecording
from bot.replies import live, reviews
from bot.replies.catalogue_tools import source_entries
from bot.replies.live import source_hash
from bot.storage.database import engine_for, session_scope
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from bot.web import accounts
from bot.web.reviewers import variants
from tests import audio_samples
from tests.conftest import ON_SQLITE_ONLY, STAFF_PASSWORD, Phone, RunningAssistant, type_message
from tests.test_admin_pages import sign_in, web
from tests.test_handoff import LEON

ROOT = Path(__file__).resolve().parents[1]
REPLY = "utter_main_menu"  # what "menú" answers: the reply a person gets recorded in the tests below
UPLOAD = "/recordings/upload"
KEYWORD_RULES = KeywordRules()


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    role: str
    review_language: Optional[str] = None
    active: bool = True


class StaffSession:
    """An account signed in to the staff pages over HTTP."""

    def __init__(self, assistant: RunningAssistant, username: str) -> None:
        self.base, self.http = web(assistant), requests.Session()
        self.http.post(f"{self.base}/login", data={"username": username, "password": STAFF_PASSWORD,
                                                   "csrf_token": self.token()})

    def token(self) -> str:
        return re.search(r'name="csrf_token" value="([^"]+)"', self.http.get(f"{self.base}/login").text).group(1)

    def upload(self, data: bytes, reply_key: str = REPLY, language: str = "tzh", filename: str = "grabacion.ogg",
               declared: str = "audio/ogg", with_token: bool = True) -> requests.Response:
        form = {"reply_key": reply_key, "language": language, **({"csrf_token": self.token()} if with_token else {})}
        return self.http.post(self.base + UPLOAD, data=form, files={"audio": (filename, io.BytesIO(data), declared)},
                              allow_redirects=False)


def account(assistant: RunningAssistant, role: str = "admin", language: Optional[str] = None) -> Account:
    """A new administrator, or a reviewer of `language`."""
    username = f"{role}-{secrets.token_hex(4)}"
    accounts.create(assistant.engine, username, STAFF_PASSWORD, role, review_language=language,
                    review_variant=variants()[language][0]["name"] if language else None)
    user_id = assistant.query("SELECT id FROM users WHERE username = ?", username)[0][0]
    return Account(user_id, username, role, language)


def stored(assistant: RunningAssistant, data: bytes, language: str = "tzh", approved: bool = False,
           reply_key: str = "utter_acknowledge") -> int:
    """A recording an administrator uploaded and, if `approved`, a reviewer of its language approved."""
    with session_scope(assistant.engine) as session:
        recording_id = store.upload(session, (reply_key,), reply_key, language, data, account(assistant)).id
    if approved:
        with session_scope(assistant.engine) as session:
            store.review(session, recording_id, True, account(assistant, "reviewer", language))
    return recording_id


def links(assistant: RunningAssistant) -> Links:
    """The engine's links, made with the deployment's secret as every engine makes them."""
    return Links(assistant.sender_key.encode(), assistant.base_url)


def media_after(assistant: RunningAssistant, phone: Phone, text: str) -> List[Dict[str, str]]:
    """The messages the assistant sent back to `text` (the webhook answers once they went):
    their body and media link."""
    before = len(assistant.sent_to(phone.address))
    assert phone.send(text) == 200
    sent = assistant.sent_to(phone.address)[before:]
    phone.seen = before + len(sent)
    return [{"body": message["body"], "media_url": message["media_url"]} for message in sent]


def in_tseltal_with_audio(assistant: RunningAssistant, channel: str) -> Phone:
    """A person who chose Tseltal (no reviewed text yet: Spanish text) and asked for audio."""
    phone = assistant.phone(channel)
    for message in ("hola", "1", "tseltal"):
        phone.say(message)
    phone.say("no")  # no interpreter for now, thanks
    assert any("SIN AUDIO" in body for body in phone.say("no sé leer"))
    return phone


# ---- what an upload is: its bytes, never its name ----

@pytest.mark.parametrize("sample, content_type", [
    (audio_samples.ogg_opus(), "audio/ogg"), (audio_samples.mp3(), "audio/mpeg"),
    (audio_samples.m4a(), "audio/mp4"), (audio_samples.amr(), "audio/amr"),
    (b"\xff\xf1\x50\x80" + b"\0" * 300, "audio/aac"),
])
def test_the_audio_formats_whatsapp_plays_are_read_from_their_bytes(sample: bytes, content_type: str) -> None:
    assert formats.checked(sample).content_type == content_type


@pytest.mark.parametrize("hostile, reason", [
    (b"<html><script>alert(1)</script></html>" * 4, "no es una grabación"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 200, "no es una grabación"),
    (b"MZ\x90\x00" + b"\0" * 200, "no es una grabación"),
    (audio_samples.ogg_vorbis(), "no es una grabación"),  # Ogg, but not Opus: WhatsApp would not play it
    (b"OggS", "vacío"),
    (b"", "vacío"),
    (audio_samples.ogg_opus() + b"\0" * formats.MAX_BYTES, "más de 5 MB"),
])
def test_anything_else_is_refused_with_its_reason(hostile: bytes, reason: str) -> None:
    with pytest.raises(formats.Refused, match=reason):
        formats.checked(hostile)


# ---- signed links ----

def test_a_link_expires_after_an_hour_and_any_change_voids_it() -> None:
    made = Links(b"secret", "https://orienta.example")
    url = urllib.parse.urlsplit(made.url(7, "audio/ogg", now=1_000_000))
    assert url.path == f"{PATH}/7.ogg"
    query = dict(urllib.parse.parse_qsl(url.query))
    assert made.valid(7, query["expires"], query["signature"], now=1_000_000 + 3599)
    assert Links(b"secret", None).valid(7, query["expires"], query["signature"], now=1_000_000)  # any engine
    assert not made.valid(7, query["expires"], query["signature"], now=1_000_000 + 3600)  # expired
    assert not made.valid(8, query["expires"], query["signature"], now=1_000_000)  # another recording
    assert not made.valid(7, str(int(query["expires"]) + 3600), query["signature"], now=1_000_000)  # longer life
    assert not made.valid(7, query["expires"], query["signature"][:-1] + "0", now=1_000_000)
    assert not made.valid(7, query["expires"], "ñ" * 64, now=1_000_000)
    assert not made.valid(7, "-1", query["signature"], now=1_000_000)
    assert not Links(b"other secret", None).valid(7, query["expires"], query["signature"], now=1_000_000)
    assert Links(b"secret", None).url(7, "audio/ogg") is None  # nowhere Twilio could fetch it


# ---- asking for audio, and to stop it ----

@pytest.mark.parametrize("text, intent", [
    ("audio", "audio_on"), ("Audio por favor", "audio_on"), ("¡Mándame audio!", "audio_on"),
    ("no sé leer", "audio_on"), ("No se leer bien", "audio_on"), ("en audio", "audio_on"),
    ("¿me puedes mandar las respuestas en audio?", "audio_on"), ("prefiero notas de voz", "audio_on"),
    ("sin audio", "audio_off"), ("Ya no quiero audios", "audio_off"), ("no me mandes audios", "audio_off"),
    ("quita el audio", "audio_off"), ("solo texto", "audio_off"),
    ("te mandé un audio", None), ("¿puedo mandar un audio?", None), ("mi hijo no sabe leer", None),
    ("me va a matar, no sé leer", "danger"),
])
def test_the_words_that_turn_the_audio_on_and_off(text: str, intent: Optional[str]) -> None:
    assert KEYWORD_RULES.intent_for(text) == intent


# ---- the audio choice is kept across sessions ----

def test_a_new_session_keeps_the_audio_on() -> None:
    tracker = Tracker("someone", {"audio": True, "topic": "report_crime"}, {}, [], False, None, {}, "")
    carried = asyncio.run(ActionSessionStart().run(CollectingDispatcher(), tracker, {}))
    assert SlotSet("audio", True) in carried
    assert not any(event.get("name") == "topic" for event in carried)


# ---- a request made beside the request for audio is answered too ----

ROBBERY_STEP = "Si te robaron el celular"  # a sentence of the robbery's reporting steps (guidance/national.yml)


def test_a_request_beside_the_request_for_audio_is_answered_right_after(assistant: RunningAssistant) -> None:
    phone = assistant.phone("whatsapp")
    phone.say("hola")
    replies = phone.say("no sé leer, me robaron")
    assert "SIN AUDIO" in replies[0] and any(ROBBERY_STEP in reply for reply in replies[1:])
    assert any("SIN AUDIO" in reply for reply in phone.say("quiero audios, dónde denuncio"))
    assert not any(ROBBERY_STEP in reply for reply in phone.say("no sé leer"))  # audio alone: only the confirmation


def test_a_first_message_asking_for_audio_and_help_gets_the_help_after_the_welcome(assistant: RunningAssistant) -> None:
    phone = assistant.phone("whatsapp")
    assert not any(ROBBERY_STEP in reply for reply in phone.say("no sé leer, me robaron"))  # the welcome first
    assert any(ROBBERY_STEP in reply for reply in phone.say("sí"))
    slots = [e for e in assistant.events(phone.sender_id, "slot") if e.get("name") == "audio"]
    assert slots[-1]["value"] is True


# ---- the public endpoint Twilio fetches ----

@ON_SQLITE_ONLY
def test_the_engine_serves_an_approved_recording_only_through_a_valid_link(assistant: RunningAssistant) -> None:
    sample = audio_samples.ogg_opus()
    approved = stored(assistant, sample, approved=True)
    pending = stored(assistant, audio_samples.mp3())
    url = links(assistant).url(approved, "audio/ogg")
    fetched = requests.get(url, timeout=10)
    assert fetched.status_code == 200 and fetched.content == sample
    assert fetched.headers["Content-Type"] == "audio/ogg" and fetched.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in fetched.headers["Content-Security-Policy"]
    head = requests.head(url, timeout=10)  # Twilio checks the Content-Type first
    assert head.status_code == 200 and head.headers["Content-Type"] == "audio/ogg"

    expired = links(assistant).url(approved, "audio/ogg", now=time.time() - 3601)
    tampered = url.replace("signature=", "signature=0")
    other = url.replace(f"/{approved}.ogg", f"/{pending}.ogg")
    unsigned = url.split("?")[0]
    for refused in (expired, tampered, other, unsigned):
        assert requests.get(refused, timeout=10).status_code == 403, refused
    assert requests.get(links(assistant).url(pending, "audio/mpeg"), timeout=10).status_code == 404  # not reviewed
    assert requests.get(url.replace(".ogg", ".mp3"), timeout=10).status_code == 404
    for listing in (f"{assistant.base_url}{PATH}/", f"{assistant.base_url}{PATH}", f"{assistant.base_url}{PATH}/..%2F"):
        answer = requests.get(listing, timeout=10)
        assert answer.status_code in (403, 404, 405) and sample not in answer.content, listing


# ---- uploads over HTTP, hostile ones included ----

@ON_SQLITE_ONLY
def test_hostile_uploads_are_refused_with_a_clear_message_and_nothing_is_stored(assistant: RunningAssistant) -> None:
    uploader = StaffSession(assistant, assistant.new_account("admin"))
    count = lambda: assistant.query("SELECT COUNT(*) FROM voice_recordings")[0][0]  # noqa: E731
    before = count()
    script = b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(document.cookie)</script></svg>"
    cases = [
        (dict(data=script, filename="nota.ogg"), "no es una grabación que WhatsApp reproduzca"),
        (dict(data=audio_samples.ogg_vorbis()), "no es una grabación que WhatsApp reproduzca"),
        (dict(data=b""), "está vacío"),
        (dict(data=audio_samples.ogg_opus(), reply_key="utter_inventada"), "Esa respuesta no existe"),
        (dict(data=audio_samples.ogg_opus(), reply_key="<script>"), "Esa respuesta no existe"),
        (dict(data=audio_samples.ogg_opus(), language="../../etc"), "Ese idioma no está"),
        (dict(data=audio_samples.ogg_opus() + b"\0" * formats.MAX_BYTES), "pesa más de 5 MB"),
    ]
    for arguments, message in cases:
        answer = uploader.upload(filename=arguments.pop("filename", "grabacion.ogg"), **arguments)
        assert answer.status_code == 400 and message in answer.text, (message, answer.status_code)
        assert "<script>alert" not in answer.text
    too_big = uploader.upload(audio_samples.ogg_opus() + b"\0" * (7 * 1024 * 1024))
    assert too_big.status_code == 413 and "demasiado grande" in too_big.text
    assert uploader.upload(audio_samples.ogg_opus(), with_token=False).status_code == 400
    staff = StaffSession(assistant, assistant.new_account("staff", LEON))
    assert staff.upload(audio_samples.ogg_opus()).status_code == 403
    assert count() == before

    accepted = uploader.upload(audio_samples.mp3(), filename="nota.exe", declared="application/x-msdownload")
    assert accepted.status_code == 302  # what counts is what the bytes are
    assert assistant.query("SELECT content_type, status FROM voice_recordings ORDER BY id DESC")[0] == \
        ("audio/mpeg", PENDING)


@ON_SQLITE_ONLY
def test_only_a_reviewer_of_the_language_reviews_and_not_the_uploader(assistant: RunningAssistant) -> None:
    recording = stored(assistant, audio_samples.ogg_opus())
    tseltal = account(assistant, "reviewer", "tzh")
    for refused in (account(assistant), account(assistant, "reviewer", "nah")):  # an administrator; another language
        with pytest.raises(store.NotAllowed), session_scope(assistant.engine) as session:
            store.review(session, recording, True, refused)
    with pytest.raises(formats.Refused, match="del idioma que revisas"), session_scope(assistant.engine) as session:
        store.upload(session, (REPLY,), REPLY, "nah", audio_samples.ogg_opus(), tseltal)
    with session_scope(assistant.engine) as session:
        own = store.upload(session, (REPLY,), REPLY, "tzh", audio_samples.ogg_opus(), tseltal).id
    with pytest.raises(store.NotAllowed, match="Quien subió"), session_scope(assistant.engine) as session:
        store.review(session, own, True, tseltal)
    spanish = stored(assistant, audio_samples.mp3(), language="es")
    with session_scope(assistant.engine) as session:
        store.review(session, spanish, False, account(assistant))  # Spanish, the source language: an administrator
    assert assistant.query("SELECT status FROM voice_recordings WHERE id IN (?, ?, ?) ORDER BY id",
                           recording, own, spanish) == [(PENDING,), (PENDING,), ("rejected",)]


# ---- the page, in a browser: upload, review by someone else, audit ----

@ON_SQLITE_ONLY
def test_an_upload_waits_for_another_reviewer_and_every_step_is_audited(
        open_page: Callable[[str], Page], assistant: RunningAssistant) -> None:
    uploader, reviewer = account(assistant).username, account(assistant, "reviewer", "tzh").username
    page = open_page(web(assistant, "/login"))
    sign_in(page, assistant, uploader)
    page.get_by_role("link", name="Grabaciones").click()
    page.get_by_label("Respuesta").select_option("utter_danger")
    page.get_by_label("Idioma de la grabación").select_option("tzh")
    page.get_by_label("Archivo").set_input_files(
        files=[{"name": "peligro.ogg", "mimeType": "audio/ogg", "buffer": audio_samples.ogg_opus()}])
    page.get_by_role("button", name="Subir").click()
    expect(page.get_by_role("status")).to_contain_text("espera la revisión de otra persona")
    row = page.locator("#recordings tbody tr").first
    expect(row).to_contain_text("utter_danger")
    expect(row).to_contain_text("Tseltal")
    expect(row).to_contain_text("espera revisión")
    expect(row.get_by_role("button", name="Aprobar")).to_have_count(0)  # not by the one who uploaded it
    recording_id = int(row.get_attribute("data-recording"))
    own = requests.Session()  # nor by posting the form anyway
    for cookie in page.context.cookies():
        own.cookies.set(cookie["name"], cookie["value"])
    token = re.search(r'name="csrf_token" value="([^"]+)"', own.get(web(assistant, "/recordings/")).text)[1]
    own.post(web(assistant, f"/recordings/{recording_id}/approve"), data={"csrf_token": token})
    assert assistant.query("SELECT status FROM voice_recordings WHERE id = ?", recording_id) == [(PENDING,)]

    page.get_by_label("Archivo").set_input_files(
        files=[{"name": "peligro.ogg", "mimeType": "audio/ogg", "buffer": b"<html>no soy audio</html>" * 9}])
    page.get_by_role("button", name="Subir").click()
    expect(page.get_by_role("alert")).to_contain_text("no es una grabación que WhatsApp reproduzca")

    page.get_by_role("button", name="Salir").click()
    sign_in(page, assistant, reviewer)
    page.get_by_role("link", name="Grabaciones").click()
    row = page.locator(f'#recordings tr[data-recording="{recording_id}"]')
    listened = page.request.get(web(assistant, f"/recordings/{recording_id}/audio"))
    assert listened.ok and listened.headers["content-type"] == "audio/ogg"
    row.get_by_role("button", name="Aprobar").click()
    expect(page.locator(f'#recordings tr[data-recording="{recording_id}"] .status')).to_have_text("en uso")
    page.get_by_role("button", name="Salir").click()
    sign_in(page, assistant, uploader)
    page.get_by_role("link", name="Registro").click()
    expect(page.locator("table")).to_contain_text("Subió una grabación")
    expect(page.locator("table")).to_contain_text("Aprobó una grabación")
    expect(page.locator("table")).to_contain_text(f"grabación {recording_id}: utter_danger · tzh")


# ---- the person: text, then the recording, on WhatsApp; never by SMS ----

def test_a_tseltal_speaker_gets_the_text_then_the_recording_on_whatsapp(assistant: RunningAssistant) -> None:
    """On SQLite and on PostgreSQL: reviewed a moment ago, the recording goes with the next
    message, through a link Twilio (here the simulator's fake API) fetches from the engine."""
    sample = audio_samples.ogg_opus(seconds=3)
    phone = in_tseltal_with_audio(assistant, "whatsapp")
    [before] = media_after(assistant, phone, "menú")  # the text served (another test may have reviewed one)
    menu_text = before["body"]
    assert before["media_url"] == "" and menu_text
    unreviewed = stored(assistant, sample, reply_key=REPLY)
    sent = media_after(assistant, phone, "menú")
    assert sent == [before]  # never unreviewed

    with session_scope(assistant.engine) as session:
        store.review(session, unreviewed, True, account(assistant, "reviewer", "tzh"))
    sent = media_after(assistant, phone, "menú")
    assert sent[0] == before
    assert sent[1]["body"] == "" and sent[1]["media_url"].startswith(f"{assistant.base_url}{PATH}/{unreviewed}.ogg?")
    fetched = requests.get(sent[1]["media_url"], timeout=10)
    assert fetched.status_code == 200 and fetched.content == sample and fetched.headers["Content-Type"] == "audio/ogg"

    off = media_after(assistant, phone, "sin audio")
    assert "AUDIO" in off[0]["body"] and all(m["media_url"] == "" for m in off)
    assert [m["media_url"] for m in media_after(assistant, phone, "menú")] == [""]
    assert media_after(assistant, phone, "mándame audio")[-1]["media_url"] == ""  # no recording of that reply yet
    assert media_after(assistant, phone, "menú")[-1]["media_url"].startswith(f"{assistant.base_url}{PATH}/")


def test_sms_gets_the_text_only(assistant: RunningAssistant) -> None:
    approved = stored(assistant, audio_samples.ogg_opus(), approved=True, reply_key=REPLY)
    phone = in_tseltal_with_audio(assistant, "sms")
    sent = media_after(assistant, phone, "menu")
    assert sent and all(m["media_url"] == "" for m in sent) and sent[0]["body"]
    attached = [(event.get("data") or {}).get("attachment") for event in assistant.events(phone.sender_id, "bot")]
    assert attached[-1].startswith(f"{assistant.base_url}{PATH}/{approved}.ogg?")  # left out by the SMS outbox
    assert assistant.query("SELECT status FROM voice_recordings WHERE id = ?", approved) == [(APPROVED,)]


@ON_SQLITE_ONLY
def test_a_danger_reply_keeps_nothing_of_its_recording_once_delivered(assistant: RunningAssistant) -> None:
    """Its text is held, sealed, until Twilio reports it delivered (else it goes again by SMS);
    its recording, which SMS would not carry, is cleared once sent."""
    stored(assistant, audio_samples.ogg_opus(), approved=True, reply_key="utter_danger")
    phone = in_tseltal_with_audio(assistant, "whatsapp")
    sent = media_after(assistant, phone, "me van a matar")
    assert sent[0]["body"] and any(m["media_url"] for m in sent)
    deadline, kept = time.monotonic() + 10, None
    while kept != 0 and time.monotonic() < deadline:
        time.sleep(0.3)
        kept = assistant.query("SELECT COUNT(*) FROM outbox WHERE sender_id = ? AND (sealed_to IS NOT NULL OR "
                               "sealed_media_url IS NOT NULL)", phone.sender_id)[0][0]
    assert kept == 0


@ON_SQLITE_ONLY
def test_a_withdrawn_recording_is_sent_and_served_no_more(assistant: RunningAssistant) -> None:
    recording = stored(assistant, audio_samples.amr(), language="tzh", reply_key="utter_audio_off", approved=True)
    reviewer = account(assistant, "reviewer", "tzh")
    url = links(assistant).url(recording, "audio/amr")
    assert requests.get(url, timeout=10).status_code == 200
    with session_scope(assistant.engine) as session:
        store.withdraw(session, recording, reviewer)
    assert requests.get(url, timeout=10).status_code == 404


@ON_SQLITE_ONLY
def test_a_recording_of_a_spanish_text_changed_since_is_sent_no_more(assistant: RunningAssistant) -> None:
    """As a translation goes back to review, a recording approved against another Spanish text
    (the reply corrected since, a new number) is neither attached nor served, and the page
    says to record it again; one approved for the text as it is now is."""
    older = stored(assistant, audio_samples.amr(), language="tzh", reply_key="utter_audio_off", approved=True)
    url = links(assistant).url(older, "audio/amr")
    assert requests.get(url, timeout=10).status_code == 200
    with session_scope(assistant.engine) as session:
        session.execute(sa.update(VoiceRecording).where(VoiceRecording.id == older)
                        .values(source_hash=source_hash("Listo. Ya no te mando audios (texto anterior).")))
    with session_scope(assistant.engine) as session:
        assert [r.status for r in store.listing(session) if r.id == older] == [OUTDATED]
        assert store.approved_for(session, "utter_audio_off", ["tzh"], store.read_with(session, "utter_audio_off", "tzh")) is None
    assert requests.get(url, timeout=10).status_code == 404
    with session_scope(assistant.engine) as session:  # a reply the catalogue no longer has: nothing matches
        session.execute(sa.update(VoiceRecording).where(VoiceRecording.id == older)
                        .values(reply_key="utter_no_longer_in_the_catalogue", source_hash=None))
    with session_scope(assistant.engine) as session:
        assert store.approved_for(session, "utter_no_longer_in_the_catalogue", ["tzh"], "") is None
    newer = stored(assistant, audio_samples.amr(), language="tzh", reply_key="utter_audio_off", approved=True)
    with session_scope(assistant.engine) as session:
        assert store.approved_for(session, "utter_audio_off", ["tzh"],
                                  store.read_with(session, "utter_audio_off", "tzh")) == (newer, "audio/amr")


def test_only_a_reply_that_reads_the_same_for_everyone_is_recorded(seeded: str) -> None:
    """A recording cannot say a person's observatory or the guidance composed for them, nor
    a piece of a message; it is approved against the text with the lines' numbers filled in,
    so a new number stops it."""
    assert store.recordable("utter_bot_challenge") and store.recordable("utter_danger_self_harm")
    with session_scope(engine_for(seeded)) as session:
        for never in ("utter_guidance", "utter_handoff_offer", "utter_option_out_of_range", "help_phone",
                      "item.report.how", "utter_invented"):
            assert not store.recordable(never) and store.read_with(session, never, "tzh") is None, never
        spoken = store.read_with(session, "utter_danger_self_harm", "es")
    assert "{" not in spoken and re.search(r"\d{3} ?\d{3} ?\d{4}", spoken)  # the Línea de la Vida, filled in
    with pytest.raises(formats.Refused, match="cambia según la persona"):
        store.upload(None, ("utter_guidance",), "utter_guidance", "tzh", audio_samples.amr(), None)


def test_no_reply_an_action_sends_with_options_or_lines_of_the_moment_is_recorded() -> None:
    """Read from the actions themselves, so that a new one cannot be forgotten."""
    sent_with = set()
    for path in (ROOT / "actions").glob("*.py"):
        for call in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            keywords = {k.arg: k.value for k in getattr(call, "keywords", ())}
            if (isinstance(call, ast.Call) and isinstance(keywords.get("response"), ast.Constant)
                    and {"choices", "parts"} & set(keywords)):
                sent_with.add(keywords["response"].value)
    assert {"utter_which_place", "utter_sources", "utter_guidance"} <= sent_with
    assert not [reply for reply in sent_with if store.recordable(reply)]


@ON_SQLITE_ONLY
def test_a_recording_goes_only_with_the_text_it_was_approved_with(assistant: RunningAssistant) -> None:
    """A Tseltal recording approved while the reply was in Spanish goes with the Spanish text;
    once a Tseltal text is published it waits to be recorded again (it says the other text),
    and goes again if that text is withdrawn."""
    stored(assistant, audio_samples.ogg_opus(), language="tzh", reply_key="utter_bot_challenge", approved=True)
    waiting = stored(assistant, audio_samples.amr(), language="tzh", reply_key="utter_bot_challenge")
    phone = in_tseltal_with_audio(assistant, "whatsapp")
    assert media_after(assistant, phone, "eres un robot?")[-1]["media_url"]
    reviewer, source, in_tseltal = account(assistant, "reviewer", "tzh"), source_entries(), "[tzh] Robot ja'. MENÚ."
    by = reviewer.id
    reviews.publish(assistant.engine, "tzh", "utter_bot_challenge", in_tseltal, source, by)
    time.sleep(live.CHECK_INTERVAL_S)  # the engine looks again at most this often
    try:
        sent = media_after(assistant, phone, "eres un robot?")
        assert [m["body"] for m in sent] == [in_tseltal] and not sent[0]["media_url"]
        with session_scope(assistant.engine) as session:  # uploaded before the text changed: not approved
            assert [r.status for r in store.listing(session) if r.id == waiting] == [OUTDATED]
            with pytest.raises(store.NotAllowed, match="cambió desde que se grabó"):
                store.review(session, waiting, True, reviewer)
    finally:
        reviews.withdraw(assistant.engine, "tzh", "utter_bot_challenge", source, None, by)
    time.sleep(live.CHECK_INTERVAL_S)
    assert media_after(assistant, phone, "eres un robot?")[-1]["media_url"]


@ON_SQLITE_ONLY
def test_the_phone_simulator_plays_the_recording_after_the_text(
        open_page: Callable[[str], Page], assistant: RunningAssistant) -> None:
    """In Spanish this time: a recording in the language of the text, for a person who does not read."""
    recording = stored(assistant, audio_samples.ogg_opus(), language="es", reply_key="utter_audio_on")
    with session_scope(assistant.engine) as session:
        store.review(session, recording, True, account(assistant))  # Spanish: an administrator reviews it
    page = open_page(f"http://127.0.0.1:{assistant.simulator_port}/")
    page.fill("#number", "+5215500004444")
    bot = page.locator(".msg.bot")
    for message, answer in (("hola", "¿Puedes escribir con calma ahora?"), ("1", "¿En qué idioma"),
                            ("1", "¿En qué te puedo orientar?")):
        type_message(page, message)
        expect(bot.last).to_contain_text(answer)
    type_message(page, "no sé leer")
    expect(bot.locator("audio")).to_have_count(1)
    expect(bot.nth(-2)).to_contain_text("SIN AUDIO")  # the text first, then its recording
    player = bot.last.locator("audio")
    assert player.get_attribute("src").startswith(f"{assistant.base_url}{PATH}/{recording}.ogg?")
