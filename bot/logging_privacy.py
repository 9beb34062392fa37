"""No log line of the dialogue engine carries what a person wrote.

Rasa and sanic put message texts and request data in their warnings and errors: Rasa's
"Failed to parse arguments in line '<the whole message>'", a structlog event with the
text, an exception whose message quotes a value. `install()` (bot/engine.py) passes every
log record of the process through `PrivacyFilter` as it is made, whichever handler prints
it, and turns warnings into records too:

- Orienta's own records (loggers `bot.*`, `actions.*`, `orienta.*`) hold counts and error
  types only, and are kept as they are;
- every other record keeps its level, its logger and its template, not its arguments; a
  message formatted before it was logged keeps only its opening words (up to the first
  quote, colon, digit, bracket or the like), and a structlog event only its name;
- a traceback keeps its frames, not the exceptions' messages.
"""

import json
import logging
import re
import traceback
import warnings
from types import TracebackType
from typing import Any, Optional, TextIO, Tuple, Type

OWN_LOGGERS = ("bot", "actions", "orienta")
WITHHELD = "[…]"
_OPENING = re.compile(r"[A-Za-z][A-Za-z_ ,.]*")
logger = logging.getLogger(__name__)


def opening(text: str) -> str:
    """The words a text opens with, up to the first character that may begin data."""
    match = _OPENING.match(text)
    if match and match.end() == len(text):
        return text
    return f"{match.group().rstrip(' ,.') if match else ''} {WITHHELD}".lstrip()


def _structlog_event(text: str) -> Optional[str]:
    """The event name of a structlog line (a JSON object), if it is one."""
    if not text.startswith("{"):
        return None
    try:
        event = json.loads(text).get("event")
    except (ValueError, AttributeError):
        return None
    return event if isinstance(event, str) else None


def _traceback(exc_info: Tuple[Optional[Type[BaseException]], Any, Optional[TracebackType]]) -> Optional[str]:
    kind, _, trace = exc_info
    if kind is None:
        return None
    frames = "".join(traceback.format_tb(trace))
    return f"Traceback (most recent call last):\n{frames}{kind.__qualname__}: {WITHHELD}"


class PrivacyFilter(logging.Filter):
    """Takes out of a record whatever could be a person's (see the module's docstring)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info:
            record.exc_text, record.exc_info = _traceback(record.exc_info), None
        if str(record.name).split(".")[0] in OWN_LOGGERS:  # a copy (makeLogRecord) starts nameless
            return True
        if not (isinstance(record.msg, str) and record.args):  # a template is code: it stays
            text = str(record.msg)
            event = _structlog_event(text)
            record.msg = opening(text) if event is None else f"{opening(event)} {WITHHELD}"
        record.args = ()
        return True


def log_warning(message: Any, category: Type[Warning], filename: str, lineno: int,
                file: Optional[TextIO] = None, line: Optional[str] = None) -> None:
    """warnings.showwarning: a warning as a record of this module, its text cut to its opening."""
    logger.warning("%s (%s:%d): %s", category.__name__, filename, lineno, opening(str(message)))


def install() -> None:
    """Filters every record of this process as it is made; warnings become records."""
    make_record = logging.getLogRecordFactory()
    privacy = PrivacyFilter()

    def filtered_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        privacy.filter(record)
        return record

    logging.setLogRecordFactory(filtered_record)
    warnings.showwarning = log_warning
