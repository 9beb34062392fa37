"""Rasa natural language generator that renders replies from the locales/ catalogues.

Named in endpoints.yml (`nlg: type: bot.replies.generator.CatalogueNLG`), it runs inside
the dialogue engine: no network hop per reply. The conversation's language is the
`language` slot, unless the action names another with `in_language`.

A person who asked for audio (the `audio` slot, or `with_audio` in the turn that changes
it) gets, on WhatsApp and SMS conversations, the approved recording of the reply as its
attachment, when the message is exactly the text the recording was approved with: a signed link the outbox sends after the text on WhatsApp, never by SMS
(bot/recordings/). The web chat gets none.
"""

import asyncio
from typing import Any, Dict, Optional

from rasa.core.nlg.generator import NaturalLanguageGenerator
from rasa.shared.core.trackers import DialogueStateTracker

from bot.identity import WEB_CHAT_PREFIX
from bot.languages import DEFAULT_LANGUAGE
from bot.recordings.attach import Recordings
from bot.recordings.choice import AUDIO_OVERRIDE, AUDIO_SLOT
from bot.replies.catalogue import Catalogues
from bot.replies.render import render

LANGUAGE_SLOT = "language"
# An action may ask for another language than the slot's, e.g. in the turn that changes it.
LANGUAGE_OVERRIDE = "in_language"


class CatalogueNLG(NaturalLanguageGenerator):
    """Renders each reply in the conversation's language."""

    def __init__(self, endpoint_config: Any = None, domain: Any = None) -> None:
        self.catalogues = Catalogues.load()
        self.recordings = Recordings.from_env()

    async def generate(
        self,
        utter_action: str,
        tracker: DialogueStateTracker,
        output_channel: str,
        **kwargs: Any,
    ) -> Optional[Dict[str, Any]]:
        language = kwargs.get(LANGUAGE_OVERRIDE) or tracker.get_slot(LANGUAGE_SLOT) or DEFAULT_LANGUAGE
        values = {name: value for name, value in kwargs.items() if not isinstance(value, (list, dict))}
        message = render(utter_action, language, self.catalogues, values,
                         parts=kwargs.get("parts") or (), choices=kwargs.get("choices") or (),
                         relabel=kwargs.get("relabel") or {}, shared_choices=bool(kwargs.get("shared_choices")))
        if message and self.recordings and self._wants_audio(tracker, kwargs):
            link = await asyncio.to_thread(self.recordings.link_for, utter_action, (language, message["language"]),
                                           message["text"])
            if link:
                message["attachment"] = link
        return message

    @staticmethod
    def _wants_audio(tracker: DialogueStateTracker, kwargs: Dict[str, Any]) -> bool:
        wanted = kwargs[AUDIO_OVERRIDE] if AUDIO_OVERRIDE in kwargs else tracker.get_slot(AUDIO_SLOT)
        return bool(wanted) and not tracker.sender_id.startswith(WEB_CHAT_PREFIX)
