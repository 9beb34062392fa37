"""The conversation-level evaluation (tests/conversation_eval.py): its cases stay apart from
the training data, and the figures of the trained assistant over the REST channel.

The floors are the README's, each asserted; the figures are printed on every run.
"""

from collections import Counter
from typing import Iterator, List

import pytest
from rasa.shared.nlu.training_data.loading import load_data

from bot.guidance.compose import Composer
from bot.replies.catalogue import Catalogues
from bot.replies.render import render
from tests import conversation_eval
from tests.conftest import ROOT, running_assistant
from tests.near_duplicates import leaks

DATA = conversation_eval.load()
CATALOGUES = Catalogues.load()


def reply(key: str, **values: object) -> str:
    return render(key, "es", CATALOGUES, values)["text"]


def person(category: str = "protection", **case: object) -> conversation_eval.Person:
    return conversation_eval.Person(DATA, {"text": "", "danger": "none", "category": category, **case})


def test_the_simulated_person_reads_todays_replies_as_meant() -> None:
    """The evaluation's readings still fit the catalogue: if a reply's wording changes so
    that a question or the danger reply is no longer recognised, this fails, not the figures."""
    someone, outcome = person(place="Oaxaca"), conversation_eval.Outcome({})
    assert someone.is_alert(reply("utter_danger"))
    assert not someone.is_alert(reply("utter_not_safe"))
    assert not someone.is_alert(reply("utter_danger_reminder")) and someone.is_reminder(reply("utter_danger_reminder"))
    assert not someone.is_reminder(reply("utter_danger"))
    assert someone.next_message([reply("utter_welcome")], outcome) == "sí"
    assert someone.next_message([reply("utter_ask_language")], outcome) == "español"
    assert someone.next_message([reply("utter_ask_state")], outcome) == "Oaxaca"
    assert someone.next_message([reply("utter_ask_place")], outcome) == "Oaxaca"
    assert person().next_message([reply("utter_ask_place")], outcome) == DATA["default_place"]
    assert not outcome.used_menu
    assert someone.next_message([reply("utter_main_menu")], outcome) == "2"  # Protección sin denunciar
    assert outcome.used_menu
    assert person("find_help").next_message([reply("utter_main_menu")], outcome) == "3"
    assert person("other").reached(reply("utter_main_menu"))
    assert person("emergency", danger="self_harm").reached(reply("utter_danger")) is False  # no Línea de la Vida
    assert person("emergency", danger="self_harm").reached(reply("utter_danger_self_harm"))


def test_the_route_markers_match_the_guidance_they_stand_for() -> None:
    """Today's guidance texts hold the markers of the routes they serve."""
    texts = (ROOT / "guidance" / "national.yml").read_text(encoding="utf-8")
    for category in ("report_crime", "protection", "disappearance", "extortion", "witness_fear"):
        assert person(category).reached(texts), category
    nearest = reply("utter_help_near_me", where="León, Guanajuato")
    assert person("find_help").reached(nearest) and not person("report_crime").reached(nearest)


@pytest.mark.parametrize("category, answer", [
    ("authority_abuse", "authority_abuse"), ("sexual_violence", "sexual_violence"), ("child_abuse", "child_abuse"),
    ("digital_violence", "digital_violence"), ("migrants", "migrants"), ("witness_fear", "witness")])
def test_each_situations_answer_holds_the_markers_of_its_route(category: str, answer: str) -> None:
    composed = "\n".join(Composer("21").answer(answer).messages)
    assert person(category).reached(composed)


def test_no_case_is_a_near_duplicate_of_a_training_example() -> None:
    training = [(example.get("intent"), example.get("text"))
                for example in load_data(str(ROOT / "data" / "nlu")).intent_examples]
    cases = [(case["category"], case["text"]) for case in DATA["case_list"]]
    found = leaks(cases, training, same_label_for_one_word=False)
    assert not found, "\n".join(str(leak) for leak in found)


def test_the_set_is_as_large_and_stratified_as_the_issue_asks() -> None:
    cases = DATA["case_list"]
    danger = Counter(case["danger"] for case in cases)
    assert len(cases) >= 300
    assert sum(count for stratum, count in danger.items() if stratum != conversation_eval.NO_DANGER) >= 60
    assert all(danger[stratum] >= 5 for stratum in conversation_eval.STRATA)
    assert sum(case["past"] and case["danger"] == conversation_eval.NO_DANGER for case in cases) >= 40
    assert set(DATA["categories"]) == {case["category"] for case in cases}
    assert len({conversation_eval.normalise_text(case["text"]) for case in cases}) == len(cases)


@pytest.fixture(scope="module")
def figures_of_today(tmp_path_factory: pytest.TempPathFactory, figures: List[str]) -> Iterator[conversation_eval.Figures]:
    """Every case run once against the assistant on SQLite (the evaluation is of the
    conversation, not of the store); the table goes to the run's summary."""
    with running_assistant(tmp_path_factory.mktemp("conversation-eval"), conversation_eval.ASSISTANT_ENV) as running:
        outcomes = conversation_eval.run_all(conversation_eval.rest_sender(running.base_url), DATA)
    result = conversation_eval.summarise(outcomes, DATA["budget"])
    figures.extend(result.lines)
    yield result


def test_the_figures_are_printed(figures_of_today: conversation_eval.Figures) -> None:
    assert figures_of_today.lines


@pytest.mark.parametrize("stratum", ["explicit", "self_harm"])
def test_every_explicit_threat_and_every_self_harm_message_gets_the_danger_reply(
        figures_of_today: conversation_eval.Figures, stratum: str) -> None:
    assert figures_of_today.recall[stratum] == 1.0


def test_implied_danger_recall_is_at_least_95_percent(figures_of_today: conversation_eval.Figures) -> None:
    assert figures_of_today.recall["implied"] >= 0.95


def test_at_least_92_percent_are_routed_correctly(figures_of_today: conversation_eval.Figures) -> None:
    assert figures_of_today.routing >= 0.92


def test_the_median_person_gets_concrete_help_by_their_second_message(
        figures_of_today: conversation_eval.Figures) -> None:
    assert figures_of_today.median_help <= 2
