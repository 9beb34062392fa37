"""Reads a Twilio messaging webhook (SMS or WhatsApp) into one incoming message."""

import json
import math
import re
from dataclasses import asdict, dataclass
from typing import Mapping, Optional, Tuple

from bot.identity import WHATSAPP_PREFIX
from bot.replies.option_ids import Tap, tapped

MAX_MEDIA = 10  # Twilio sends at most ten media items per message
MAX_DIALOGUE_CHARS = 4096  # what the dialogue reads of one text (WhatsApp's longest); staff read it all
MAX_CONTENT_TYPE_CHARS = 128
# Never in Twilio's own fields; a database may refuse them (PostgreSQL refuses NUL). The
# person's Body may hold anything: it is only ever stored sealed.
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
_CONTENT_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*")


class MalformedRequest(ValueError):
    """The request is not a Twilio incoming-message webhook."""


@dataclass(frozen=True)
class IncomingMessage:
    message_sid: str
    address: str  # From: "+52…" for SMS, "whatsapp:+521…" for WhatsApp
    our_address: str  # To: the number the person wrote to, which replies come from
    text: str
    media: Tuple[Tuple[str, str], ...] = ()  # (content type, URL)
    location: Optional[Tuple[float, float]] = None
    opt_out_type: str = ""  # Twilio's Advanced Opt-Out verdict: STOP, START or HELP
    tap: str = ""  # the id of a WhatsApp button (ButtonPayload) or list item (ListId) tapped

    @property
    def tapped(self) -> Optional[Tap]:
        return tapped(self.tap)

    @property
    def channel(self) -> str:
        return "whatsapp" if self.address.startswith(WHATSAPP_PREFIX) else "sms"

    @property
    def is_long(self) -> bool:
        """Longer than the dialogue reads: the person is told, staff can read it all."""
        return len(self.text) > MAX_DIALOGUE_CHARS

    @property
    def dialogue_text(self) -> str:
        """The text as the dialogue reads it: a tap is its option's number, as if typed; a
        text whole up to MAX_DIALOGUE_CHARS, else its beginning and its end (where "…me va a
        matar" often is), joined by an ellipsis."""
        if self.tapped:
            return str(self.tapped.number)
        if not self.is_long:
            return self.text
        half = MAX_DIALOGUE_CHARS // 2
        return f"{self.text[:half]}\n…\n{self.text[-half:]}"

    def dialogue_inputs(self, text_first: bool = False) -> Tuple[Tuple[str, bool], ...]:
        """What the dialogue engine receives, each input with whether this channel wrote it:
        a location, media, then the text (first, when `text_first`: an urgent text).

        A pin and media become the assistant's own intent payloads; text goes as written
        (`dialogue_text`), never read as a payload.
        """
        inputs = []
        if self.location:
            latitude, longitude = self.location
            inputs.append(("/share_location" + json.dumps({"latitude": latitude, "longitude": longitude}), True))
        if self.media:
            kind = self.media[0][0].split("/")[0]
            inputs.append(("/shared_media" + json.dumps({"media_type": kind}), True))
        if self.text.strip() or not inputs:
            inputs.insert(0 if text_first else len(inputs), (self.dialogue_text, False))
        return tuple(inputs)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> "IncomingMessage":
        fields = json.loads(text)
        return cls(**{**fields, "media": tuple(tuple(item) for item in fields["media"]),
                      "location": tuple(fields["location"]) if fields["location"] else None})


def _location(params: Mapping[str, str]) -> Optional[Tuple[float, float]]:
    if not params.get("Latitude") or not params.get("Longitude"):
        return None
    try:
        latitude, longitude = float(params["Latitude"]), float(params["Longitude"])
    except ValueError as error:
        raise MalformedRequest("Latitude and Longitude must be numbers") from error
    if not (math.isfinite(latitude) and math.isfinite(longitude)) or abs(latitude) > 90 or abs(longitude) > 180:
        raise MalformedRequest("Latitude or Longitude out of range")
    return latitude, longitude


def _media(params: Mapping[str, str]) -> Tuple[Tuple[str, str], ...]:
    try:
        count = int(params.get("NumMedia") or 0)
    except ValueError as error:
        raise MalformedRequest("NumMedia must be a number") from error
    if not 0 <= count <= MAX_MEDIA:
        raise MalformedRequest("NumMedia out of range")
    media = tuple(
        (_content_type(params.get(f"MediaContentType{i}", "")), params[f"MediaUrl{i}"])
        for i in range(count)
        if params.get(f"MediaUrl{i}")
    )
    return media


def _content_type(declared: str) -> str:
    """A media item's declared type, as a type/subtype of bounded length, else generic."""
    kind = declared.strip().lower()
    if len(kind) > MAX_CONTENT_TYPE_CHARS or not _CONTENT_TYPE.fullmatch(kind):
        return "application/octet-stream"
    return kind


def _tap(params: Mapping[str, str]) -> str:
    """The option a WhatsApp tap chose (the id we gave its button or list item); "" for a
    typed message or a payload that is not one of ours (read as its text, the title)."""
    value = params.get("ButtonPayload") or params.get("ListId") or ""
    return value if tapped(value) else ""


def parse(params: Mapping[str, str]) -> IncomingMessage:
    """The message in a webhook's form fields; unknown fields are ignored."""
    message_sid = params.get("MessageSid") or params.get("SmsMessageSid") or ""
    address, our_address = params.get("From", ""), params.get("To", "")
    if not message_sid or not address or not our_address:
        raise MalformedRequest("MessageSid, From and To are required")
    if max(len(message_sid), len(address), len(our_address)) > 64:
        raise MalformedRequest("MessageSid, From or To too long")
    if any(_UNSTORABLE.search(value) for name, value in params.items() if name != "Body"):
        raise MalformedRequest("control characters in a field")
    return IncomingMessage(
        message_sid=message_sid,
        address=address,
        our_address=our_address,
        text=params.get("Body") or "",
        media=_media(params),
        location=_location(params),
        opt_out_type=(params.get("OptOutType") or "").upper(),
        tap=_tap(params),
    )
