"""The Twilio fake's Content API: the parts the assistant uses, in Twilio's formats
(https://content.twilio.com/v1/Content; the twilio client's `content` domain pointed here).

- POST   /v1/Content          a JSON body (friendly_name, language, variables, types): 201
                              and the Content resource; refused (400, Twilio's error shape)
                              as Twilio refuses it: no language, no or unknown types, a body
                              too long, a quick-reply with more than 3 actions (what WhatsApp
                              takes within a session) or a title over 20 characters, a
                              list-picker with more than 10 items, an item over 24
                              characters, without a description or with one over 72, or
                              a button over 20
- GET    /v1/Content          the account's contents, a page at a time (PageSize, Page,
                              PageToken), with Twilio's `meta` and its next_page_url
- GET    /v1/Content/<sid>    one; DELETE /v1/Content/<sid> 204; an unknown sid 404
With the account's credentials (else 401, 20003). The fake's faults "content-error" (500)
and "content-hang" (no answer for a minute) apply to these routes only.
"""

import asyncio
import base64
import uuid
from email.utils import formatdate
from typing import Any, Dict, List, Optional

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.simulator.fake_records import HANG_S, error_answer

BASE = "https://content.twilio.com/v1/Content"
DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE = 50, 500
INVALID = 20001  # the code the fake gives every refused content
# Twilio's limits per type: body length, how many actions or items, and the longest title.
LIMITS = {"twilio/text": (1600, 0, 0), "twilio/quick-reply": (1024, 3, 20), "twilio/list-picker": (1024, 10, 24)}
MAX_ID, MAX_LIST_BUTTON, MAX_DESCRIPTION = 200, 20, 72


def invalid_types(types: Any) -> Optional[str]:
    """Why Twilio would refuse these types; None when it takes them."""
    if not isinstance(types, dict) or not types:
        return "Types must be an object with at least one content type"
    for kind, content in types.items():
        if kind not in LIMITS or not isinstance(content, dict):
            return f"Unsupported content type {kind}"
        longest_body, most, longest_title = LIMITS[kind]
        body = content.get("body")
        if not isinstance(body, str) or not body or len(body) > longest_body:
            return f"{kind} body is required and must be at most {longest_body} characters"
        if kind == "twilio/quick-reply":
            return _invalid_choices(kind, content.get("actions"), most, longest_title, "title")
        if kind == "twilio/list-picker":
            button = content.get("button")
            if not isinstance(button, str) or not button or len(button) > MAX_LIST_BUTTON:
                return f"{kind} button is required and must be at most {MAX_LIST_BUTTON} characters"
            return _invalid_choices(kind, content.get("items"), most, longest_title, "item")
    return None


def _invalid_choices(kind: str, choices: Any, most: int, longest: int, title: str) -> Optional[str]:
    if not isinstance(choices, list) or not 1 <= len(choices) <= most:
        return f"{kind} takes 1 to {most} {'actions' if title == 'title' else 'items'}"
    for choice in choices:
        if not isinstance(choice, dict):
            return f"{kind} {title}s must be objects"
        shown, item_id = choice.get(title), choice.get("id")
        if not isinstance(shown, str) or not shown or len(shown) > longest:
            return f"{kind} {title} is required and must be at most {longest} characters"
        if not isinstance(item_id, str) or not item_id or len(item_id) > MAX_ID:
            return f"{kind} id is required and must be at most {MAX_ID} characters"
        described = choice.get("description")
        if title == "item" and (not isinstance(described, str) or not described or len(described) > MAX_DESCRIPTION):
            return f"{kind} description is required and must be at most {MAX_DESCRIPTION} characters"
    return None


class Contents:
    """Every Content resource the fake holds, in the order they were created."""

    def __init__(self, account_sid: str) -> None:
        self.account_sid = account_sid
        self.held: Dict[str, Dict[str, Any]] = {}

    def create(self, request: Dict[str, Any]) -> Dict[str, Any]:
        sid = "HX" + uuid.uuid4().hex
        now = formatdate(usegmt=True)
        self.held[sid] = {
            "sid": sid, "account_sid": self.account_sid, "friendly_name": request.get("friendly_name"),
            "language": request["language"], "variables": request.get("variables") or {},
            "types": request["types"], "date_created": now, "date_updated": now, "url": f"{BASE}/{sid}",
            "links": {"approval_fetch": f"{BASE}/{sid}/ApprovalRequests",
                      "approval_create": f"{BASE}/{sid}/ApprovalRequests/whatsapp"},
        }
        return self.held[sid]

    def shown(self, sid: str, whatsapp: bool) -> Optional[Dict[str, Any]]:
        """What a content sent shows: its text, and on WhatsApp its buttons or list (kind,
        list button, each option's title and id); None for a content the fake never made."""
        content = self.held.get(sid)
        if content is None:
            return None
        types = content["types"]
        for kind, field, title in (("twilio/quick-reply", "actions", "title"), ("twilio/list-picker", "items", "item")):
            if whatsapp and kind in types:
                options = [{"title": choice[title], "id": choice["id"]} for choice in types[kind][field]]
                return {"body": types[kind]["body"], "kind": kind.split("/")[1], "options": options,
                        "button": types[kind].get("button", "")}
        return {"body": types.get("twilio/text", {}).get("body", ""), "kind": "text", "options": [], "button": ""}


def _page_size(request: Request) -> int:
    try:
        return max(1, min(MAX_PAGE_SIZE, int(request.args.get("PageSize") or DEFAULT_PAGE_SIZE)))
    except ValueError:
        return DEFAULT_PAGE_SIZE


def register(app: Sanic, contents: Contents, auth_token: str, fault: Dict[str, Any]) -> None:
    """Adds the Content API routes to the fake."""
    expected = "Basic " + base64.b64encode(f"{contents.account_sid}:{auth_token}".encode()).decode()

    async def refused(request: Request) -> Optional[HTTPResponse]:
        if request.headers.get("Authorization") != expected:
            return error_answer(401, 20003, "Authenticate")
        if fault["mode"] == "content-hang":
            await asyncio.sleep(HANG_S)
        if fault["mode"] in ("content-error", "content-hang"):
            return error_answer(500, 20500, "Internal Server Error")
        return None

    @app.post("/v1/Content")
    async def create(request: Request) -> HTTPResponse:
        refusal = await refused(request)
        if refusal:
            return refusal
        try:
            wish = request.json
        except Exception:  # Sanic's own error for a body that is not JSON
            wish = None
        if not isinstance(wish, dict):
            return error_answer(400, INVALID, "The request body must be a JSON object")
        if not isinstance(wish.get("language"), str) or not wish["language"]:
            return error_answer(400, INVALID, "Language is required")
        why = invalid_types(wish.get("types"))
        if why:
            return error_answer(400, INVALID, why)
        return response.json(contents.create(wish), status=201)

    @app.get("/v1/Content")
    async def listed(request: Request) -> HTTPResponse:
        refusal = await refused(request)
        if refusal:
            return refusal
        size = _page_size(request)
        page = int(request.args.get("Page") or 0) if (request.args.get("Page") or "0").isdigit() else 0
        every: List[Dict[str, Any]] = list(contents.held.values())
        here = f"{request.scheme}://{request.host}/v1/Content"
        more = (page + 1) * size < len(every)

        def url(number: int) -> str:
            return f"{here}?PageSize={size}&Page={number}" + (f"&PageToken=PT{number}" if number else "")

        return response.json({"contents": every[page * size:(page + 1) * size], "meta": {
            "page": page, "page_size": size, "first_page_url": url(0), "url": url(page),
            "previous_page_url": url(page - 1) if page else None, "next_page_url": url(page + 1) if more else None,
            "key": "contents"}})

    @app.route("/v1/Content/<sid>", methods=["GET", "DELETE"])
    async def one(request: Request, sid: str) -> HTTPResponse:
        refusal = await refused(request)
        if refusal or sid not in contents.held:
            return refusal or error_answer(404, 20404, f"The requested resource {request.path} was not found")
        if request.method == "DELETE":
            del contents.held[sid]
            return response.empty(status=204)
        return response.json(contents.held[sid])
