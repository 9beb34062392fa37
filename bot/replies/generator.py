"""Rasa natural language generator that renders replies from the locales/ catalogues.

Named in endpoints.yml (`nlg: type: bot.replies.generator.CatalogueNLG`), it runs inside
the dialogue engine: no network hop per reply. The conversation's language is the
`language` slot, unless the action names another with `in_language`.
"""

from typing import Any, Dict, Optional

from rasa.core.nlg.generator import NaturalLanguageGenerator
from rasa.shared.core.trackers import DialogueStateTracker

from bot.languages import DEFAULT_LANGUAGE
from bot.replies.catalogue import Catalogues
from bot.replies.render import render

LANGUAGE_SLOT = "language"
# An action may ask for another language than the slot's, e.g. in the turn that changes it.
LANGUAGE_OVERRIDE = "in_language"


class CatalogueNLG(NaturalLanguageGenerator):
    """Renders each reply in the conversation's language."""

    def __init__(self, endpoint_config: Any = None, domain: Any = None) -> None:
        self.catalogues = Catalogues.load()

    async def generate(
        self,
        utter_action: str,
        tracker: DialogueStateTracker,
        output_channel: str,
        **kwargs: Any,
    ) -> Optional[Dict[str, Any]]:
        language = kwargs.get(LANGUAGE_OVERRIDE) or tracker.get_slot(LANGUAGE_SLOT) or DEFAULT_LANGUAGE
        values = {name: value for name, value in kwargs.items() if not isinstance(value, (list, dict))}
        return render(utter_action, language, self.catalogues, values,
                      parts=kwargs.get("parts") or (), choices=kwargs.get("choices") or (),
                      relabel=kwargs.get("relabel") or {})
