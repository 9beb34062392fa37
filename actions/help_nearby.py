"""Help near the person: ask where they are, understand the answer, list what is close.

find_help → action_find_help → the answer at once if the place is already known
(actions/places.py), else place_form, which asks with action_ask_place and reads
every answer as a place (validate_place_form) → action_help_near_me. A WhatsApp location
pin goes straight to action_help_near_me.
"""

from functools import lru_cache
from typing import Any, Dict, List, Optional, Sequence, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.affected import affected
from actions.counted import counted
from actions.conversation import PENDING_SLOT, SOURCES_SLOT, TOPIC_SLOT, ReplyAction, latest_intent
from actions.options import answer_stale_tap, stale_tap
from actions.places import current_place_key
from bot.directory.catalogue import catalogue
from bot.directory.nearest import Directory, Entry
from bot.directory.reply_parts import contact_parts, lines_parts
from bot.directory.resolver import resolver
from bot.guidance.compose import DIRECTORY_REF
from bot.guidance.content import guidance
from bot.replies.option_words import option_number
from bot.settings import database_url
from bot.storage.database import engine_for

PLACE_SLOTS = ("place", "place_key", "place_options")
PLACE_FOR_SLOT = "place_for"  # what the place question is for: "guidance", or help nearby (None)
FAR_KM = 100  # an observatory farther than this is "far"; closer local help is listed too
OTHER_HELP_KM = 150  # other help farther than this is listed only when it is in the person's own state
OTHER_HELP_CANDIDATES = 10
FIND_HELP = "find_help"  # the intent, and the topic counted in the statistics
HELP_NEARBY = "help_nearby"  # the situation of lines.yml's `fits` when the person came for nothing in particular
OTHER_HELP_KINDS = {
    "protection": ("women_justice_centre", "victims_commission"),
    "report_crime": ("prosecutor", "victims_commission"),
}
DEFAULT_OTHER_KINDS = ("women_justice_centre", "prosecutor", "victims_commission")


@lru_cache(maxsize=1)
def directory() -> Directory:
    return Directory(engine_for(database_url()))


class ActionFindHelp(ReplyAction):
    """Help near the place already known (named in this message or before); otherwise
    asks where the person is. A request that names what happened, when that has an answer
    of its own (a disappearance, abuse by the police), gets that answer instead."""

    def name(self) -> str:
        return "action_find_help"

    def remember(self, tracker: Tracker) -> List[EventType]:
        from actions.guidance import CRIME_SLOT, REPORT, answered_before_help_nearby  # it builds on this module

        told = answered_before_help_nearby(tracker.latest_message)
        return [SlotSet(CRIME_SLOT, told), SlotSet(PENDING_SLOT, REPORT)] if told else []

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        from actions.guidance import REPORT, answer_topic, answered_before_help_nearby

        told = answered_before_help_nearby(tracker.latest_message)
        if told:  # "¿dónde denuncio una desaparición en Sonora?": what happened comes first
            return answer_topic(dispatcher, tracker, REPORT, told)
        if current_place_key(tracker):
            return [SlotSet(PLACE_FOR_SLOT, None), *ActionHelpNearMe().respond(dispatcher, tracker)]
        return [SlotSet(PLACE_FOR_SLOT, None), *(SlotSet(slot, None) for slot in PLACE_SLOTS),
                FollowupAction("place_form")]


class ActionAskPlace(ReplyAction):
    """The place question: first asked, asked again after an unknown place, or silent
    while the person chooses among same-named places (the options were just listed) and
    after a tap on an older menu (the validation answered it)."""

    greets_first = False
    keeps_sources = True  # a question, not an answer: "¿de dónde sale esto?" asks about the answer before it

    def name(self) -> str:
        return "action_ask_place"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        if tracker.get_slot("place_options") or stale_tap(tracker):
            return []
        retry = tracker.get_slot("requested_slot") == "place"
        first = "utter_ask_state" if tracker.get_slot(PLACE_FOR_SLOT) == "guidance" else "utter_ask_place"
        dispatcher.utter_message(response="utter_place_not_found" if retry else first)
        return []


class ValidatePlaceForm(FormValidationAction):
    def name(self) -> str:
        return "validate_place_form"

    def validate_place(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        text = str(value or "")
        if stale_tap(tracker):
            answer_stale_tap(dispatcher, tracker)
            return {"place": None}
        options = tracker.get_slot("place_options") or []
        chosen = option_number(text)  # "1", "la segunda", "#2"
        if options and chosen is not None:
            if 1 <= chosen <= len(options):
                return {"place": text, "place_key": options[chosen - 1], "place_options": None}
            dispatcher.utter_message(response="utter_option_out_of_range", highest=len(options))
            return {"place": None}
        resolution = resolver().resolve(text)
        if resolution.outcome == "found":
            key = resolution.place.state_key if resolution.state_only else resolution.place.key
            return {"place": text, "place_key": key, "place_options": None}
        if resolution.outcome == "ambiguous":
            choices = [{"title": c.label, "payload": str(n)} for n, c in enumerate(resolution.options, start=1)]
            dispatcher.utter_message(response="utter_which_place", choices=choices)
            return {"place": None, "place_options": [c.municipality.key for c in resolution.options]}
        return {"place": None, "place_options": None}


class ActionHelpNearMe(ReplyAction):
    """The nearest observatory, other help for what the person came for, national lines."""

    def name(self) -> str:
        return "action_help_near_me"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        origin, where, state_key = self.origin(tracker)
        if origin is None:
            return [*(SlotSet(slot, None) for slot in PLACE_SLOTS), FollowupAction("place_form")]
        index = directory().index()
        observatory_parts: List[Dict[str, Any]] = []
        nearest = index.nearest(origin, ["observatory"], 1)
        far = False
        if nearest:
            observatory, km = nearest[0]
            far = km > FAR_KM
            observatory_parts = [_line("help_observatory_far" if far else "help_observatory", observatory, km),
                                 *contact_parts(observatory)]
        kinds = OTHER_HELP_KINDS.get(tracker.get_slot(TOPIC_SLOT), DEFAULT_OTHER_KINDS)
        others = [(e, km) for e, km in index.nearest(origin, kinds, OTHER_HELP_CANDIDATES)
                  if km <= OTHER_HELP_KM or (state_key and e.state_key == state_key)][:2]
        other_parts: List[Dict[str, Any]] = [{"key": "help_other_heading" if others else "help_none_nearby"}]
        for other, km in others:
            other_parts += [_line("help_other", other, km), *contact_parts(other)]
        # What the person can reach comes first (own state's offices too); a far observatory after it.
        parts = other_parts + observatory_parts if far else observatory_parts + other_parts
        case = tracker.get_slot("crime")
        fitting = guidance().lines_for(tracker.get_slot(TOPIC_SLOT) or HELP_NEARBY, case)
        lines = [line for line in index.unlocated(["national_line", "shelter_line"], state_key)
                 if fits(line, case, affected(tracker))]
        parts += lines_parts(lines, [guidance().lines[key]["says"] for key in fitting])
        listed = [e for e, _ in nearest + others] + lines
        sources = [f"line:{key}" for key in fitting] or None
        if listed:
            dates = sorted(e.verified_on for e in listed)
            oldest, newest = dates[0].isoformat(), dates[-1].isoformat()
            parts.append({"key": "help_source", "values": {"oldest": oldest, "newest": newest}})
            sources = [f"{DIRECTORY_REF}:{oldest}:{newest}", *(sources or [])]
        reply = "utter_help_near_me" if where else "utter_help_near_pin"
        dispatcher.utter_message(response=reply, where=where, parts=parts)
        found = others[0][0].kind if others else (None if far or not nearest else "observatory")
        counted(tracker, ("topic", FIND_HELP), ("help", found or "not_found"))
        return [SlotSet(SOURCES_SLOT, sources)]

    @staticmethod
    def origin(tracker: Tracker) -> Tuple[Optional[Tuple[float, float]], str, Optional[str]]:
        """Where to measure from, how to name it, and its state."""
        latitude, longitude = tracker.get_slot("latitude"), tracker.get_slot("longitude")
        if latest_intent(tracker) == "share_location" and latitude is not None and longitude is not None:
            return (latitude, longitude), "", None
        key = current_place_key(tracker) or ""
        places = catalogue()
        if len(key) == 2 and key in places.states:
            capital = places.capital(key)
            return capital.point, places.states[key], key
        municipality = places.municipalities.get(key)
        if municipality is None:
            return None, "", None
        point = municipality.point or places.capital(municipality.state_key).point
        return point, municipality.label, municipality.state_key


def fits(line: Entry, case: Optional[str], affected: Sequence[str] = ()) -> bool:
    """Whether a directory line belongs in help for this case: one standing for a line of
    guidance/lines.yml meant only for some cases (the trafficking line) only for those, or
    for who is affected (a migrant)."""
    content = guidance()
    return content.fits_case(content.cases_of(content.line_named(line.name) or {}), case, affected)


def _line(key: str, entry: Entry, km: float) -> Dict[str, Any]:
    return {"key": key, "values": {"name": entry.name, "place": entry.place or entry.name,
                                   "distance": max(1, round(km))}}
