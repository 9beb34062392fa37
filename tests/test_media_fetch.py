"""Fetching received media for staff, against real HTTP servers: only the Twilio API's
origin is fetched, its credentials go nowhere else, and what is served is inert."""

import base64
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Iterator, List, Optional, Tuple

import pytest

from bot.web.media_fetch import MAX_BYTES, MediaRefused, fetch, served_headers

SID, TOKEN = "AC" + "1" * 32, "secret-token"
CREDENTIALS = "Basic " + base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
Reply = Callable[[str], Tuple[int, dict, bytes]]


@contextmanager
def server(reply: Reply) -> Iterator[Tuple[str, List[Tuple[str, Optional[str]]]]]:
    """An HTTP server on loopback answering `reply(path)`; yields its base URL and the
    (path, Authorization header) of every request it received."""
    seen: List[Tuple[str, Optional[str]]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            seen.append((self.path, self.headers.get("Authorization")))
            status, headers, body = reply(self.path)
            self.send_response(status)
            for name, value in {"Content-Length": str(len(body)), **headers}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", seen
    finally:
        httpd.shutdown()
        httpd.server_close()


def challenge(_: str) -> Tuple[int, dict, bytes]:
    return 401, {"WWW-Authenticate": 'Basic realm="x"'}, b""


@pytest.mark.parametrize("link", ["file:///etc/hostname", "https://api.twilio.com.evil.example/x",
                                  "http://api.twilio.com/2010-04-01/x", "gopher://127.0.0.1/"])
def test_links_off_the_twilio_origin_are_refused_without_a_request(link: str) -> None:
    with pytest.raises(MediaRefused):
        fetch(link, "image/jpeg", None, SID, TOKEN)


def test_another_server_asking_for_credentials_gets_none() -> None:
    with server(challenge) as (twilio, _), server(challenge) as (other, seen):
        with pytest.raises(MediaRefused):
            fetch(f"{other}/media/1", "image/jpeg", twilio, SID, TOKEN)
    assert seen == []


def test_twilio_gets_the_credentials_and_the_storage_it_redirects_to_does_not() -> None:
    base: List[str] = []

    def twilio_reply(path: str) -> Tuple[int, dict, bytes]:
        if path.startswith("/signed"):
            return 200, {"Content-Type": "image/jpeg"}, b"\xff\xd8photo"
        return 307, {"Location": f"{base[0]}/signed{path}"}, b""

    with server(twilio_reply) as (twilio, seen):
        base.append(twilio)
        media = fetch(f"{twilio}/Media/ME1", "image/jpeg", twilio, SID, TOKEN)
    assert media.content == b"\xff\xd8photo"
    assert seen == [("/Media/ME1", CREDENTIALS), ("/signed/Media/ME1", None)]


def test_a_redirect_to_plain_http_elsewhere_is_not_followed() -> None:
    with server(lambda _: (200, {}, b"secret")) as (other, other_seen):
        with server(lambda path: (302, {"Location": f"{other}{path}"}, b"")) as (twilio, _):
            with pytest.raises(MediaRefused):
                fetch(f"{twilio}/Media/ME1", "image/jpeg", twilio, SID, TOKEN)
    assert other_seen == []


def test_the_request_goes_to_the_configured_origin_not_the_link_as_written() -> None:
    with server(challenge) as (other, seen):
        for trick in (f"{other}\\@api.twilio.com/Media/ME1", f"{other}/Media/ME1 @api.twilio.com"):
            with pytest.raises(MediaRefused):
                fetch(trick, "image/jpeg", "http://api.twilio.com", SID, TOKEN)
    assert seen == []  # urllib3 reads the first as a link to the other server


def test_a_failed_or_oversized_answer_is_refused() -> None:
    with server(lambda _: (404, {}, b"no")) as (twilio, _):
        with pytest.raises(MediaRefused):
            fetch(f"{twilio}/Media/ME1", "image/jpeg", twilio, SID, TOKEN)
    with server(lambda _: (200, {}, b"x" * (MAX_BYTES + 1))) as (twilio, _):
        with pytest.raises(MediaRefused):
            fetch(f"{twilio}/Media/ME1", "image/jpeg", twilio, SID, TOKEN)


@pytest.mark.parametrize("declared, served, disposition", [
    ("image/jpeg", "image/jpeg", "inline"), ("audio/ogg; codecs=opus", "audio/ogg", "inline"),
    ("application/pdf", "application/pdf", "attachment"), ("text/html", "application/octet-stream", "attachment"),
    ("image/svg+xml", "application/octet-stream", "attachment"), ("", "application/octet-stream", "attachment")])
def test_what_is_served_cannot_run(declared: str, served: str, disposition: str) -> None:
    headers = served_headers(declared)
    assert headers["Content-Type"] == served and headers["Content-Disposition"] == disposition
    assert headers["X-Content-Type-Options"] == "nosniff" and "sandbox" in headers["Content-Security-Policy"]
