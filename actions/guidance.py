"""How to report a crime and protection without a complaint, for the person's state.

report_crime / protection → the answer for the state already known from the
conversation, or first the place question (place_form, then action_place_answered).
A crime named in the message ("me robaron…") or chosen by number adds its own steps; a
situation with an answer of its own (abuse by an authority, sexual violence, child abuse,
digital violence, a witness, a migrant) gets that answer instead, on either path.
"más" sends the sections kept back; every answer records its sources.
"""

import json
from typing import Any, Dict, List, Optional, Sequence

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.affected import affected
from actions.counted import counted
from actions.conversation import PENDING_SLOT, SOURCES_SLOT, TOPIC_SLOT, ReplyAction
from actions.help_nearby import PLACE_FOR_SLOT, PLACE_SLOTS, ActionHelpNearMe, directory
from actions.places import current_place_key
from bot.directory.catalogue import catalogue
from bot.guidance.compose import LOCAL, SITUATION_ENTITY, WHOLE, Answer, Composer, what_happened
from bot.guidance.content import guidance
from bot.guidance.texts import case_key
from bot.languages import DEFAULT_LANGUAGE
from bot.replies.catalogue import Catalogues
from bot.text import bare_words

CRIME_SLOT = "crime"
MORE_SLOT = "more_sections"
REPORT, PROTECTION = "report_crime", "protection"  # the intents, the topics and the answers' names
INTERPRETER = "interpreter"  # the answer after a language with no reviewed texts is chosen
OTHER = "other"  # the crime "Otro" (guidance/national.yml), offered last
REPORT_FIRST = frozenset({"disappearance", "extortion"})  # crimes (guidance/national.yml) reported first
PROTECTION_FIRST = frozenset({"family_violence"})  # told beside danger, it asks for protection first
CATALOGUES = Catalogues.load()  # the answers' sentences in each language


def known_state(tracker: Tracker) -> Optional[str]:
    """The state the person named in this conversation, in this message or before (a place key starts with it)."""
    key = current_place_key(tracker) or ""
    return key[:2] if key[:2] in catalogue().states else None


def named(message: Dict[str, Any]) -> List[str]:
    """The crimes and situations the NLU read in a message (its words, else the classifier)."""
    return [entity["value"] for entity in message.get("entities") or [] if entity.get("entity") == SITUATION_ENTITY]


def answered_before_help_nearby(message: Dict[str, Any]) -> Optional[str]:
    """What a request for help nearby gets instead when the message names it: an urgent crime
    or a situation with an answer of its own (which names the state's offices), not who is
    affected (a migrant) nor a crime with the reporting steps alone — unless the message asks
    for the list itself ("el observatorio más cercano")."""
    content = guidance()
    if set(bare_words(message.get("text") or "").split()) & set(content.nearby_words):
        return None
    told = what_happened([key for key in named(message) if key not in content.affected])
    return told if told and (content.has_answer(told) or told in content.urgent_crimes) else None


def crime_choices(language: str = DEFAULT_LANGUAGE) -> List[Dict[str, str]]:
    """Numbered options: what happened — the crimes, then the situations, "Otro" last."""
    listed = {**guidance().crimes, **guidance().situations}
    order = [key for key in listed if key != OTHER] + [OTHER]
    return [{"title": CATALOGUES.say(case_key(key), language), "payload": f"/{REPORT}" + json.dumps({"crime": key})}
            for key in order]


def send(dispatcher: CollectingDispatcher, answer: Answer, choices: List[Dict[str, str]],
         cited_before: Sequence[str] = ()) -> List[EventType]:
    """Sends an answer's messages; the last one names its sources and what comes next.
    `cited_before`: the sources of the part of this answer already sent (they still apply)."""
    *first, last = answer.messages
    for body in first:
        dispatcher.utter_message(response="utter_guidance", body=body)
    parts: List[Dict[str, Any]] = [{"key": "guidance_sources",
                                    "values": {"sources": answer.source_names, "checked": answer.checked}}]
    if answer.more:
        parts.append({"key": "guidance_more"})
    if choices:
        parts.append({"key": "guidance_crime_question"})
    dispatcher.utter_message(response="utter_guidance", body=last, parts=parts, choices=choices)
    refs = [*cited_before, *(ref for ref in answer.refs if ref not in cited_before)]
    return [SlotSet(SOURCES_SLOT, refs), SlotSet(MORE_SLOT, answer.more or None)]


def composer(tracker: Tracker, state: Optional[str], crime: Optional[str] = None, part: str = WHOLE,
             case: Optional[str] = None, language: Optional[str] = None) -> Composer:
    """The composer for a state (None: not known yet), with that state's entries of the referral
    directory as they are now, nearest to where the person said they are first; `case`: what
    happened, as the person's words named it (the answer leaves out what is for other cases);
    `language`: the person's language (the entries that list it; by default the conversation's,
    unless Spanish). Each sentence is in the conversation's language where a reviewed
    translation has it."""
    local = directory().index().of_state(state, ActionHelpNearMe.origin(tracker)[0]) if state else ()
    reader = tracker.get_slot("language") or DEFAULT_LANGUAGE
    spoken = language or (reader if reader != DEFAULT_LANGUAGE else None)
    return Composer(state, crime, local, part, case, affected(tracker),
                    say=lambda key: CATALOGUES.say(key, reader), language=spoken)


def tell_interpreter_right(dispatcher: CollectingDispatcher, tracker: Tracker, language: str) -> List[EventType]:
    """What to ask for at the Ministerio Público, what to do when no interpreter comes, and
    who speaks the language in the person's state (the guidance answer "interpreter")."""
    return send(dispatcher, composer(tracker, known_state(tracker), language=language).answer(INTERPRETER), [])


def answer_topic(dispatcher: CollectingDispatcher, tracker: Tracker, topic: str,
                 crime: Optional[str], general: bool = True, part: str = WHOLE) -> List[EventType]:
    """The answer for the state, if known. Otherwise what holds in any state at once, then the
    place question when the state adds to it (answered afterwards with that part alone).
    A crime or situation with an answer of its own gets that answer, whole."""
    counted(tracker, ("topic", topic), ("crime", crime))
    events: List[EventType] = [SlotSet(TOPIC_SLOT, topic), SlotSet(CRIME_SLOT, crime)]
    state = known_state(tracker)
    own = bool(crime and guidance().has_answer(crime))
    about, with_crime = (crime, None) if own else (topic, crime)
    composing = composer(tracker, state, with_crime, part, case=crime)
    answer = composing.answer(about, general or own)
    choices = crime_choices(tracker.get_slot("language") or DEFAULT_LANGUAGE) if (
        topic == REPORT and crime is None and state) else []
    cited_before = (tracker.get_slot(SOURCES_SLOT) or []) if part == LOCAL else []
    sent = send(dispatcher, answer, choices, cited_before) if answer.messages else []
    if state is None and composing.depends_on_state(about, general or own):
        return [*events, *sent, SlotSet(PLACE_FOR_SLOT, "guidance"), *(SlotSet(s, None) for s in PLACE_SLOTS),
                FollowupAction("place_form")]
    return [*events, *sent]


def answer_after_place(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
    """What the state adds to the answer already given, once the place question has named it."""
    topic = PROTECTION if tracker.get_slot(TOPIC_SLOT) == PROTECTION else REPORT
    return [SlotSet(PLACE_FOR_SLOT, None),
            *answer_topic(dispatcher, tracker, topic, tracker.get_slot(CRIME_SLOT), part=LOCAL)]


class GuidanceAction(ReplyAction):
    """Answers one topic; for reporting, the crime comes from the chosen option or the person's
    words. A request for protection that names a crime whose first step is reporting (a
    disappearance: the search starts at once; extortion) gets the reporting answer."""

    topic = REPORT

    def topic_for(self, tracker: Tracker) -> str:
        reported_first = REPORT_FIRST.intersection(named(tracker.latest_message))
        return REPORT if self.topic == PROTECTION and reported_first else self.topic

    def crime(self, tracker: Tracker) -> Optional[str]:
        """What happened: the option chosen (when reporting), else what the message names."""
        chosen = next(tracker.get_latest_entity_values("crime"), None)
        report = self.topic_for(tracker) == REPORT
        if report and (chosen in guidance().crimes or chosen in guidance().situations):
            return chosen
        return what_happened(named(tracker.latest_message))

    def remember(self, tracker: Tracker) -> List[EventType]:
        return [SlotSet(CRIME_SLOT, self.crime(tracker)), SlotSet(PENDING_SLOT, self.topic_for(tracker))]

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        chosen = next(tracker.get_latest_entity_values("crime"), None)
        general = chosen is None or known_state(tracker) is None  # a crime chosen from the list: its steps only
        return answer_topic(dispatcher, tracker, self.topic_for(tracker), self.crime(tracker), general)


class ActionReportCrime(GuidanceAction):
    topic = REPORT

    def name(self) -> str:
        return "action_report_crime"


class ActionProtection(GuidanceAction):
    topic = PROTECTION

    def name(self) -> str:
        return "action_protection"


class ActionMore(ReplyAction):
    """The next section kept back from the last answer."""

    keeps_sources = True

    def name(self) -> str:
        return "action_more"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        sections = tracker.get_slot(MORE_SLOT) or []
        if not sections:
            dispatcher.utter_message(response="utter_no_more")
            return []
        answer = composer(tracker, known_state(tracker), case=tracker.get_slot(CRIME_SLOT)).more(sections[0])
        answer.more = sections[1:]
        if not answer.messages:
            dispatcher.utter_message(response="utter_no_more")
            return []
        return send(dispatcher, answer, [])


class ActionMediaReceived(ReplyAction):
    """A voice note or photo: the assistant cannot take it in, a person can."""

    replies = ("utter_media_received",)

    def name(self) -> str:
        return "action_media_received"
