"""Danger in any words, through the trained model: the learned part alone (the classifier,
without the keyword rules) and the whole pipeline, on tests/nlu/danger.yml — messages
written apart from the training data, by stratum. Recall per stratum is printed on every
run; the floors are stated in the README ("Quality floor").
"""

import asyncio
from pathlib import Path
from typing import Dict, Iterator, List, Tuple

import pytest
import yaml
from rapidfuzz import fuzz
from rasa.core.agent import Agent
from rasa.shared.nlu.training_data.loading import load_data

from actions.guidance import named
from actions.safety import LEXICON, request_beside_danger
from bot.nlu.keyword_intents import KeywordRules
from bot.text import fold
from tests.conftest import MODEL, ROOT

DANGER_SET = Path(__file__).with_name("nlu") / "danger.yml"
SET = yaml.safe_load(DANGER_SET.read_text(encoding="utf-8"))
STRATA: Dict[str, List[str]] = SET["danger"]
NOT_EMERGENCY: List[str] = SET["not_emergency"]
NEAR_COPY = 90  # rapidfuzz ratio (0-100) from which a message counts as a training sentence
# Whole pipeline, per stratum (everything else: RECALL_FLOOR).
RECALL_FLOOR, FLOORS = 0.95, {"explicit": 1.0, "self_harm": 1.0}
LINE_REPLY = {"self_harm": "utter_danger_self_harm", "trafficking": "utter_danger_trafficking"}


def test_the_danger_set_is_not_in_training() -> None:
    training = [fold(e.get("text")) for e in load_data(str(ROOT / "data" / "nlu")).intent_examples]
    messages = [m for stratum in STRATA.values() for m in stratum] + NOT_EMERGENCY
    near = [(m, t) for m in messages for t in training if fuzz.ratio(fold(m), t) >= NEAR_COPY]
    assert not near


@pytest.fixture(scope="module")
def agent() -> Agent:
    return Agent.load(str(MODEL))


def parse_all(agent: Agent, texts: List[str]) -> List[dict]:
    loop = asyncio.new_event_loop()
    try:
        return [loop.run_until_complete(agent.parse_message(text)) for text in texts]
    finally:
        loop.close()


@pytest.fixture(scope="module")
def parsed(agent: Agent) -> Dict[str, Dict[str, List[dict]]]:
    """Each message parsed by the whole pipeline and by the classifier alone."""
    texts = {stratum: messages for stratum, messages in STRATA.items()}
    texts["not_emergency"] = NOT_EMERGENCY
    whole = {stratum: parse_all(agent, messages) for stratum, messages in texts.items()}
    with pytest.MonkeyPatch.context() as patch:  # the keyword rules impose nothing
        patch.setattr(KeywordRules, "intent_for", lambda self, text: None)
        learned = {stratum: parse_all(agent, messages) for stratum, messages in texts.items()}
    return {"pipeline": whole, "classifier": learned}


def recall(results: List[dict]) -> Tuple[int, int]:
    return sum(r["intent"]["name"] == "danger" for r in results), len(results)


def test_danger_recall_per_stratum(parsed: Dict[str, Dict[str, List[dict]]], figures: List[str]) -> None:
    figures.append(f"Danger recall on {sum(map(len, STRATA.values()))} messages written apart (tests/nlu/danger.yml):")
    figures.append(f"  {'stratum':<13} {'classifier alone':>17} {'keywords alone':>15} {'pipeline':>9}")
    totals = {"classifier": [0, 0], "keywords": [0, 0], "pipeline": [0, 0]}
    missed = []
    for stratum, messages in STRATA.items():
        row = {}
        for part in ("classifier", "pipeline"):
            hit, n = recall(parsed[part][stratum])
            row[part] = (hit, n)
            totals[part][0] += hit
            totals[part][1] += n
        keyword_hits = sum(LEXICON.is_danger(m) for m in messages)
        totals["keywords"][0] += keyword_hits
        totals["keywords"][1] += len(messages)
        figures.append(f"  {stratum:<13} {row['classifier'][0]:>11}/{row['classifier'][1]:<5} "
                       f"{keyword_hits:>9}/{len(messages):<5} {row['pipeline'][0]:>3}/{row['pipeline'][1]}")
        hit, n = row["pipeline"]
        if hit / n < FLOORS.get(stratum, RECALL_FLOOR):
            missed += [(stratum, m) for m, r in zip(messages, parsed["pipeline"][stratum]) if r["intent"]["name"] != "danger"]
    figures.append("  all           " + "  ".join(f"{part} {h}/{n} ({h / n:.0%})" for part, (h, n) in totals.items()))
    alarms = sum(r["intent"]["name"] == "danger" for r in parsed["pipeline"]["not_emergency"])
    reminders = sum(LEXICON.in_doubt(m) for m in NOT_EMERGENCY)
    figures.append(f"  past or third-person violence read as danger: {alarms}/{len(NOT_EMERGENCY)}; "
                   f"would get the 911 reminder rather than the emergency reply: {reminders}/{len(NOT_EMERGENCY)}")
    assert not missed


def test_past_or_third_person_violence_gets_the_911_reminder_not_the_emergency_reply() -> None:
    """Eight of the ten carry a cue of the past, of something over or told of someone else;
    two ("mi vecina sufre violencia…") carry none and would keep the emergency reply."""
    assert sum(LEXICON.reply(m) == "utter_danger_reminder" for m in NOT_EMERGENCY) >= 8


@pytest.mark.parametrize("stratum", sorted(LINE_REPLY))
def test_self_harm_and_trafficking_get_their_line_with_911(stratum: str, parsed: Dict[str, Dict[str, List[dict]]]) -> None:
    wrong = [m for m, r in zip(STRATA[stratum], parsed["pipeline"][stratum])
             if r["intent"]["name"] != "danger" or LEXICON.reply(m) != LINE_REPLY[stratum]]
    assert not wrong


def test_other_danger_gets_no_line_it_does_not_need() -> None:
    wrong = [m for stratum, messages in STRATA.items() if stratum not in LINE_REPLY for m in messages
             if LEXICON.reply(m) != "utter_danger"]
    assert not wrong


@pytest.mark.parametrize("text,wanted", [
    ("me secuestraron hace un año, quiero saber cómo denunciar", "report_crime"),
    ("me secuestraron hace 3 años y quiero poner la denuncia", "report_crime"),
])
def test_a_request_beside_danger_words_is_still_read(agent: Agent, text: str, wanted: str) -> None:
    result = parse_all(agent, [text])[0]
    assert result["intent"]["name"] == "danger"
    assert request_beside_danger(result) == wanted


@pytest.mark.parametrize("text, follows", [("me está siguiendo un carro", "protection"), ("me quiero morir", None),
                                           ("ya viene y trae un cuchillo", "protection")])
def test_plain_danger_is_followed_by_protection_and_self_harm_by_nothing_else(
        agent: Agent, text: str, follows: str) -> None:
    """Danger that asks for nothing gets what protects from an aggressor after the 911 reply;
    thoughts of self-harm get the crisis line alone (and the offer of a person)."""
    result = parse_all(agent, [text])[0]
    assert result["intent"]["name"] == "danger"
    assert request_beside_danger(result) == follows


@pytest.mark.parametrize("text, read", [
    ("me jaquearon el insta y amenaza con subir mi pack", "digital_violence"),  # the words of guidance/national.yml
    ("unos policías me golpearon", "authority_abuse"),
    ("quiero dormirme y no despertar", "self_harm"),  # no listed words: the situation classifier
])
def test_the_nlu_reads_what_a_message_is_about(agent: Agent, text: str, read: str) -> None:
    result = parse_all(agent, [text])[0]
    assert read in [entity["value"] for entity in result["entities"] if entity["entity"] == "situation"]


@pytest.mark.parametrize("text", ["quiero comprar tortillas", "hola buenas tardes", "gracias por la información"])
def test_an_ordinary_message_is_not_danger(agent: Agent, text: str) -> None:
    assert parse_all(agent, [text])[0]["intent"]["name"] != "danger"


@pytest.mark.parametrize("text, reply", [
    ("mi esposo quiere matarme", "utter_danger"),
    ("mi ex me va a matar", "utter_danger"),
    ("mi pareja amenaza con matarme", "utter_danger"),
    ("dijo que si lo dejaba me mataba", "utter_danger_reminder"),  # told, maybe not now: the reminder
])
def test_a_threat_from_someone_else_gets_911_and_protection_not_the_crisis_line(
        agent: Agent, text: str, reply: str) -> None:
    """Whatever the classifier reads of self-harm in "…quiere matarme", the words say someone
    else threatens the person: 911 (or its reminder), then protection."""
    result = parse_all(agent, [text])[0]
    assert result["intent"]["name"] == "danger"
    assert LEXICON.reply(text, named(result)) == reply
    assert request_beside_danger(result) == "protection"
