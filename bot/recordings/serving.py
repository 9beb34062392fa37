"""The public endpoint Twilio fetches recordings from (GET and HEAD, as Twilio checks a
MediaUrl's Content-Type before sending): the signed link checked first (403 when altered or
out of date, before anything is read), then the recording, only while it is approved (404
otherwise). Served as the audio type its bytes are, never as anything a browser would run."""

import asyncio
import re
from typing import Optional, Tuple

from sanic import response
from sanic.response import HTTPResponse
from sqlalchemy.engine import Engine

from bot.recordings import store
from bot.recordings.formats import BY_CONTENT_TYPE
from bot.recordings.links import Links
from bot.storage.database import session_scope

_NAME = re.compile(r"(\d{1,10})\.([a-z0-9]{2,4})")
HEADERS = {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'; sandbox",
           "Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer"}


def _approved(engine: Engine, recording_id: int) -> Optional[Tuple[str, bytes]]:
    with session_scope(engine) as session:
        return store.audio_of(session, recording_id)


async def recording_response(links: Links, engine: Engine, name: str, expires: str, signature: str) -> HTTPResponse:
    """The answer to a request for recording `name` (`<id>.<ext>`) with the link's query."""
    matched = _NAME.fullmatch(name)
    if matched is None:
        return response.text("Not found", status=404, headers=HEADERS)
    recording_id = int(matched[1])
    if not links.valid(recording_id, expires, signature):
        return response.text("This link is not valid, or no longer", status=403, headers=HEADERS)
    found = await asyncio.to_thread(_approved, engine, recording_id)
    if found is None or BY_CONTENT_TYPE[found[0]].extension != matched[2]:
        return response.text("Not found", status=404, headers=HEADERS)
    content_type, audio = found
    return response.raw(audio, content_type=content_type, headers={
        **HEADERS, "Content-Disposition": f'inline; filename="orienta.{matched[2]}"'})
