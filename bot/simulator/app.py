"""The phone simulator: a page, a signed-webhook sender, and a fake Twilio Messages API.

`POST /send` builds the form Twilio would post for a message typed on the page (SMS or
WhatsApp, text, location pin, voice note, photo, a tap on a button or list item), signs
it with the auth token exactly as Twilio does, and posts it to the assistant's webhook. The assistant's replies, sent with
the real twilio client pointed here, land in `POST /2010-04-01/Accounts/<sid>/Messages.json`
and are listed by `GET /messages` for the page (and for tests). A message sent with a
ContentSid the fake's Content API made (bot/simulator/fake_content.py) gets that content's
body, as Twilio shows it, and `GET /messages` adds what WhatsApp shows of it (`shown`: its
buttons or list). A message created with a
StatusCallback has its statuses posted there, signed as Twilio signs them: sent, delivered
and, on WhatsApp, read.

`POST /faults {"mode": …}` makes the fake API misbehave, for the fault tests and `make
soak`: "ok", "error" (500), "hang" (no answer for a minute), "drop" (the connection closed
without an answer, as when Twilio cannot be reached); "whatsapp-error" fails WhatsApp only;
"refuse" answers 400 (Twilio's 21211, a number it cannot reach), which is never retried;
"whatsapp-undelivered" takes WhatsApp messages, then reports them undelivered (63024);
"whatsapp-failed-first" reports WhatsApp messages failed (63024) before it answers the request
that made them, as Twilio's callback can overtake its own answer; "whatsapp-unreported" takes
them, then has them undelivered (63024) with no callback reaching the assistant (its
Message resource says so);
"whatsapp-window" takes WhatsApp free-form messages, then reports them failed (63016:
outside the 24-hour window; an approved template still goes, not a content the fake's
Content API made: none is approved); "content-error" and "content-hang"
fail the Content API only.

Every message, sent or received, is kept as Twilio keeps it, with its media, until it is
deleted (bot/simulator/fake_records.py); `GET /messages` marks the deleted ones.
"""

import asyncio
import base64
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import aiohttp
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator

from bot.channels.outgoing_text import sms_segments
from bot.identity import WHATSAPP_PREFIX
from bot.simulator import fake_content
from bot.simulator.fake_records import Records, media_url, outage, register
from bot.simulator.twilio_form import message_sid, sms_form, status_form, tap_fields, whatsapp_form

PAGE = Path(__file__).with_name("static") / "phone.html"
SAMPLE_MEDIA = {"audio": "audio/ogg", "image": "image/jpeg"}
FAULT_MODES = ("ok", "error", "hang", "drop", "whatsapp-error", "refuse", "whatsapp-undelivered",
               "whatsapp-failed-first", "whatsapp-unreported", "whatsapp-window", "content-error", "content-hang")
STATUS_DELAY_S = 0.2  # between a message's creation and each of its status callbacks
UNDELIVERED_CODE = 63024  # Twilio's "Invalid message recipient" on WhatsApp
OUTSIDE_WINDOW_CODE = 63016  # Twilio's "outside the allowed window" for a WhatsApp free-form message


def create_app(webhook_url: str, public_url: str, account_sid: str, auth_token: str) -> Sanic:
    app = Sanic("orienta_simulator")
    sent: List[Dict[str, Any]] = []
    fault = {"mode": "ok", "refused": 0}
    validator = RequestValidator(auth_token)
    expected_auth = "Basic " + base64.b64encode(f"{account_sid}:{auth_token}".encode()).decode()
    records = Records(account_sid)
    register(app, records, auth_token, fault)
    contents = fake_content.Contents(account_sid)
    fake_content.register(app, contents, auth_token, fault)
    shown: Dict[str, Dict[str, Any]] = {}  # message sid → what WhatsApp shows of its content

    @app.get("/")
    async def page(request: Request) -> HTTPResponse:
        return await response.file(PAGE, mime_type="text/html; charset=utf-8")

    @app.post("/send")
    async def send(request: Request) -> HTTPResponse:
        wish = request.json or {}
        number = str(wish.get("number") or "+525512345678")
        body = str(wish.get("body") or "")
        if wish.get("mode") == "whatsapp":
            location = None
            if wish.get("latitude") is not None and wish.get("longitude") is not None:
                location = (float(wish["latitude"]), float(wish["longitude"]))
            kind = wish.get("media")
            sid = message_sid(kind in SAMPLE_MEDIA)
            media = (SAMPLE_MEDIA[kind], media_url(public_url, account_sid, sid)) if kind in SAMPLE_MEDIA else None
            form = whatsapp_form(account_sid, number, body, location, media, sid=sid)
            if isinstance(wish.get("tap"), dict):  # a button or list item of a reply, as WhatsApp posts it
                form.update(tap_fields(wish["tap"].get("kind", ""), str(wish["tap"].get("id", "")),
                                       str(wish["tap"].get("title", ""))))
        else:
            form = sms_form(account_sid, number, body)
        records.receive(form)
        signature = validator.compute_signature(webhook_url, form)
        async with aiohttp.ClientSession() as session:
            async with session.post(webhook_url, data=form, headers={"X-Twilio-Signature": signature}) as answer:
                return response.json({"status": answer.status, "address": form["From"]})

    @app.post("/2010-04-01/Accounts/<sid>/Messages.json")
    async def messages_api(request: Request, sid: str) -> HTTPResponse:
        if request.headers.get("Authorization") != expected_auth or sid != account_sid:
            return response.json({"code": 20003, "message": "Authenticate", "status": 401}, status=401)
        mode = fault["mode"]
        if mode.startswith("content-"):
            mode = "ok"
        if mode == "whatsapp-error":
            mode = "error" if request.form.get("To", "").startswith("whatsapp:") else "ok"
        if mode != "ok":
            fault["refused"] += 1
        if mode == "refuse":  # refused for good, as Twilio refuses a number it cannot reach
            return response.json({"code": 21211, "message": "Invalid 'To' Phone Number", "status": 400}, status=400)
        away = await outage(request, mode)
        if away is not None:
            return away
        body = request.form.get("Body", "")
        to = request.form.get("To", "")
        content = contents.shown(request.form.get("ContentSid", ""), to.startswith(WHATSAPP_PREFIX))
        if content is not None:
            body = content["body"]
        message = {
            "sid": "SM" + uuid.uuid4().hex, "account_sid": sid, "to": request.form.get("To", ""),
            "from": request.form.get("From", ""), "body": body, "status": "queued", "error_code": None,
            "content_sid": request.form.get("ContentSid", ""),
            "media_url": request.form.get("MediaUrl", ""),
            "num_segments": str(sms_segments(body)), "direction": "outbound-api",
            "api_version": "2010-04-01",
        }
        sent.append(message)
        records.send(message)
        if content is not None:
            shown[message["sid"]] = content
        whatsapp = message["to"].startswith(WHATSAPP_PREFIX)
        steps = [("sent", None), ("delivered", None)] + ([("read", None)] if whatsapp else [])
        if whatsapp and fault["mode"] in ("whatsapp-undelivered", "whatsapp-unreported"):
            steps = [("sent", None), ("undelivered", UNDELIVERED_CODE)]
        elif whatsapp and fault["mode"] == "whatsapp-window" and (content is not None or not message["content_sid"]):
            # free-form text, or a content made here (none approved): only a template passes
            steps = [("failed", OUTSIDE_WINDOW_CODE)]
        callback = request.form.get("StatusCallback") or ""
        if whatsapp and fault["mode"] == "whatsapp-unreported":
            callback = ""  # the callback never reaches the assistant
        if whatsapp and fault["mode"] == "whatsapp-failed-first":
            await report_statuses(callback, message, [("failed", UNDELIVERED_CODE)])
        else:
            app.add_task(report_statuses(callback, message, steps))
        return response.json(message, status=201)

    async def report_statuses(url: str, message: Dict[str, Any], steps: List[Tuple[str, Optional[int]]]) -> None:
        """Moves the message through its statuses, as Twilio does once it is sent, posting
        each to its StatusCallback when it has one."""
        async with aiohttp.ClientSession() as session:
            for status, error_code in steps:
                await asyncio.sleep(STATUS_DELAY_S)
                message["status"], message["error_code"] = status, error_code
                if not url or message["sid"] in records.deleted:
                    continue
                form = status_form(account_sid, message["sid"], message["to"], message["from"], status, error_code)
                headers = {"X-Twilio-Signature": validator.compute_signature(url, form)}
                try:
                    async with session.post(url, data=form, headers=headers) as answer:
                        await answer.read()
                except aiohttp.ClientError:
                    url = ""  # the assistant is away: Twilio gives up on the callback, not the message

    @app.post("/faults")
    async def faults(request: Request) -> HTTPResponse:
        mode = (request.json or {}).get("mode")
        if mode not in FAULT_MODES:
            return response.json({"error": f"mode must be one of {', '.join(FAULT_MODES)}"}, status=400)
        fault["mode"] = mode
        return response.json(fault)

    @app.get("/messages")
    async def messages(request: Request) -> HTTPResponse:
        after = int(request.args.get("after", "0") or 0)
        to = request.args.get("to")
        listed = [dict(m, index=i, deleted=m["sid"] in records.deleted, shown=shown.get(m["sid"]))
                  for i, m in enumerate(sent) if i >= after and (not to or m["to"] == to)]
        return response.json({"messages": listed, "next": len(sent)})

    @app.get("/media/<name>")
    async def sample_media(request: Request, name: str) -> HTTPResponse:
        return response.raw(b"", content_type="application/octet-stream")

    return app
