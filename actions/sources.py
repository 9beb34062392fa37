"""'¿De dónde sale esto?': the sources of the last answer and when they were checked."""

from typing import Dict, List, Set, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import SOURCES_SLOT, ReplyAction
from actions.help_nearby import directory
from bot.guidance.compose import DIRECTORY_REF, ENTRY_REF
from bot.guidance.content import guidance


def source_lines(refs: List[str]) -> List[Dict[str, object]]:
    """One catalogue part per source: each law once, with every article the answer cites."""
    cited: Dict[Tuple[str, str], List[str]] = {}
    checked: Dict[Tuple[str, str], str] = {}
    desk: Set[Tuple[str, str]] = set()
    parts: List[Dict[str, object]] = []
    entries = {str(entry.id): entry for entry in directory().index().entries}
    for ref in refs:
        if ref.startswith(f"{ENTRY_REF}:"):
            named = entries.get(ref.split(":")[1])  # gone since the answer: nothing to show
            if named:
                parts.append({"key": "source_entry", "values": {
                    "name": named.name, "source": named.source, "checked": named.verified_on.isoformat()}})
            continue
        if ref.startswith(DIRECTORY_REF):
            _, oldest, newest = ref.split(":")
            parts.append({"key": "source_directory", "values": {"oldest": oldest, "newest": newest}})
            continue
        fact = guidance().fact(ref)
        if fact is None:
            continue
        for source in fact.sources:
            key = (source["title"], source.get("url", ""))
            articles = cited.setdefault(key, [])
            if source.get("articles") and source["articles"] not in articles:
                articles.append(source["articles"])
            checked[key] = max(checked.get(key, ""), fact.checked.isoformat())
            if fact.verification == "desk":
                desk.add(key)
    for (title, url), articles in cited.items():
        parts.append({"key": "source_line", "values": {
            "title": title, "articles": f", arts. {'; '.join(articles)}" if articles else "",
            "url": f" {url}" if url else "", "checked": checked[(title, url)] + ("*" if (title, url) in desk else "")}})
    if desk:
        parts.append({"key": "source_desk_note"})
    return parts


class ActionSource(ReplyAction):
    keeps_sources = True

    def name(self) -> str:
        return "action_source"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        refs = tracker.get_slot(SOURCES_SLOT) or []
        if not refs:
            dispatcher.utter_message(response="utter_no_source")
            return []
        dispatcher.utter_message(response="utter_sources", parts=source_lines(refs))
        return []
