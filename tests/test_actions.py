"""Unit tests for every custom action: replies named, events returned."""

import asyncio
from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionMisunderstood
from actions.guidance import ActionProtection, ActionReportCrime
from actions.language import ActionOfferLanguage, ActionSafeToTalk, ActionSetLanguage
from actions.menu import ActionAcknowledge, ActionBotChallenge, ActionMainMenu, ActionNotSafe
from actions.options import ActionSelectOption
from actions.safety import ActionDanger, ActionQuickExit
from actions.session import ActionSessionStart
from bot.replies.menus import MENUS
from bot.replies.render import render
from bot.replies.catalogue import Catalogues


def tracker(
    intent: str = "greet",
    text: str = "hola",
    slots: Optional[Dict[str, Any]] = None,
    events: Optional[List[Dict[str, Any]]] = None,
    entities: Optional[List[Dict[str, Any]]] = None,
) -> Tracker:
    return Tracker(
        sender_id="test",
        slots={"welcomed": True, "language": "es", **(slots or {})},
        latest_message={"intent": {"name": intent}, "text": text, "entities": entities or []},
        events=events or [],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def run(action: Action, current: Tracker) -> tuple:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, current, {}))
    return [message["response"] for message in dispatcher.messages], events, dispatcher.messages


def bot_reply(key: str) -> Dict[str, Any]:
    """A bot event as the dialogue engine records it after rendering `key`."""
    message = render(key, "es", Catalogues.load(), {})
    return {"event": "bot", "text": message["text"], "data": {"buttons": message["buttons"]},
            "metadata": {"utter_action": key}}


def slot(events: List[Dict[str, Any]], name: str) -> Any:
    values = [event["value"] for event in events if event.get("event") == "slot" and event["name"] == name]
    assert values, f"slot {name} not set"
    return values[-1]


@pytest.mark.parametrize(
    "action,reply",
    [
        (ActionMainMenu(), "utter_main_menu"),
        (ActionAcknowledge(), "utter_acknowledge"),
        (ActionBotChallenge(), "utter_bot_challenge"),
        (ActionOfferLanguage(), "utter_ask_language"),
    ],
)
def test_reply_actions_send_their_reply(action: Action, reply: str) -> None:
    replies, events, _ = run(action, tracker())
    assert replies == [reply]
    assert events == []


@pytest.mark.parametrize("action,topic", [(ActionReportCrime(), "report_crime"), (ActionProtection(), "protection")])
def test_guidance_answers_what_holds_anywhere_then_asks_the_state_and_remembers_the_topic(
        action: Action, topic: str) -> None:
    replies, events, _ = run(action, tracker())
    assert replies == ["utter_guidance", "utter_guidance"]
    assert slot(events, "topic") == topic and slot(events, "place_for") == "guidance"
    assert events[-1] == {"event": "followup", "timestamp": None, "name": "place_form"}


@pytest.mark.parametrize("action", [ActionReportCrime(), ActionProtection()])
def test_guidance_for_a_known_state_answers_with_its_sources(action: Action, seeded: str) -> None:
    replies, events, messages = run(action, tracker(slots={"place_key": "20067"}))
    assert replies and set(replies) == {"utter_guidance"} and len(replies) <= 3
    assert any(ref.startswith("directory:") for ref in slot(events, "answer_sources"))  # the state's office
    assert messages[-1]["parts"][0]["key"] == "guidance_sources"


def test_first_message_gets_the_welcome_and_the_request_is_remembered() -> None:
    replies, events, _ = run(ActionReportCrime(), tracker("report_crime", slots={"welcomed": False}))
    assert replies == ["utter_welcome"]
    assert slot(events, "welcomed") is True
    assert slot(events, "pending_intent") == "report_crime"


def test_first_greeting_remembers_no_request() -> None:
    _, events, _ = run(ActionMainMenu(), tracker("greet", slots={"welcomed": False}))
    assert slot(events, "pending_intent") is None


def test_exit_answers_even_a_first_message() -> None:
    assert run(ActionQuickExit(), tracker(slots={"welcomed": False}))[0] == ["utter_quick_exit"]


def test_quick_exit_requests_erasure() -> None:
    replies, events, _ = run(ActionQuickExit(), tracker("quick_exit", "salir"))
    assert replies == ["utter_quick_exit"]
    assert slot(events, "erasure_requested") is True


def test_not_safe_forgets_the_welcome_so_the_next_contact_asks_again() -> None:
    replies, events, _ = run(ActionNotSafe(), tracker("not_safe_now", slots={"pending_intent": "protection"}))
    assert replies == ["utter_not_safe"]
    assert slot(events, "welcomed") is False
    assert slot(events, "pending_intent") is None


def test_a_pending_request_for_help_nearby_starts_the_place_question(seeded: str) -> None:
    current = tracker("choose_language", entities=[{"entity": "language", "value": "es"}],
                      slots={"pending_intent": "find_help"})
    replies, events, _ = run(ActionSetLanguage(), current)
    assert replies == []
    assert events[-1] == {"event": "followup", "timestamp": None, "name": "place_form"}


def test_a_pending_request_for_help_near_a_named_place_is_answered_in_the_same_action(seeded: str) -> None:
    """No follow-up action that no rule continues: the answer comes from this action itself."""
    current = tracker("choose_language", entities=[{"entity": "language", "value": "es"}],
                      slots={"pending_intent": "find_help", "place_key": "11020"})
    replies, events, _ = run(ActionSetLanguage(), current)
    assert replies == ["utter_help_near_me"] and followed_by(events) is None


def test_spanish_goes_on_to_the_menu(seeded: str) -> None:
    current = tracker("choose_language", entities=[{"entity": "language", "value": "es"}])
    replies, events, _ = run(ActionSetLanguage(), current)
    assert replies == ["utter_main_menu"]
    assert slot(events, "language") == "es"


def test_language_without_reviewed_text_says_so_and_continues_with_the_pending_request(seeded: str) -> None:
    current = tracker(
        "choose_language",
        entities=[{"entity": "language", "value": "nah"}],
        slots={"pending_intent": "protection"},
    )
    replies, events, messages = run(ActionSetLanguage(), current)
    assert replies == ["utter_language_fallback", "utter_guidance", "utter_guidance", "utter_guidance"]
    assert "intérprete certificado de mi lengua" in messages[1]["body"]  # the interpreter right first
    assert events[-1] == {"event": "followup", "timestamp": None, "name": "place_form"}
    assert messages[0]["language_name"] == "Náhuatl"
    assert slot(events, "language") == "nah"
    assert slot(events, "pending_intent") is None


def test_the_interpreter_right_says_what_to_ask_for_and_never_promises_one(seeded: str) -> None:
    """What to ask for at the Ministerio Público, what to do when nobody comes; no promise."""
    current = tracker("choose_language", entities=[{"entity": "language", "value": "tzo"}])
    replies, events, messages = run(ActionSetLanguage(), current)
    assert replies[:2] == ["utter_language_fallback", "utter_guidance"]
    body = messages[1]["body"]
    for said in ("intérprete certificado de mi lengua", "de qué pueblo eres", "PANITLI", "espere hasta que llegue",
                 "No te puedo prometer", "pide que quede escrito", "Casas de la Mujer Indígena"):
        assert said in body, said
    assert "hablan tu lengua en:" not in body  # no state known: no entry named
    assert "Cuando me preguntes cómo denunciar y me digas tu estado" in body
    assert "item:interpreter.ask" in slot(events, "answer_sources")


def test_the_interpreter_right_names_who_speaks_the_language_in_the_persons_state(seeded: str) -> None:
    """An entry of the directory that lists the language, in the state the person named."""
    maya = tracker("choose_language", entities=[{"entity": "language", "value": "yua"}], slots={"place_key": "23002"})
    _, events, messages = run(ActionSetLanguage(), maya)
    assert "En Quintana Roo hablan tu lengua en: Casa de la Mujer Indígena U Muk'il Ko'olelo'ob" in messages[1]["body"]
    assert any(ref.startswith("entry:") for ref in slot(events, "answer_sources"))
    nahuatl = tracker("choose_language", entities=[{"entity": "language", "value": "nah"}], slots={"place_key": "23002"})
    _, _, messages = run(ActionSetLanguage(), nahuatl)
    assert "hablan tu lengua en:" not in messages[1]["body"]  # the Maya centre is not named for Náhuatl


def test_how_to_report_names_who_speaks_the_persons_language_in_their_state(seeded: str) -> None:
    """The interpreter answer, before the state was known, said this is where it comes."""
    said = {}
    for language in ("yua", "es", "nah"):
        asked = tracker("report_crime", "cómo denuncio", slots={"language": language, "place_key": "23002"})
        said[language] = "\n".join(message.get("body") or "" for message in run(ActionReportCrime(), asked)[2])
    assert "En Quintana Roo hablan tu lengua en: Casa de la Mujer Indígena U Muk'il Ko'olelo'ob" in said["yua"]
    assert "hablan tu lengua en:" not in said["es"] and "hablan tu lengua en:" not in said["nah"]


def test_safe_to_talk_asks_the_language_when_the_first_message_did_not_tell_it() -> None:
    replies, _, _ = run(ActionSafeToTalk(), tracker("safe_to_talk", "sí", slots={"language_known": False}))
    assert replies == ["utter_ask_language"]


def test_safe_to_talk_after_a_spanish_request_answers_it_with_the_hint_then_asks_where() -> None:
    current = tracker("safe_to_talk", "sí", slots={"language_known": True, "pending_intent": "report_crime"})
    replies, events, messages = run(ActionSafeToTalk(), current)
    assert replies == ["utter_guidance", "utter_guidance"]
    assert messages[-1]["parts"][-1] == {"key": "utter_language_hint"}
    assert events[-1] == {"event": "followup", "timestamp": None, "name": "place_form"}
    assert slot(events, "pending_intent") is None


def test_a_migrant_told_in_the_first_message_hears_of_the_humanitarian_visa_in_the_answer_after_the_welcome() -> None:
    told = [{"entity": "situation", "value": "sexual_violence"}, {"entity": "situation", "value": "migrants"}]
    first = tracker("report_crime", "soy de ecuador y me violaron", slots={"welcomed": False}, entities=told)
    _, events, _ = run(ActionReportCrime(), first)
    assert slot(events, "affected") == ["migrants"] and slot(events, "crime") == "sexual_violence"
    after = tracker("safe_to_talk", "sí", slots={"language_known": True, "pending_intent": "report_crime",
                                                  "crime": "sexual_violence", "affected": ["migrants"]})
    _, _, messages = run(ActionSafeToTalk(), after)
    texts = [message.get("body") or "" for message in messages]
    assert texts[0].startswith("Primero, tu salud:") and sum("Razones Humanitarias" in text for text in texts) == 1


def test_who_is_affected_is_taken_back_when_the_person_says_otherwise(seeded: str) -> None:
    _, events, _ = run(ActionReportCrime(), tracker("report_crime", "no soy migrante, me robaron",
                                                    slots={"affected": ["migrants"]}))
    assert slot(events, "affected") is None


def test_safe_to_talk_after_a_spanish_greeting_shows_the_menu_with_the_hint_first() -> None:
    replies, _, messages = run(ActionSafeToTalk(), tracker("safe_to_talk", "sí", slots={"language_known": True}))
    assert replies == ["utter_language_hint", "utter_main_menu"]


def test_safe_to_talk_after_a_request_for_a_known_state_answers_it_with_the_hint_as_its_footer(seeded: str) -> None:
    current = tracker("safe_to_talk", "sí", slots={"language_known": True, "pending_intent": "protection",
                                                    "place_key": "20"})
    replies, _, messages = run(ActionSafeToTalk(), current)
    assert replies and set(replies) == {"utter_guidance"}
    assert messages[-1]["parts"][-1] == {"key": "utter_language_hint"}


def test_a_surely_spanish_first_message_settles_the_language() -> None:
    first = tracker("protection", "mi pareja me pega", slots={"welcomed": False},
                    entities=[{"entity": "written_in", "value": "es"}])
    replies, events, _ = run(ActionProtection(), first)
    assert replies == ["utter_welcome"]
    assert slot(events, "language_known") is True and slot(events, "pending_intent") == "protection"


def test_a_protection_request_about_a_disappearance_gets_the_reporting_answer() -> None:
    first = tracker("protection", "mi hermana no aparece desde el lunes", slots={"welcomed": False},
                    entities=[{"entity": "situation", "value": "disappearance"}])  # as the NLU reads it
    _, events, _ = run(ActionProtection(), first)
    assert slot(events, "pending_intent") == "report_crime" and slot(events, "crime") == "disappearance"


def test_language_named_in_text(seeded: str) -> None:
    _, events, _ = run(ActionSetLanguage(), tracker("choose_language", "en maya porfa"))
    assert slot(events, "language") == "yua"


def test_unknown_language_asks_again() -> None:
    replies, events, _ = run(ActionSetLanguage(), tracker("choose_language", "klingon"))
    assert replies == ["utter_ask_language"]
    assert events == []


def test_number_chooses_from_the_last_reply_and_replaces_the_message() -> None:
    current = tracker("choose_option", "2", events=[bot_reply("utter_main_menu")])
    replies, events, _ = run(ActionSelectOption(), current)
    assert replies == []
    assert [event["event"] for event in events] == ["rewind", "action", "user"]
    assert events[1]["name"] == "action_listen"
    assert events[2]["parse_data"]["intent"]["name"] == "protection"


def test_number_choosing_a_language_carries_the_entity() -> None:
    current = tracker("choose_option", "3", events=[bot_reply("utter_ask_language")])
    _, events, _ = run(ActionSelectOption(), current)
    parse_data = events[2]["parse_data"]
    assert parse_data["intent"]["name"] == "choose_language"
    assert parse_data["entities"] == [{"entity": "language", "value": "yua"}]


def test_number_out_of_range_names_the_range() -> None:
    current = tracker("choose_option", "9", events=[bot_reply("utter_main_menu")])
    replies, events, messages = run(ActionSelectOption(), current)
    assert replies == ["utter_option_out_of_range"]
    assert messages[0]["highest"] == len(MENUS["utter_main_menu"])
    assert events == []


def test_number_after_a_reply_without_options_shows_the_menu() -> None:
    events = [bot_reply("utter_main_menu"), bot_reply("utter_acknowledge")]
    replies, _, _ = run(ActionSelectOption(), tracker("choose_option", "2", events=events))
    assert replies == ["utter_main_menu"]


@pytest.mark.parametrize("intent,chosen", [("affirm", "safe_to_talk"), ("deny", "not_safe_now")])
def test_yes_or_no_answers_the_welcome_question(intent: str, chosen: str) -> None:
    current = tracker(intent, "si", events=[bot_reply("utter_welcome")])
    _, events, _ = run(ActionSelectOption(), current)
    assert events[2]["parse_data"]["intent"]["name"] == chosen


@pytest.mark.parametrize("intent,reply", [("affirm", "utter_main_menu"), ("deny", "utter_acknowledge")])
def test_yes_or_no_without_a_question(intent: str, reply: str) -> None:
    current = tracker(intent, "si", events=[bot_reply("utter_acknowledge")])
    replies, events, _ = run(ActionSelectOption(), current)
    assert replies == [reply]
    assert events == []


def misunderstood_before(times: int) -> List[Dict[str, Any]]:
    events: List[Dict[str, Any]] = [{"event": "action", "name": "action_main_menu"}]
    for _ in range(times):
        events += [{"event": "action", "name": "action_listen"}, {"event": "user", "text": "x"},
                   {"event": "action", "name": "action_misunderstood"}]
    return events + [{"event": "action", "name": "action_listen"}]


@pytest.mark.parametrize(
    "before,reply",
    [(0, "utter_rephrase"), (1, "utter_main_menu"), (2, "utter_offer_person"), (5, "utter_offer_person")],
)
def test_misunderstanding_escalates(before: int, reply: str) -> None:
    replies, _, _ = run(ActionMisunderstood(), tracker("nlu_fallback", events=misunderstood_before(before)))
    assert replies == [reply]


def test_as_the_dialogues_fallback_after_its_own_reply_it_ends_the_turn_in_silence() -> None:
    """The core fallback (no rule continues an action) must not add "no te entendí" to a
    message already answered, nor loop until the prediction limit."""
    current = tracker("safe_to_talk", "sí")
    current.latest_action_name = "action_help_near_me"
    replies, events, _ = run(ActionMisunderstood(), current)
    assert replies == [] and followed_by(events) == "action_listen"


def test_delete_my_data_requests_erasure() -> None:
    from actions.safety import ActionDeleteMyData

    replies, events, _ = run(ActionDeleteMyData(), tracker("delete_my_data", slots={"welcomed": False}))
    assert replies == ["utter_data_deleted"]
    assert slot(events, "erasure_requested") is True


def followed_by(events: List[Dict[str, Any]]) -> Optional[str]:
    return next((event["name"] for event in events if event.get("event") == "followup"), None)


def danger_tracker(text: str, ranking: List[tuple], welcomed: bool = True) -> Tracker:
    """A danger message as the pipeline leaves it: the classifier's ranking after danger."""
    current = tracker("danger", text, slots={"welcomed": welcomed})
    current.latest_message["intent_ranking"] = [{"name": "danger", "confidence": 1.0}] + [
        {"name": name, "confidence": confidence} for name, confidence in ranking]
    return current


@pytest.mark.parametrize("text,reply", [
    ("ya no quiero vivir", "utter_danger_self_harm"),
    ("me obligan a prostituirme", "utter_danger_trafficking"),
    ("ya viene y trae un cuchillo", "utter_danger"),
])
def test_danger_reply_by_kind_then_the_offer(seeded: str, text: str, reply: str) -> None:
    replies, _, _ = run(ActionDanger(), danger_tracker(text, [("out_of_scope", 0.3), ("protection", 0.05)]))
    assert replies == [reply]  # no staffed observatory in the seed: nothing more, quietly


@pytest.mark.parametrize("text,reply", [
    ("me está siguiendo y quiero denunciarlo", "utter_danger"),
    # Danger that may not be happening now: the 911 reminder, not the emergency reply.
    ("me secuestraron hace un año, quiero saber cómo denunciar", "utter_danger_reminder"),
])
def test_danger_then_the_request_it_came_with(seeded: str, text: str, reply: str) -> None:
    replies, events, _ = run(ActionDanger(), danger_tracker(text, [("report_crime", 0.9), ("protection", 0.05)]))
    assert replies == [reply]
    assert followed_by(events) == "action_report_crime"


def test_danger_in_doubt_without_a_request_says_where_people_answer(seeded: str) -> None:
    replies, events, _ = run(ActionDanger(), danger_tracker("a mi vecina la golpeaba su esposo", [("out_of_scope", 0.5)]))
    assert replies == ["utter_danger_reminder", "utter_human_handoff"]  # no staffed observatory in the seed
    assert followed_by(events) is None


def test_a_past_cue_lets_a_less_certain_request_through(seeded: str) -> None:
    ranking = [("out_of_scope", 0.5), ("protection", 0.08)]
    _, events, _ = run(ActionDanger(), danger_tracker("hace años me tenian encerrada, que puedo hacer", ranking))
    assert followed_by(events) == "action_protection"


def test_danger_as_a_first_message_then_the_welcome_keeping_the_request(seeded: str) -> None:
    text = "me secuestraron hace un año, quiero saber cómo denunciar"
    replies, events, _ = run(ActionDanger(), danger_tracker(text, [("report_crime", 0.9)], welcomed=False))
    assert replies == ["utter_danger_reminder", "utter_welcome"]
    assert slot(events, "pending_intent") == "report_crime"
    assert slot(events, "welcomed") is True


def situation(value: str) -> Dict[str, Any]:
    """The entity the NLU's situation classifier sets (bot/nlu/situation_classifier.py)."""
    return {"entity": "situation", "value": value}


def test_danger_caused_by_someone_and_no_request_is_followed_by_protection(seeded: str) -> None:
    current = danger_tracker("ya llegó y está golpeando la puerta", [("out_of_scope", 0.2)])
    current.latest_message["entities"] = [situation("other_danger")]
    replies, events, _ = run(ActionDanger(), current)
    assert replies == ["utter_danger"] and followed_by(events) == "action_protection"


def test_danger_read_in_no_ones_doing_gets_911_alone(seeded: str) -> None:
    """A message only the classifier's floor made danger, with no one causing it: no protection text."""
    replies, events, _ = run(ActionDanger(), danger_tracker("me caí en la calle", [("out_of_scope", 0.2)]))
    assert replies == ["utter_danger"] and followed_by(events) is None


def test_self_harm_beside_violence_at_home_gets_the_crisis_line_then_protection(seeded: str) -> None:
    current = danger_tracker("mi esposo me pega y ya no aguanto, quiero dejar de existir", [("out_of_scope", 0.2)])
    current.latest_message["entities"] = [situation("family_violence"), situation("self_harm")]
    replies, events, _ = run(ActionDanger(), current)
    assert replies == ["utter_danger_self_harm"] and followed_by(events) == "action_protection"


def test_self_harm_said_in_other_words_gets_the_crisis_line_and_no_protection_orders(seeded: str) -> None:
    current = danger_tracker("quiero dormirme y no despertar", [("out_of_scope", 0.2)])
    current.latest_message["entities"] = [situation("self_harm")]
    replies, events, _ = run(ActionDanger(), current)
    assert replies == ["utter_danger_self_harm"] and followed_by(events) is None


@pytest.mark.parametrize("slots, loop", [({"topic": "protection"}, None), ({}, "place_form")])
def test_danger_again_or_while_asked_where_gets_911_alone(seeded: str, slots: Dict[str, Any],
                                                           loop: Optional[str]) -> None:
    """The protection answer already sent, or the place question open: not the same text again."""
    current = danger_tracker("ya viene y trae un cuchillo", [("out_of_scope", 0.2)])
    current.slots.update(slots)
    current.active_loop = {"name": loop} if loop else {}
    replies, events, _ = run(ActionDanger(), current)
    assert replies == ["utter_danger"] and followed_by(events) is None


def test_a_new_session_keeps_what_the_person_told_and_drops_the_last_request() -> None:
    """An hour later the place, language and who is affected stay; the old crime, topic and
    pending question do not filter or answer the new request."""
    before = tracker(slots={"place": "Oaxaca", "place_key": "20067", "affected": ["migrants"], "crime": "robbery",
                            "topic": "find_help", "pending_intent": "report_crime", "handoff_observatory": "3"})
    _, events, _ = run(ActionSessionStart(), before)
    assert events[0]["event"] == "session_started"
    assert (events[-1]["event"], events[-1]["name"]) == ("action", "action_listen")
    carried = {event["name"]: event["value"] for event in events if event["event"] == "slot"}
    assert carried == {"welcomed": True, "language": "es", "place": "Oaxaca", "place_key": "20067",
                       "affected": ["migrants"]}
