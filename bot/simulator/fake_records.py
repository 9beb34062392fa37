"""The Twilio fake's message records: what Twilio keeps of every message, sent or
received, with its media, and their deletion, in the formats of Twilio's Message and Media
resources (API version 2010-04-01).

Under /2010-04-01/Accounts/<AccountSid>, with the account's credentials (else 401, 20003):
- GET    /Messages/<Sid>.json                   the Message resource
- DELETE /Messages/<Sid>.json                   204, its media with it; refused (422, 20009:
                                                "Cannot delete this resource before it is
                                                complete") while a sent message is not in a
                                                final status
- GET    /Messages/<Sid>/Media.json             its Media resources ("media_list")
- GET    /Messages/<Sid>/Media/<MediaSid>.json  one Media resource
- GET    /Messages/<Sid>/Media/<MediaSid>       the file
- DELETE /Messages/<Sid>/Media/<MediaSid>.json  204
An unknown or deleted message or medium is a 404 (20404), as on Twilio. The fake's
outages ("error", "hang", "drop": bot/simulator/app.py) apply to these routes too.

`POST /received` (the fake's own) records a message as Twilio records what a person sends,
from the form Twilio posts to the webhook: the page's /send does so, and tests that post
the webhook themselves. A medium's file is `sample_file(media_sid)`.
"""

import asyncio
import base64
import mimetypes
import re
import uuid
from email.utils import formatdate
from typing import Any, Dict, List, Optional, Set, Tuple

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

API = "/2010-04-01/Accounts/<account>/Messages"
HANG_S = 60  # how long a "hang" leaves a request unanswered
# Statuses after which Twilio is done with a message (a received one is done on arrival).
DONE = {"delivered", "undelivered", "failed", "read", "received", "canceled"}
_MEDIA_PATH = re.compile(r"/2010-04-01/Accounts/AC\w+/Messages/(?P<message>\w+)/Media/(?P<media>ME\w+)$")


def sample_file(media_sid: str) -> bytes:
    """The file the fake serves for a medium: bytes that name it."""
    return f"sample file {media_sid}".encode()


def media_url(base_url: str, account_sid: str, message_sid: str) -> str:
    """A new medium's link, as Twilio gives it in MediaUrl0."""
    return f"{base_url}/2010-04-01/Accounts/{account_sid}/Messages/{message_sid}/Media/ME{uuid.uuid4().hex}"


class Records:
    """Every message record the fake holds, and the ids of those deleted."""

    def __init__(self, account_sid: str) -> None:
        self.account_sid = account_sid
        self.messages: Dict[str, Dict[str, Any]] = {}
        self.media: Dict[str, Dict[str, Tuple[str, bytes]]] = {}  # message → medium → (type, file)
        self.deleted: Set[str] = set()

    def _uri(self, message_sid: str, suffix: str = ".json") -> str:
        return f"/2010-04-01/Accounts/{self.account_sid}/Messages/{message_sid}{suffix}"

    def add(self, message: Dict[str, Any], media: List[Tuple[str, str]]) -> None:
        """Keeps a message (the dict itself: its status moves on as the fake reports it)
        with its media, each (medium sid, content type)."""
        sid = message["sid"]
        now = formatdate(usegmt=True)
        message.update(num_media=str(len(media)), uri=self._uri(sid), date_created=now, date_updated=now,
                       subresource_uris={"media": self._uri(sid, "/Media.json"),
                                         "feedback": self._uri(sid, "/Feedback.json")})
        self.messages[sid] = message
        self.media[sid] = {media_sid: (content_type, sample_file(media_sid)) for media_sid, content_type in media}

    def send(self, message: Dict[str, Any]) -> None:
        """Keeps a message the account sent, with the medium its MediaUrl named."""
        link = message.get("media_url") or ""
        content_type = mimetypes.guess_type(link.split("?")[0])[0] or "application/octet-stream"
        self.add(message, [("ME" + uuid.uuid4().hex, content_type)] if link else [])

    def receive(self, form: Dict[str, str]) -> None:
        """Keeps what a person sent, from the form Twilio posts for it."""
        sid = form.get("MessageSid", "")
        media = []
        for index in range(int(form.get("NumMedia", "0") or 0)):
            found = _MEDIA_PATH.search(form.get(f"MediaUrl{index}", ""))
            media_sid = found["media"] if found and found["message"] == sid else "ME" + uuid.uuid4().hex
            media.append((media_sid, form.get(f"MediaContentType{index}", "application/octet-stream")))
        self.add({"sid": sid, "account_sid": self.account_sid, "to": form.get("To", ""),
                  "from": form.get("From", ""), "body": form.get("Body", ""), "status": "received",
                  "direction": "inbound", "num_segments": form.get("NumSegments", "1"),
                  "api_version": "2010-04-01"}, media)

    def medium(self, message_sid: str, media_sid: str) -> Dict[str, Any]:
        content_type, _ = self.media[message_sid][media_sid]
        created = self.messages[message_sid]["date_created"]
        return {"sid": media_sid, "account_sid": self.account_sid, "parent_sid": message_sid,
                "content_type": content_type, "date_created": created, "date_updated": created,
                "uri": self._uri(message_sid, f"/Media/{media_sid}.json")}

    def delete(self, message_sid: str) -> None:
        del self.messages[message_sid], self.media[message_sid]
        self.deleted.add(message_sid)


def error_answer(status: int, code: int, message: str) -> HTTPResponse:
    """An error as Twilio answers one."""
    return response.json({"code": code, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}",
                          "status": status}, status=status)


def _not_found(request: Request) -> HTTPResponse:
    return error_answer(404, 20404, f"The requested resource {request.path} was not found")


async def outage(request: Request, mode: str) -> Optional[HTTPResponse]:
    """Twilio's API away, as the fake's fault mode says: "hang" answers only after HANG_S,
    "drop" closes the connection unanswered, "error" answers 500; else None."""
    if mode == "hang":
        await asyncio.sleep(HANG_S)
    if mode == "drop":
        request.transport.close()
        return response.empty(status=500)
    if mode in ("error", "hang"):
        return error_answer(500, 20500, "Internal Server Error")
    return None


def register(app: Sanic, records: Records, auth_token: str, fault: Dict[str, Any]) -> None:
    """Adds the record routes to the fake, which misbehave as `fault["mode"]` says."""
    expected = "Basic " + base64.b64encode(f"{records.account_sid}:{auth_token}".encode()).decode()

    async def refused(request: Request, account: str) -> Optional[HTTPResponse]:
        if request.headers.get("Authorization") != expected or account != records.account_sid:
            return error_answer(401, 20003, "Authenticate")
        return await outage(request, fault["mode"])

    @app.route(f"{API}/<resource>", methods=["GET", "DELETE"])
    async def message(request: Request, account: str, resource: str) -> HTTPResponse:
        sid, _, extension = resource.partition(".")
        found = records.messages.get(sid)
        refusal = await refused(request, account)
        if refusal or found is None or extension != "json":
            return refusal or _not_found(request)
        if request.method == "GET":
            return response.json(found)
        if found["status"] not in DONE:
            return error_answer(422, 20009, "Cannot delete this resource before it is complete")
        records.delete(sid)
        return response.empty(status=204)

    @app.get(f"{API}/<sid>/Media.json")
    async def media_list(request: Request, account: str, sid: str) -> HTTPResponse:
        refusal = await refused(request, account)
        if refusal or sid not in records.media:
            return refusal or _not_found(request)
        uri = records._uri(sid, "/Media.json")
        listed = [records.medium(sid, media_sid) for media_sid in records.media[sid]]
        return response.json({"media_list": listed, "page": 0, "page_size": 50, "start": 0, "end": len(listed) - 1,
                              "uri": uri, "first_page_uri": uri, "next_page_uri": None, "previous_page_uri": None})

    @app.route(f"{API}/<sid>/Media/<media_sid>", methods=["GET", "DELETE"])
    async def medium(request: Request, account: str, sid: str, media_sid: str) -> HTTPResponse:
        refusal = await refused(request, account)
        name, dot, extension = media_sid.partition(".")
        held = records.media.get(sid, {})
        if refusal or name not in held or extension not in ("", "json"):
            return refusal or _not_found(request)
        if request.method == "DELETE":
            del held[name]
            return response.empty(status=204)
        if dot:
            return response.json(records.medium(sid, name))
        content_type, content = held[name]
        return response.raw(content, content_type=content_type)

    @app.post("/received")
    async def received(request: Request) -> HTTPResponse:
        records.receive({name: request.form.get(name) for name in request.form})
        return response.empty(status=204)
