"""A small SMTP server on the standard library's asyncio, for tests: it takes every mail
and keeps it (envelope and message) for the test to read."""

import asyncio
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Iterator, List, Optional


@dataclass
class Mail:
    sender: str
    recipients: List[str]
    message: EmailMessage

    @property
    def text(self) -> str:
        """Every header and the body, as a reader of the mail sees them."""
        headers = "\n".join(f"{name}: {value}" for name, value in self.message.items())
        return f"{headers}\n{self.message.get_content()}"


@dataclass
class SMTPServer:
    """Listens on 127.0.0.1 at `port` from `start()` to `stop()`."""

    port: int = 0
    received: List[Mail] = field(default_factory=list)
    _loop: Optional[asyncio.AbstractEventLoop] = None
    _server: Optional[asyncio.base_events.Server] = None

    def start(self) -> None:
        ready = threading.Event()

        def serve() -> None:
            self._loop = asyncio.new_event_loop()
            self._server = self._loop.run_until_complete(asyncio.start_server(self._session, "127.0.0.1", 0))
            self.port = self._server.sockets[0].getsockname()[1]
            ready.set()
            self._loop.run_forever()

        threading.Thread(target=serve, daemon=True).start()
        ready.wait(10)

    def stop(self) -> None:
        assert self._loop is not None and self._server is not None
        self._loop.call_soon_threadsafe(self._server.close)
        self._loop.call_soon_threadsafe(self._loop.stop)

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        def reply(line: str) -> None:
            writer.write(f"{line}\r\n".encode())

        reply("220 test ESMTP")
        sender, recipients = "", []
        while line := (await reader.readline()).decode().rstrip("\r\n"):
            verb = line[:4].upper()
            if verb in ("EHLO", "HELO"):
                reply("250 test")
            elif verb == "MAIL":
                sender, recipients = line.split(":", 1)[1].strip().strip("<>").split(">")[0], []
                reply("250 OK")
            elif verb == "RCPT":
                recipients.append(line.split(":", 1)[1].strip().strip("<>"))
                reply("250 OK")
            elif verb == "DATA":
                reply("354 go on")
                await writer.drain()
                self.received.append(Mail(sender, recipients, await self._message(reader)))
                reply("250 OK")
            elif verb == "QUIT":
                reply("221 bye")
                await writer.drain()
                break
            else:
                reply("250 OK")  # RSET, NOOP
            await writer.drain()
        writer.close()

    @staticmethod
    async def _message(reader: asyncio.StreamReader) -> EmailMessage:
        lines: List[bytes] = []
        while (line := await reader.readline()) not in (b".\r\n", b""):
            lines.append(line[1:] if line.startswith(b"..") else line)  # dot-stuffing undone
        return message_from_bytes(b"".join(lines), policy=policy.default)  # type: ignore[return-value]


def running_smtp_server() -> Iterator[SMTPServer]:
    server = SMTPServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
