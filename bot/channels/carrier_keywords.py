"""SMS keywords that carriers and Twilio handle themselves (Twilio's default opt-out set).

Twilio answers them and blocks further messages after STOP; the assistant records the
opt-out and stays out of it: no turn, no reply.
"""

from enum import Enum
from typing import Optional

from bot.channels.twilio_request import IncomingMessage
from bot.text import bare_words


class Keyword(Enum):
    OPT_OUT = "STOP"
    OPT_IN = "START"
    HELP = "HELP"


WORDS = {
    Keyword.OPT_OUT: {"stop", "stopall", "unsubscribe", "cancel", "end", "quit"},
    Keyword.OPT_IN: {"start", "yes", "unstop"},
    Keyword.HELP: {"help", "info"},
}


def carrier_keyword(message: IncomingMessage) -> Optional[Keyword]:
    """The carrier keyword an SMS consists of, if any (WhatsApp has none)."""
    if message.channel != "sms":
        return None
    for keyword in Keyword:
        if message.opt_out_type == keyword.value:
            return keyword
    words = bare_words(message.text)
    return next((keyword for keyword, known in WORDS.items() if words in known), None)
